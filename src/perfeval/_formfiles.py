"""Which files of a data folder's ``forms/`` are self-evaluation forms: the one place that decides it.

A unit's form may come as any container the form reader knows (``perfeval.io._containers``): .xlsx, .xlsm,
.xlsb, .xls, WPS .et, .ods, csv/tab text, Word .docx, HTML. ``perfeval import forms`` keeps the file as sent,
as ``forms/<project_id><suffix>``; the data layer (``datasets``, ``city.year``, the outline, the disclosure,
the consistency check) finds a project's form through :func:`form_files` / :func:`project_forms`, never by a
``*.xlsx`` glob of its own. Office's lock files (``~$…``) and hidden files are not forms.
"""
from __future__ import annotations

import re
from pathlib import Path

FORMS_FOLDER = "forms"
FORM_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".docx", ".html", ".htm")
# a text export (.txt/.tsv) is read like any form but kept as .csv in the data folder, where a plain .txt is
# a note or another per-project input, not a form
STORED_SUFFIX = {".txt": ".csv", ".tsv": ".csv"}
_FORM_NAME = re.compile(r"\.(?:" + "|".join(s[1:] for s in FORM_SUFFIXES) + r")$", re.I)


def is_form_name(name: str) -> bool:
    """True for a file name one of the form containers reads (lock and hidden files excluded)."""
    return _FORM_NAME.search(name) is not None and not name.startswith(("~$", "."))


def stored_suffix(suffix: str) -> str:
    """The suffix a form sent as ``suffix`` is kept under in ``forms/`` (lower case; text exports as .csv)."""
    suffix = suffix.lower()
    return STORED_SUFFIX.get(suffix, suffix)


def form_files(folder) -> list[Path]:
    """The form files directly in ``folder`` (e.g. ``<data>/forms``), sorted by name; [] when there is none."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and is_form_name(p.name)), key=lambda p: p.name)


def project_forms(folder, project_id: str) -> list[Path]:
    """The form files of one project in ``folder``: ``<project_id><any form suffix>`` (normally one)."""
    return [p for p in form_files(folder) if p.stem == str(project_id)]


__all__ = ["FORMS_FOLDER", "FORM_SUFFIXES", "form_files", "is_form_name", "project_forms", "stored_suffix"]
