"""The CLI is built from the stage registry: every stage's command module exists and registers the command the
registry names, so a new stage is one package plus one registry entry."""
from __future__ import annotations

import importlib

from perfeval.city import registry
from perfeval.cli import build_parser


def _subcommands() -> set[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return set(sub.choices)


def test_every_stage_names_a_cli_module_that_registers_its_command():
    commands = _subcommands()
    for stage in registry.STAGES:
        assert stage.cli, stage.name
        module = importlib.import_module(stage.cli)
        assert callable(module.register), stage.cli
        for alternative in stage.command.split(" / "):
            words = alternative.split()
            assert words[0] == "perfeval" and words[1] in commands, (stage.name, alternative)


def test_a_registry_entry_adds_its_command(monkeypatch):
    """A stage whose module registers a new command appears in the CLI without touching cli/__init__.py."""
    import sys
    import types

    module = types.ModuleType("perfeval_test_stage_cli")

    def register(sub):
        sub.add_parser("test-stage", help="测试阶段")

    module.register = register
    monkeypatch.setitem(sys.modules, "perfeval_test_stage_cli", module)
    stage = registry.Stage("test", "测试阶段", needs=("projects",), command="perfeval test-stage",
                           cli="perfeval_test_stage_cli")
    monkeypatch.setattr(registry, "STAGES", registry.STAGES + (stage,))
    assert "test-stage" in _subcommands()


def test_the_year_gives_its_view_as_of_a_month():
    """Year.as_of is the monitoring's as-of view: the June view holds no payment after June."""
    from pathlib import Path

    import pandas as pd

    from perfeval.city.year import Year

    year = Year.load(Path(__file__).resolve().parents[1] / "data" / "sample")
    june = year.as_of("2021-06")
    assert pd.to_numeric(june.payments["month"]).max() == 6 and june.month == 6
