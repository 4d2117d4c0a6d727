"""Imports of the other inputs a bureau keeps in Excel: expert scores and next year's declarations.

- :func:`import_panel_scores` — 重点评价专家评分表 → ``key_evaluation/panel_scores.csv`` (project_id, indicator,
  expert, score); :func:`import_exante_scores` — 事前评估专家评分表 → ``exante/scores.csv`` (project_id, expert,
  indicator, rating 优/良/中/差 and/or score). Both read a long sheet (one row per project, indicator and
  expert) or a wide one (项目编码, 指标编码, then one column per expert, as panels usually fill them); a blank
  cell of a wide sheet is "not scored" (counted, never a 0). The file is rebuilt from the sheets given, rows
  sorted, so the same sheets give the same bytes. A row whose score cannot be read, whose project is not in
  the folder's list (projects.csv / exante/candidates.csv, when there is one) or that repeats a project,
  indicator and expert is refused with file, sheet, row and column; the others are written.
- :func:`import_declarations` — 绩效目标申报表 (any container the form reader knows) → ``next_year/declarations/
  <项目编码>.xlsx``: the project id is read from the form; an .xlsx (or .csv) is copied as it is, another
  container is written as .xlsx cell by cell with its merged ranges and read back to check that it gives the
  same declaration. A form already there with the same content is left alone (so a second import changes
  nothing); a different one is replaced and the import says so.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location, PerfevalError
from ..io.tables import cell_numbers, find_header, norm_label, read_tables

RATINGS = ("优", "良", "中", "差")  # perfeval.exante's default grades
_HEAD = {
    "project_id": ("项目编码", "项目代码", "项目编号", "project_id"),
    "indicator": ("指标编码", "指标代码", "指标编号", "评价指标编码", "指标", "indicator", "code"),
    "expert": ("专家", "专家姓名", "评审专家", "专家编号", "expert"),
    "score": ("得分", "分数", "评分", "专家评分", "score"),
    "rating": ("等级", "评级", "评价等级", "评分等级", "档次", "rating"),
}
_IGNORED = {"项目名称", "指标名称", "一级指标", "二级指标", "三级指标", "分值", "满分", "序号", "备注", "平均分", "平均",
            "合计", "得分合计", "权重", "指标解释", "评分标准"}


@dataclass(frozen=True)
class Imported:
    """What an import wrote (paths), what it refused ((where, why) pairs) and its notes."""

    written: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()


def _classify(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for col, cell in enumerate(cells):
        for name, words in _HEAD.items():
            if cell in words and name not in found:
                found[name] = col
    if "project_id" not in found or "indicator" not in found:
        return None
    if "expert" in found and ("score" in found or "rating" in found):
        return found
    experts = [c for c, cell in enumerate(cells) if cell and cell not in _IGNORED and c not in found.values()]
    return {**found, **{f"expert:{c}": c for c in experts}} if experts else None


def _long_rows(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every score of a sheet file as long rows: project_id, indicator, expert, value (text), raw, where."""
    parts, notes = [], []
    for t in read_tables(path):
        found = find_header(t, _classify)
        if found is None:
            notes.append(f"{t.file}{'，工作表 ' + t.sheet if t.sheet else ''}：没有找到评分表的列名行，已跳过")
            continue
        head, cols = found
        body = t.text.loc[head + 1:].fillna("").astype(str)
        keep = (body[cols["project_id"]] != "") & (body[cols["indicator"]] != "")
        body, raw = body[keep], t.raw.loc[head + 1:][keep]
        experts = {k: c for k, c in cols.items() if k.startswith("expert:")}
        if experts:  # wide: one column per expert
            header = t.text.loc[head]
            for key, c in experts.items():  # one step per expert column
                part = pd.DataFrame({"project_id": body[cols["project_id"]], "indicator": body[cols["indicator"]],
                                     "expert": str(header[c]).strip(), "value": body[c], "raw": raw[c],
                                     "row": body.index + 1, "column": t.where(col=c).column})
                parts.append(part.assign(file=t.file, sheet=t.sheet or ""))
            blank = int((body[list(experts.values())] == "").to_numpy().sum())
            if blank:
                notes.append(f"{t.file}：{blank} 个空白评分格视为未评分（不计为 0 分）")
        else:
            vc = cols.get("score", cols.get("rating"))
            parts.append(pd.DataFrame({"project_id": body[cols["project_id"]], "indicator": body[cols["indicator"]],
                                       "expert": body[cols["expert"]], "value": body[vc], "raw": raw[vc],
                                       "row": body.index + 1, "column": t.where(col=vc).column,
                                       "file": t.file, "sheet": t.sheet or "", "long": True}))
    if not parts:
        raise InputError("文件中没有找到评分表 (no score sheet found)", where=Location(file=path.name),
                         expected="列名含“项目编码”“指标编码”，以及“专家”“得分/等级”列或每位专家一列")
    rows = pd.concat(parts, ignore_index=True)
    if "long" not in rows:
        rows["long"] = False
    long = rows["long"].fillna(False).astype(bool)
    return rows[long | (rows["value"] != "")].reset_index(drop=True), notes


def _refusals(rows: pd.DataFrame, bad: pd.Series, why: str, shown: str = "value") -> list[tuple[str, str]]:
    where = rows[bad].apply(lambda r: Location(file=r["file"], sheet=r["sheet"] or None, row=int(r["row"]),
                                               column=r["column"]).describe(), axis=1)  # refused rows only
    return [(w, f"{why}：{v!r}") for w, v in zip(where, rows.loc[bad, shown])]


def _ids_of(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    from ..io._grid import read_csv_text
    import io

    text, _ = read_csv_text(path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return set(norm_label(frame["project_id"].to_numpy())) if "project_id" in frame else None


def _scores(files, data_dir: Path, *, target: str, known: str, ratings: bool) -> Imported:
    found = [_long_rows(Path(f)) for f in files]
    rows = pd.concat([r for r, _ in found], ignore_index=True)
    notes = [n for _, ns in found for n in ns]
    for c in ("project_id", "indicator", "expert"):
        rows[c] = rows[c].astype(str).str.strip()
    score = cell_numbers(rows["raw"], rows["value"].astype(str))
    rating = norm_label(rows["value"].to_numpy()).where(score.isna().to_numpy(), "")
    refused: list[tuple[str, str]] = []
    bad = score.isna() & ~(rating.isin(RATINGS) if ratings else pd.Series(False, index=rows.index)).to_numpy()
    refused += _refusals(rows, pd.Series(bad.to_numpy(), index=rows.index),
                         "评分无法识别（应为分数" + ("或 优/良/中/差）" if ratings else "）"))
    ok = ~pd.Series(bad.to_numpy(), index=rows.index)
    ids = _ids_of(data_dir / known)
    if ids is not None:
        unknown = ok & ~norm_label(rows["project_id"].to_numpy()).isin(ids).to_numpy()
        refused += _refusals(rows, unknown, f"项目编码不在 {known} 中", "project_id")
        ok &= ~unknown
    again = rows[ok].duplicated(["project_id", "indicator", "expert"], keep="first")
    dup = pd.Series(False, index=rows.index)
    dup[again.index[again.to_numpy()]] = True
    refused += _refusals(rows, dup, "同一项目、指标、专家的评分重复")
    ok &= ~dup
    kept = rows[ok].assign(score=score[ok], rating=rating[ok])
    value = kept["score"].to_numpy(dtype=float)
    kept["score"] = np.where(np.isnan(value), "", np.char.mod("%.10g", value))
    columns = ["project_id", "indicator", "expert", "score"]
    if ratings:
        columns = ["project_id", "expert", "indicator"] + (["rating"] if (kept["rating"] != "").any() else []) \
            + (["score"] if (kept["score"] != "").any() else [])
    out = kept.sort_values(["project_id", "indicator", "expert"], kind="stable")[columns]
    path = data_dir / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + out.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    notes.append(f"{len(out)} 条评分（{out['project_id'].nunique()} 个项目、{out['expert'].nunique()} 位专家）")
    return Imported(written=(str(path),), refused=tuple(refused), notes=tuple(notes))


def import_panel_scores(files, data_dir) -> Imported:
    """重点评价专家评分表 → key_evaluation/panel_scores.csv (projects checked against projects.csv)."""
    return _scores(files, Path(data_dir), target="key_evaluation/panel_scores.csv", known="projects.csv",
                   ratings=False)


def import_exante_scores(files, data_dir) -> Imported:
    """事前评估专家评分表 → exante/scores.csv (projects checked against exante/candidates.csv)."""
    return _scores(files, Path(data_dir), target="exante/scores.csv", known="exante/candidates.csv", ratings=True)


def import_declarations(files, data_dir) -> Imported:
    """Each declaration form → next_year/declarations/<project_id>.xlsx (see the module docstring)."""
    from ..io.declaration import declarations_to_frames, read_declarations

    folder = Path(data_dir) / "next_year" / "declarations"
    written, refused, notes, seen = [], [], [], {}
    for src in [Path(f) for f in files]:  # one step per form file
        try:
            forms = read_declarations(src)
            if len(forms) != 1:
                raise InputError("一个文件应只含一张申报表 (one declaration per file)", where=Location(file=src.name),
                                 expected="1 张", found=f"{len(forms)} 张")
            pid = str(forms[0].project_id).strip()
            if pid in seen:
                raise InputError(f"项目编码 {pid} 与 {seen[pid]} 重复 (duplicate project id)", where=Location(file=src.name))
            seen[pid] = src.name
            target = folder / f"{pid}{'.csv' if src.suffix.lower() == '.csv' else '.xlsx'}"
            rows = declarations_to_frames(forms)[1].drop(columns=["source_file", "source_sheet", "source_row"],
                                                         errors="ignore")
            if target.is_file():
                old = declarations_to_frames(read_declarations(target))[1].drop(
                    columns=["source_file", "source_sheet", "source_row"], errors="ignore")
                if old.equals(rows):
                    notes.append(f"{src.name}：{target.name} 已有相同内容，未改动")
                    continue
                notes.append(f"{src.name}：替换原有的 {target.name}")
            folder.mkdir(parents=True, exist_ok=True)
            if src.suffix.lower() in (".xlsx", ".csv"):
                shutil.copyfile(src, target)
            else:
                _write_grid_xlsx(src, target, forms[0].source_sheet)
                check = declarations_to_frames(read_declarations(target))[1].drop(
                    columns=["source_file", "source_sheet", "source_row"], errors="ignore")
                if not check.equals(rows):
                    target.unlink()
                    raise InputError("转存为 .xlsx 后内容不一致 (conversion changed the form)",
                                     where=Location(file=src.name), expected="在 Excel/WPS 中另存为 .xlsx 后重新导入")
                notes.append(f"{src.name}：已转存为 {target.name}")
            written.append(str(target))
        except PerfevalError as exc:
            refused.append((src.name, str(exc)))
    return Imported(written=tuple(written), refused=tuple(refused), notes=tuple(notes))


def _write_grid_xlsx(src: Path, target: Path, sheet: str | None) -> None:
    """The table of ``src`` holding the form, as an .xlsx: cell values and merged ranges (one form: a few
    hundred cells)."""
    from openpyxl import Workbook

    from ..io._grid import load_grids

    grids, _ = load_grids(src)
    grid = next((g for g in grids if g.sheet == sheet), grids[0])
    wb = Workbook()
    ws = wb.active
    ws.title = (sheet or "绩效目标申报表")[:31]
    anchor = grid.is_anchor()
    for (r, c), value in np.ndenumerate(grid.raw):
        if anchor[r, c] and value is not None and value == value:
            ws.cell(row=r + 1, column=c + 1, value=value)
    spans = pd.DataFrame({"top": grid.top.ravel(), "left": grid.left.ravel(),
                          "r": np.indices(grid.shape)[0].ravel(), "c": np.indices(grid.shape)[1].ravel()})
    ext = spans.groupby(["top", "left"]).agg(r=("r", "max"), c=("c", "max")).reset_index()
    for m in ext[(ext["r"] > ext["top"]) | (ext["c"] > ext["left"])].itertuples():
        ws.merge_cells(start_row=m.top + 1, start_column=m.left + 1, end_row=m.r + 1, end_column=m.c + 1)
    wb.save(target)


IMPORTS = {"panel-scores": import_panel_scores, "exante-scores": import_exante_scores,
           "declarations": import_declarations}

__all__ = ["IMPORTS", "Imported", "import_declarations", "import_exante_scores", "import_panel_scores"]
