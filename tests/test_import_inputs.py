"""`perfeval import panel-scores | exante-scores | declarations`: the sample city's score tables, written as the
wide sheets panels fill (one column per expert), import back to the sample's own rows; refusals name the cell;
declarations land under their project id, a second import changes nothing, a web-page form is converted."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfeval.city import inputs_import as I
from perfeval.cli.import_data import add_subcommands

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _run(argv) -> int:
    parser = argparse.ArgumentParser(prog="perfeval import")
    add_subcommands(parser.add_subparsers(dest="kind", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture
def folder(tmp_path) -> Path:
    data = tmp_path / "city"
    (data / "exante").mkdir(parents=True)
    shutil.copy(SAMPLE / "projects.csv", data / "projects.csv")
    shutil.copy(SAMPLE / "exante" / "candidates.csv", data / "exante" / "candidates.csv")
    return data


def test_wide_panel_sheet_gives_the_sample_rows(folder, tmp_path):
    sample = _read(SAMPLE / "key_evaluation" / "panel_scores.csv")
    wide = sample.pivot(index=["project_id", "indicator"], columns="expert", values="score").reset_index()
    wide = wide.rename(columns={"project_id": "项目编码", "indicator": "指标编码"})
    wide.insert(2, "分值", 4)                    # an ignored column
    half = len(wide) // 2
    wide.iloc[:half].to_excel(tmp_path / "a.xlsx", index=False)
    wide.iloc[half:].to_csv(tmp_path / "b.csv", index=False, encoding="gbk")
    assert _run(["panel-scores", str(tmp_path / "a.xlsx"), str(tmp_path / "b.csv"), "--data", str(folder)]) == 0
    got = _read(folder / "key_evaluation" / "panel_scores.csv")
    want = sample.sort_values(["project_id", "indicator", "expert"], kind="stable").reset_index(drop=True)
    assert got["score"].astype(float).tolist() == want["score"].astype(float).tolist()
    assert got[["project_id", "indicator", "expert"]].equals(want[["project_id", "indicator", "expert"]])


def test_panel_refusals_name_the_cell_and_blanks_are_not_zero(folder, tmp_path, capsys):
    pd.DataFrame({"项目编码": ["SZ2021-001", "SZ2021-001", "XX-1"], "指标编码": ["A101", "A102", "A101"],
                  "专家1": [3, "三", 2], "专家2": [3.5, None, 1]}).to_excel(tmp_path / "p.xlsx", index=False)
    assert _run(["panel-scores", str(tmp_path / "p.xlsx"), "--data", str(folder)]) == 1
    got = _read(folder / "key_evaluation" / "panel_scores.csv")
    assert got.values.tolist() == [["SZ2021-001", "A101", "专家1", "3"], ["SZ2021-001", "A101", "专家2", "3.5"]]
    err = capsys.readouterr()
    assert "第 3 行，列 C" in err.err and "'三'" in err.err and "XX-1" in err.err
    assert "1 个空白评分格视为未评分" in err.out


def test_long_panel_sheet_with_duplicate(folder, tmp_path):
    pd.DataFrame({"项目编码": ["SZ2021-001"] * 3, "指标": ["A101"] * 3, "专家姓名": ["甲", "乙", "甲"],
                  "得分": [3, 4, 2]}).to_excel(tmp_path / "long.xlsx", index=False)
    result = I.import_panel_scores([tmp_path / "long.xlsx"], folder)
    assert [why.split("：")[0] for _, why in result.refused] == ["同一项目、指标、专家的评分重复"]
    got = _read(folder / "key_evaluation" / "panel_scores.csv")
    assert dict(zip(got["expert"], got["score"])) == {"甲": "3", "乙": "4"}   # the first of the two is kept


def test_exante_ratings_wide_give_the_sample_rows(folder, tmp_path):
    sample = _read(SAMPLE / "exante" / "scores.csv")
    wide = sample.pivot(index=["project_id", "indicator"], columns="expert", values="rating").reset_index()
    wide.rename(columns={"project_id": "项目编码", "indicator": "指标编码"}).to_excel(tmp_path / "e.xlsx", index=False)
    assert _run(["exante-scores", str(tmp_path / "e.xlsx"), "--data", str(folder)]) == 0
    got = _read(folder / "exante" / "scores.csv")
    want = sample.sort_values(["project_id", "indicator", "expert"], kind="stable").reset_index(drop=True)
    assert list(got.columns) == ["project_id", "expert", "indicator", "rating"]
    assert got.equals(want[list(got.columns)])
    first = (folder / "exante" / "scores.csv").read_bytes()
    _run(["exante-scores", str(tmp_path / "e.xlsx"), "--data", str(folder)])
    assert (folder / "exante" / "scores.csv").read_bytes() == first


def test_exante_unknown_rating_refused(folder, tmp_path):
    pd.DataFrame({"项目编码": ["SZ2022-N01"], "指标编码": ["A101"], "专家": ["专家1"],
                  "等级": ["很好"]}).to_excel(tmp_path / "x.xlsx", index=False)
    result = I.import_exante_scores([tmp_path / "x.xlsx"], folder)
    assert len(result.refused) == 1 and "优/良/中/差" in result.refused[0][1] and "列 D" in result.refused[0][0]


def _html_of(xlsx: Path, out: Path) -> Path:
    """The declaration workbook as a web page: one <td> per merged range (rowspan/colspan)."""
    from perfeval.io._grid import load_grids

    g = load_grids(xlsx)[0][0]
    rows = []
    for r in range(g.shape[0]):
        cells = []
        for c in range(g.shape[1]):
            if g.top[r, c] != r or g.left[r, c] != c:
                continue
            h = int(((g.top == r) & (g.left == c)).any(axis=1).sum())
            w = int(((g.top == r) & (g.left == c)).any(axis=0).sum())
            cells.append(f'<td rowspan="{h}" colspan="{w}">{g.text[r, c]}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    out.write_text("<html><body><table>" + "".join(rows) + "</table></body></html>", encoding="utf-8")
    return out


def test_declarations_go_under_their_project_id(folder, tmp_path, capsys):
    src = sorted((SAMPLE / "next_year" / "declarations").glob("*.xlsx"))[:2]
    sent = [tmp_path / f"申报表{i}.xlsx" for i in range(2)]
    for s, d in zip(src, sent):
        shutil.copy(s, d)
    assert _run(["declarations", *map(str, sent), "--data", str(folder)]) == 0
    placed = folder / "next_year" / "declarations"
    assert sorted(p.name for p in placed.iterdir()) == [s.name for s in src]
    assert (placed / src[0].name).read_bytes() == src[0].read_bytes()
    capsys.readouterr()
    assert _run(["declarations", str(sent[0]), "--data", str(folder)]) == 0
    assert "已有相同内容，未改动" in capsys.readouterr().out


def test_declaration_from_a_web_page_is_converted(folder, tmp_path):
    from perfeval.io.declaration import read_declarations

    src = sorted((SAMPLE / "next_year" / "declarations").glob("*.xlsx"))[0]
    page = _html_of(src, tmp_path / "申报表.html")
    result = I.import_declarations([page, tmp_path / "missing.xlsx"], folder)
    assert result.written == (str(folder / "next_year" / "declarations" / src.name),)
    assert [w for w, _ in result.refused] == ["missing.xlsx"]
    back, orig = read_declarations(result.written[0])[0], read_declarations(src)[0]
    assert (back.project_id, back.funds, len(back.rows)) == (orig.project_id, orig.funds, len(orig.rows))
