"""``perfeval import forms``: a bureau's self-evaluation forms, in whatever container they came, into the data folder.

:func:`import_forms` reads every form file given (a folder recursively: every file but hidden and Office lock
files, so that a scanned PDF among the forms is listed as refused, not skipped), and writes or updates

- ``forms/<project_id><original suffix>``: the file as sent (byte copy);
- ``projects.csv``: one row per project — project_id, project_name, department (主管部门), unit (实施单位), and the
  form's budget_initial / budget_full_year / spent in 元; ``sector``, ``key_evaluation``, ``recovered`` are not on
  a form and are left blank for the bureau (a blank key_evaluation reads as "not key-evaluated", as everywhere);
  a row the bureau already has keeps its own sector / key_evaluation / recovered / year;
- ``self_evaluation/rows.csv`` and ``budget.csv``: the tidy frames of :func:`perfeval.io.forms_to_frames`.

The project id is the form's 项目编码; a form without one gets ``ZP-`` + the first 8 hex digits (upper case) of the
SHA-1 of ``实施单位|项目名称`` (:func:`derived_id`; the department when the unit is blank): the same form always
gets the same id. Idempotent: a form whose bytes equal the stored copy changes nothing (files stay byte-identical);
a different file for a stored project replaces it (the older copy is moved to ``forms/.replaced/``, never
deleted) and says so; a second, different file claiming a project id already imported in the same run is
refused with the reason. Every file given ends in one of four outcomes (:data:`OUTCOMES`) — nothing is
dropped silently, and one bad file never stops the others.
"""
from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._files import atomic_write, atomic_write_text
from .._formfiles import FORMS_FOLDER, form_files, stored_suffix
from ..errors import InputError, Location, PerfevalError
from . import registry
from .folder import data_folder
from .init import columns, example_row

IMPORTED, UPDATED, UNCHANGED, REFUSED = "imported", "updated", "unchanged", "refused"
OUTCOMES = {IMPORTED: "导入", UPDATED: "更新", UNCHANGED: "未变", REFUSED: "拒绝"}
REPLACED_FOLDER = ".replaced"
DERIVED_PREFIX = "ZP-"
FORM_FIELDS = ("project_name", "department", "unit", "budget_initial", "budget_full_year", "spent")


@dataclass(frozen=True)
class Outcome:
    """What happened to one file given: its outcome, the project, where it is stored, and why."""

    source: str
    outcome: str
    project_id: str | None = None
    project_name: str | None = None
    stored: str | None = None      # forms/<id><suffix>, relative to the data folder
    reason: str = ""               # refusals: the error (file, sheet, cell); others: what was noted

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome]


@dataclass(frozen=True)
class ImportResult:
    """Every file's outcome, in the order given, and the notes on the folder's tables."""

    data_dir: Path
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def refused(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.outcome == REFUSED)

    def table(self) -> pd.DataFrame:
        """The outcome table, Chinese headers (结果, 文件, 项目编码, 项目名称, 保存为, 说明)."""
        return pd.DataFrame([(o.label, o.source, o.project_id or "", o.project_name or "", o.stored or "", o.reason)
                             for o in self.outcomes], columns=["结果", "文件", "项目编码", "项目名称", "保存为", "说明"])


def derived_id(unit: str | None, name: str) -> str:
    """The stable id of a form without 项目编码: ``ZP-`` + 8 hex digits of SHA-1(``unit|name``)."""
    digest = hashlib.sha1(f"{(unit or '').strip()}|{name.strip()}".encode("utf-8")).hexdigest()
    return DERIVED_PREFIX + digest[:8].upper()


def form_sources(paths) -> list[Path]:
    """The files to import: each file as given, each folder's files recursively (sorted; hidden and ``~$`` lock
    files left out); a path that does not exist is an InputError (a usage error, before anything is written)."""
    out = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out += sorted((p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)),
                          key=lambda p: p.relative_to(path).as_posix())
        elif path.is_file():
            out.append(path)
        else:
            raise InputError("找不到要导入的文件或文件夹 (not found)", where=Location(file=str(path)),
                             expected="自评表文件或含自评表的文件夹")
    return out


def _csv_text(frame: pd.DataFrame) -> str:
    return "\ufeff" + frame.to_csv(index=False, lineterminator="\n")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as the csv text cells it writes (so stored and new rows compare and round-trip exactly)."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False)


def _read_text_table(path: Path) -> pd.DataFrame | None:
    from ..io._grid import read_csv_text

    if not path.is_file():
        return None
    text, _ = read_csv_text(path, name=str(path))
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise InputError(f"无法解析 csv 文件 (cannot parse csv)：{exc}", where=Location(file=str(path))) from None


def _money(value) -> str:
    if value is None or value != value:
        return ""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Run:
    """One import run: the folder's tables as text, the files claimed so far, the outcomes."""

    def __init__(self, data: Path, year: int | None):
        self.data, self.year = data, year
        self.forms_dir = data / FORMS_FOLDER
        self.rows = _read_text_table(data / registry.input_spec("self_rows").path)
        self.budget = _read_text_table(data / registry.input_spec("self_budget").path)
        self.stored_ids = set(self.budget["project_id"]) if self.budget is not None and "project_id" in self.budget \
            else set()
        self.names = dict(zip(self.budget["project_id"], self.budget["project_name"])) \
            if self.budget is not None and {"project_id", "project_name"} <= set(self.budget) else {}
        # the stored copies by content: a file given again is known unchanged without being read again
        files = form_files(self.forms_dir)
        self.stored = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in files}
        self.by_id: dict[str, list[Path]] = {}
        for path in files:
            self.by_id.setdefault(path.stem, []).append(path)
        self.claimed: dict[str, tuple[str, str]] = {}   # project id → (source, sha256) in this run
        self.new: dict[str, tuple] = {}                  # project id → (form, rows frame, budget frame, moved)
        self.outcomes: list[Outcome] = []

    def refuse(self, source: Path, reason: str, form=None, pid=None) -> None:
        self.outcomes.append(Outcome(str(source), REFUSED, pid, getattr(form, "project_name", None), None, reason))

    def one(self, source: Path) -> None:
        from ..io import forms_to_frames, read_self_evaluation

        try:
            data = source.read_bytes()
        except OSError as exc:
            return self.refuse(source, f"无法读取 (cannot read)：{exc.strerror or exc}")
        digest = hashlib.sha256(data).hexdigest()
        known = self.stored.get(digest)
        if known is not None and known.suffix == stored_suffix(source.suffix) and known.stem in self.stored_ids \
                and len(self.by_id.get(known.stem, ())) == 1:
            return self._unchanged(source, known.stem, digest, self.names.get(known.stem),
                                   f"{FORMS_FOLDER}/{known.name}")
        try:
            forms = read_self_evaluation(source)
        except PerfevalError as exc:
            return self.refuse(source, str(exc))
        except OSError as exc:
            return self.refuse(source, f"无法读取 (cannot read)：{exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 — one bad file never stops a batch of a thousand
            return self.refuse(source, f"读取时出错，无法导入 ({type(exc).__name__}: {exc})")
        if not forms:
            return self.refuse(source, "文件中没有项目支出绩效自评表 (no form found)")
        if len(forms) > 1:
            sheets = "、".join(str(f.source_sheet or f.project_id) for f in forms)
            return self.refuse(source, f"一个文件中有 {len(forms)} 张自评表（{sheets}），无法按项目保存原文件；"
                                       "请每个项目一个文件（把各工作表另存为单独的文件）后再导入")
        form = forms[0]
        where = f"文件 {source.name}" + (f"，工作表 {form.source_sheet}" if form.source_sheet else "")
        note = ""
        if form.code_given:
            pid = str(form.project_id).strip()
            if not pid or any(ch in pid for ch in "/\\\x00:*?\"<>|") or pid in (".", ".."):
                return self.refuse(source, f"{where}，单元格“项目编码”：项目编码不能作文件名 (invalid project id)，"
                                           f"不能含 / \\ : * ? \" < > | 等字符；找到：{pid}", form)
        else:
            name = (form.project_name or "").strip()
            if not name:
                return self.refuse(source, f"{where}：表中没有项目编码，也没有项目名称，无法确定是哪个项目 "
                                           "(no project code and no project name)；请填写“项目编码”或“项目名称”", form)
            pid = derived_id(form.unit or form.department, name)
            note = f"表中没有项目编码，按“实施单位|项目名称”生成编码 {pid}"
        if self.year and form.year and int(form.year) != int(self.year):
            return self.refuse(source, f"{where}，表头年度：自评表年度 {form.year} 与 city.yaml 的预算年度 {self.year} 不符 "
                                       "(another year)；请导入本年度的自评表，或改正 city.yaml", form, pid)
        stored = f"{FORMS_FOLDER}/{pid}{stored_suffix(source.suffix)}"
        if pid in self.claimed:
            if self.claimed[pid][1] == digest:
                return self._unchanged(source, pid, digest, form.project_name, stored)
            return self.refuse(source, f"{where}，单元格“项目编码”：项目 {pid} 已由本次导入的 {self.claimed[pid][0]} "
                                       "提供，同一项目只能有一份自评表 (duplicate project id)；请核对后只保留一份", form, pid)
        self.claimed[pid] = (str(source), digest)
        existing = self.by_id.get(pid, [])
        same = [p for p in existing if p.name == Path(stored).name and hashlib.sha256(p.read_bytes()).hexdigest() == digest]
        if same and len(existing) == 1 and pid in self.stored_ids:
            self.outcomes.append(Outcome(str(source), UNCHANGED, pid, form.project_name, stored, note))
            return None
        import dataclasses

        form = dataclasses.replace(form, project_id=pid, source_file=Path(stored).name)
        rows, budget = forms_to_frames([form])
        old = [(p, f"{p.stem}-{hashlib.sha256(p.read_bytes()).hexdigest()[:8]}{p.suffix}")
               for p in existing if p not in same]
        self.new[pid] = (form, rows, budget, data, stored, old)
        if existing or pid in self.stored_ids:
            moved = "、".join(f"{FORMS_FOLDER}/{REPLACED_FOLDER}/{name}" for _, name in old)
            why = "替换原有的自评表" + (f"（旧文件移至 {moved}）" if moved else "")
            self.outcomes.append(Outcome(str(source), UPDATED, pid, form.project_name, stored,
                                         "；".join(x for x in (why, note) if x)))
        else:
            self.outcomes.append(Outcome(str(source), IMPORTED, pid, form.project_name, stored, note))
        return None

    def _unchanged(self, source: Path, pid: str, digest: str, name, stored: str) -> None:
        """A file whose content is already stored (or given earlier in this run) changes nothing."""
        if pid in self.claimed and self.claimed[pid][1] != digest:
            return self.refuse(source, f"项目 {pid} 已由本次导入的 {self.claimed[pid][0]} 提供，同一项目只能有一份自评表 "
                                       "(duplicate project id)；请核对后只保留一份", pid=pid)
        first = self.claimed.setdefault(pid, (str(source), digest))[0]
        why = "" if first == str(source) else f"与本次导入的 {first} 内容相同，未重复导入"
        self.outcomes.append(Outcome(str(source), UNCHANGED, pid, name, stored, why))
        return None

    # -- writing ------------------------------------------------------------------------------
    def write(self) -> list[str]:
        """Store the new forms and rewrite the three tables (only files whose text changes); the notes."""
        from ..io.selfeval_model import BUDGET_COLUMNS, FRAME_ROW_COLUMNS

        for pid in sorted(self.new):
            _, _, _, data, stored, old = self.new[pid]
            for path, name in old:   # the older copy is kept, never deleted
                (self.forms_dir / REPLACED_FOLDER).mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), str(self.forms_dir / REPLACED_FOLDER / name))
            atomic_write(self.data / stored, data, make_parents=True)
        if self.new:
            ids = sorted(self.new)
            self._table("self_rows", self.rows, [_as_text(pd.concat([self.new[i][1] for i in ids]))], FRAME_ROW_COLUMNS)
            self._table("self_budget", self.budget, [_as_text(pd.concat([self.new[i][2] for i in ids]))], BUDGET_COLUMNS)
        return self._projects()

    def _table(self, key: str, old: pd.DataFrame | None, new: list[pd.DataFrame], cols) -> None:
        keep = old[~old["project_id"].isin(set(self.new))] if old is not None and "project_id" in old else None
        frame = pd.concat(([keep] if keep is not None else []) + new, ignore_index=True).fillna("")
        head = list(old.columns) if old is not None else list(cols)
        frame = frame.reindex(columns=head + [c for c in cols if c not in head], fill_value="")
        frame = frame.sort_values("project_id", kind="mergesort")
        self._write_if_changed(self.data / registry.input_spec(key).path, _csv_text(frame))

    def _write_if_changed(self, path: Path, text: str) -> None:
        if path.is_file() and path.read_bytes() == text.encode("utf-8"):
            return
        atomic_write_text(path, text, make_parents=True)

    def _projects(self) -> list[str]:
        path = self.data / registry.input_spec("projects").path
        old = _read_text_table(path)
        head = list(old.columns) if old is not None else list(columns(registry.input_spec("projects")))
        head += [c for c in ("project_id", *FORM_FIELDS, "sector", "key_evaluation") if c not in head]
        table = (old if old is not None else pd.DataFrame(columns=head)).reindex(columns=head, fill_value="")
        notes = []
        example = {k: v for k, v in example_row().items() if k != "year"}
        is_example = pd.Series(True, index=table.index)
        for col, value in example.items():
            is_example &= table[col] == value if col in table else (value == "")
        if is_example.any() and self.new:
            table = table[~is_example]
            notes.append("已删除 perfeval init 写入的示例行（示例-001）")
        elif is_example.any():
            notes.append("projects.csv 中仍有示例行 示例-001，请删除")
        rows = table.set_index("project_id", drop=False)
        for pid in sorted(self.new):
            form, _, budget, *_ = self.new[pid]
            b = budget.iloc[0]
            values = {"project_id": pid, "project_name": form.project_name or "", "department": form.department or "",
                      "unit": form.unit or "", **{c: _money(b[c]) for c in ("budget_initial", "budget_full_year", "spent")}}
            if pid in rows.index:
                for col, value in values.items():
                    rows.at[pid, col] = value
            else:
                line = {c: "" for c in head} | values | ({"year": str(form.year)} if "year" in head and form.year else {})
                rows = pd.concat([rows, pd.DataFrame([line], columns=head, index=[pid])])
        rows = rows.reset_index(drop=True)[head]
        blank_sector = int((rows["sector"].str.strip() == "").sum())
        blank_key = int((rows["key_evaluation"].str.strip() == "").sum())
        if blank_sector:
            notes.append(f"{blank_sector} 个项目的行业（sector）为空：自评表中没有这一项，请在 projects.csv 中补全；"
                         "空着时按行业汇总、对比的表格中无法归类")
        if blank_key:
            notes.append(f"{blank_key} 个项目的是否重点评价（key_evaluation）为空，按“未列入重点评价”读取；"
                         "列入财政重点评价的项目请填 true")
        if self.new or (old is not None and len(rows) != len(old)):
            self._write_if_changed(path, _csv_text(rows))
        return notes


def import_forms(paths, data_dir, *, progress: bool = False) -> ImportResult:
    """Import the forms of ``paths`` (files and folders) into the data folder ``data_dir`` (see the module docstring)."""
    from .. import settings

    data = data_folder(data_dir)
    sources = form_sources(paths)
    if not sources:
        raise InputError("没有找到要导入的文件 (no files)", where=Location(file="、".join(map(str, paths))),
                         expected="自评表文件或含自评表的文件夹")
    run = _Run(data, settings.load(data).year)
    if progress:
        from tqdm import tqdm
        import sys

        sources = tqdm(sources, desc="导入自评表", unit="个", disable=None, file=sys.stderr)
    for source in sources:
        run.one(Path(source))
    notes = run.write()
    return ImportResult(data, tuple(run.outcomes), tuple(notes))


__all__ = ["IMPORTED", "ImportResult", "OUTCOMES", "Outcome", "REFUSED", "UNCHANGED", "UPDATED", "derived_id",
           "form_sources", "import_forms"]
