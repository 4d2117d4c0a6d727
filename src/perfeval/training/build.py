"""Make the trainer's and the participant's training notebooks from one source each.

A source notebook (``notebooks/training/source/*.ipynb``, saved without outputs) tags its cells:

* ``solution``    — the reference answer (or a trainer's note): kept for trainers, removed for participants;
* ``placeholder`` — the blank answer a participant starts from: removed for trainers;
* ``check``       — one line ``check("id", answer…)``: kept for both; in the trainer's version it becomes
  ``feedback = check(…)`` + ``assert feedback.ok`` so that running the trainer's notebook proves every
  reference answer right.

``python -m perfeval.training.build --out DIR`` (or ``perfeval training build --out DIR``) writes
``DIR/trainer/*.ipynb`` and ``DIR/participant/*.ipynb``; the output is byte-reproducible (no outputs,
no execution counts, the source's cell ids). ``--check`` compares instead of writing and fails when a
generated notebook differs (the committed copies in notebooks/training/ must stay in sync).
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from ..errors import InputError

VERSIONS = ("trainer", "participant")
DROP = {"trainer": "placeholder", "participant": "solution"}
CHECK_LINE = re.compile(r"^check\(.*\)$")
NOTE = {"trainer": "讲师版（含参考答案；每个检查都必须通过）", "participant": "学员版（答案单元格留空，运行检查即得到反馈）"}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _trainer_check(cell, name: str):
    text = _source(cell).strip()
    if not CHECK_LINE.match(text):
        raise InputError("检查单元格只能有一行 check(…) (a check cell must be one call)",
                         where=None, expected="check(\"编号\", 答案…)", found=f"{name}：{text[:60]}")
    cell["source"] = _lines(f"feedback = {text}\nassert feedback.ok, str(feedback)\nfeedback")


def render(nb: dict, version: str, name: str) -> dict:
    """One version of a source notebook (a new dict; the source is not changed)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if DROP[version] in tags:
            continue
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if "check" in tags and version == "trainer":
                _trainer_check(cell, name)
        cells.append(cell)
    out["cells"] = cells
    out.setdefault("metadata", {})["perfeval_training"] = {"version": version, "note": NOTE[version],
                                                          "source": f"source/{name}"}
    return out


def dumps(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def default_source() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "notebooks" / "training" / "source"
        if candidate.is_dir():
            return candidate
    raise InputError("找不到培训笔记本源文件 (training notebook sources not found)",
                     expected="notebooks/training/source/*.ipynb（源码检出中）", found=str(here))


def build(out_dir, source_dir=None, check_only: bool = False) -> list[str]:
    """Write (or, with ``check_only``, compare) both versions of every source; returns the files that
    were written or that differ."""
    source_dir = Path(source_dir) if source_dir else default_source()
    sources = sorted(source_dir.glob("*.ipynb"))
    if not sources:
        raise InputError("源目录中没有笔记本 (no source notebooks)", found=str(source_dir))
    changed = []
    for path in sources:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for version in VERSIONS:
            target = Path(out_dir) / version / path.name
            text = dumps(render(nb, version, path.name))
            if target.is_file() and target.read_text(encoding="utf-8") == text:
                continue
            changed.append(str(target))
            if not check_only:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(target)
    return changed


def _run(args) -> int:
    out = Path(args.out) if args.out else default_source().parent
    changed = build(out, args.source, check_only=args.check)
    if args.check:
        if changed:
            print("以下生成的笔记本与源文件不一致，请运行 python -m perfeval.training.build：\n" + "\n".join(changed))
            return 1
        print("讲师版和学员版笔记本与源文件一致。")
        return 0
    print(f"已生成 {len(changed)} 个笔记本（其余未变）：{out}/trainer、{out}/participant")
    return 0


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="输出目录（默认 notebooks/training，生成 trainer/ 与 participant/）")
    p.add_argument("--source", metavar="DIR", help="源笔记本目录（默认 notebooks/training/source）")
    p.add_argument("--check", action="store_true", help="只比较不写入；不一致时返回 1")


def register(subparsers) -> None:
    """``perfeval training build`` — the trainer's and participant's notebooks from the sources."""
    p = subparsers.add_parser("training", help="培训笔记本：由源文件生成讲师版和学员版 (training notebooks)")
    sub = p.add_subparsers(dest="training_command", required=True)
    b = sub.add_parser("build", help="由源笔记本生成讲师版（含答案）和学员版（不含答案）")
    _arguments(b)
    b.set_defaults(func=_run)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m perfeval.training.build", description="生成讲师版和学员版培训笔记本")
    _arguments(p)
    return _run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
