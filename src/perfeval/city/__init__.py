"""The city's year: the stage registry, the data folder on disk, and the year read from it (`Year`).

* :mod:`.registry` — every stage's inputs (files, columns), function, outline, notebook and command;
* :mod:`.folder` — the data folder's helpers (``data_folder``, ``csv_records``, ``read_projects`` …);
* :mod:`.year` — :class:`Year`: each input present / absent / header-only / partial, city and budget year;
* :mod:`.docs` — the docs page of the data folder, written from the registry.
"""
from __future__ import annotations

from .registry import INPUTS, STAGES, Input, Stage, input_spec, stage
from .year import ABSENT, HEADER_ONLY, PARTIAL, PRESENT, InputState, Year

__all__ = ["ABSENT", "HEADER_ONLY", "INPUTS", "Input", "InputState", "PARTIAL", "PRESENT", "STAGES", "Stage",
           "Year", "input_spec", "stage"]
