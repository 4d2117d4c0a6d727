"""Ordinary mistakes end in a clear Chinese message naming file, row and column, never a traceback.

No kernels: each mistake is caught before any notebook runs (the per-project mistakes, a blank
name and a form of another project, are in test_report_safety.py). A read-only output folder is a
real read-only mount when the tests run as root (as in CI), a read-only permission otherwise.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from perfeval import datasets
from perfeval._files import atomic_write
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.report.batch import BatchResult
from perfeval.cli.batch import build_tasks, read_projects
from perfeval.report.index import index_row
from perfeval.report.task import TaskOutcome

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"
TEMPLATE = ["--project-template", str(NB / "project.ipynb"), "--no-portfolio"]


def _city(tmp_path: Path) -> Path:
    data = tmp_path / "city"
    shutil.copytree(CITY, data)
    return data


def _batch_cli(data, out, capsys, *extra) -> tuple[int, str]:
    code = main(["batch", "--data", str(data), "--out", str(out), *TEMPLATE, *extra])
    captured = capsys.readouterr()
    err = captured.err + captured.out
    assert "Traceback" not in err
    return code, err


def test_projects_csv_saved_as_gbk_is_read_like_a_form(tmp_path):
    data = _city(tmp_path)
    text = (data / "projects.csv").read_text(encoding="utf-8")
    (data / "projects.csv").write_bytes(text.encode("gbk"))
    names = {r["project_id"]: r["project_name"] for r in read_projects(data)}
    assert names["P001"] == "城区道路改造工程" and names["P003"] == "农田水利设施维护【出错】"
    assert datasets.projects(data).set_index("project_id").loc["P005", "department"] == "生态环境局"
    assert [t.name for t in build_tasks(data, kind="self", projects=["P001"], portfolio=False,
                                        project_template=NB / "project.ipynb")] == ["城区道路改造工程"]


def test_a_ten_megabyte_cell_names_file_row_and_column(tmp_path, capsys):
    data = _city(tmp_path)
    lines = (data / "projects.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("教育局", "教育局" + "长" * 10_000_000)
    (data / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_projects(data)
    message = str(info.value)
    assert "projects.csv" in message and "第 3 行" in message and "列 department" in message
    assert "10000003 个字符" in message and "131072" in message
    code, err = _batch_cli(data, tmp_path / "out", capsys)
    assert code == 1 and "单元格过长" in err and not (tmp_path / "out").exists()


def test_data_and_out_must_be_folders(tmp_path, capsys):
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    code, err = _batch_cli(a_file, tmp_path / "out", capsys)
    assert code == 1 and "--data 应为数据文件夹" in err and "a-file.txt" in err
    code, err = _batch_cli(tmp_path / "nowhere", tmp_path / "out", capsys)
    assert code == 1 and "找不到数据文件夹" in err
    code, err = _batch_cli(CITY, a_file, capsys)
    assert code == 1 and "是一个文件，不是文件夹" in err and str(a_file) in err
    assert a_file.read_text(encoding="utf-8") == "x"
    code = main(["report", "P001", "--data", str(CITY), "--out", str(a_file),
                 "--project-template", str(NB / "project.ipynb")])
    assert code == 1 and "是一个文件" in capsys.readouterr().err


@pytest.fixture
def read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:  # root ignores permissions: a read-only mount is the real thing
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                                 capture_output=True).returncode == 0
        if not mounted:
            pytest.skip("running as root without mount: cannot make a read-only folder")
        yield folder
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def test_a_read_only_output_folder_shows_the_real_error(read_only_folder, capsys):
    with pytest.raises(OSError) as info:
        atomic_write(read_only_folder / "report.html", b"x")
    assert info.value.errno in (errno.EROFS, errno.EACCES)
    code, err = _batch_cli(CITY, read_only_folder, capsys)
    assert code == 1 and "无法写入输出文件夹" in err and str(read_only_folder) in err
    assert "Read-only file system" in err or "Permission denied" in err


def test_a_failed_cleanup_never_hides_the_write_error(tmp_path, monkeypatch):
    def replace(src, dst):
        raise OSError(errno.ENOSPC, "the real error: disk full")

    def unlink(path, *args, **kwargs):
        raise OSError(errno.EROFS, "cleanup failed too")

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)
    with pytest.raises(OSError, match="the real error: disk full"):
        atomic_write(tmp_path / "report.html", b"x")


def test_a_withheld_grade_reads_weiding_ji_everywhere():
    from perfeval import outline

    withheld = TaskOutcome(task_id="self:P1", kind="self", project_id="P1", status="ok", stem="self-P1",
                           result={"total": None, "grade": None, "project_name": "甲"})
    row = index_row({**withheld.to_manifest(), "run_status": "ok"})
    assert row["grade"] == "未定级" and row["total"] == "—"
    result = BatchResult(outcomes=(withheld,), out_dir="/tmp", manifest={"summary": {}})
    assert result.to_frame()["等级"].tolist() == ["未定级"]

    import perfeval as pe

    rows = pd.DataFrame({"project_id": "P1", "level1": "产出指标", "level2": "数量指标", "level3": ["甲指标"],
                         "target": ["≥1个"], "actual": ["1个"], "points": [90.0], "score": [90.0]})
    card = pe.score(rows, None)  # no budget: no execution score, the grade is withheld
    said = outline.conclusion(card, "P1")
    assert said["grade"] is None and said["total"] is None
    assert "未定级" in said["text"] and "nan" not in said["text"] and "None" not in said["text"]


def test_a_city_wide_report_has_no_grade_in_the_index():
    """The portfolio, the target-review summary and the priority ranking grade nothing: "—", not "未定级"."""
    for kind in ("portfolio", "targets-summary", "priority"):
        city = TaskOutcome(task_id=kind, kind=kind, project_id=None, status="ok", stem=kind,
                           result={"project_name": "示例市"})
        assert index_row({**city.to_manifest(), "run_status": "ok"})["grade"] == "—"
