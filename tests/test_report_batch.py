"""The batch: failures, retries, reproducible bytes, resume, safe names, the index, the CLI.

Real worker processes and kernels on small real notebooks (tests/data/notebooks). One pool of two
workers is shared by the module so kernels stay warm, as in a real batch.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import zlib
from pathlib import Path

import pytest

from perfeval import __version__
from perfeval.errors import InputError, ValidationError
from perfeval.report.batch import WorkerPool, run_batch
from perfeval.report.ledger import reproducible_part
from perfeval.report.task import Task
from perfeval.cli.batch import build_tasks, read_projects, register
from perfeval._files import atomic_write
from perfeval.report.storage import safe_stem, sha256_file

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"
TEMPLATES = {"project_template": NB / "project.ipynb", "portfolio_template": NB / "portfolio.ipynb"}


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(jobs=2) as p:
        yield p


@pytest.fixture(scope="module")
def tasks():
    return build_tasks(CITY, **TEMPLATES)


@pytest.fixture(scope="module")
def first(pool, tasks, tmp_path_factory):
    return run_batch(tasks, tmp_path_factory.mktemp("first"), pool=pool, progress=False)


@pytest.fixture(scope="module")
def second(pool, tasks, tmp_path_factory):
    return run_batch(tasks, tmp_path_factory.mktemp("second"), pool=pool, progress=False)


def _by_id(result):
    return {o.task_id: o for o in result.outcomes}


def _parser():
    parser = argparse.ArgumentParser(prog="perfeval")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_task_list_from_projects_csv(tasks):
    ids = [t.task_id for t in tasks]
    assert ids == ["self:P001", "self:P002", "self:P003", "self:../evil", "self:P005",
                   "key:P001", "key:P003", "portfolio"]
    p001 = tasks[0]
    assert p001.parameters == {"project_id": "P001", "data_dir": str(CITY.resolve()), "kind": "self"}
    names = {Path(p).name for p in p001.inputs}
    assert "P001.txt" in names and "P002.txt" not in names and "projects.csv" in names
    assert {Path(p).name for p in tasks[-1].inputs} >= {"P001.txt", "P002.txt", "projects.csv"}


def test_projects_csv_errors_name_file_row_and_column(tmp_path):
    (tmp_path / "projects.csv").write_text(
        "project_id,project_name,department,sector,key_evaluation\nP1,甲,部门,教育,也许\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_projects(tmp_path)
    text = str(info.value)
    assert "projects.csv" in text and "第 2 行" in text and "key_evaluation" in text and "也许" in text
    with pytest.raises(InputError, match="unknown project ids"):
        build_tasks(CITY, projects=["P999"], **TEMPLATES)


def test_one_failing_notebook_fails_only_its_tasks(first):
    outcomes = _by_id(first)
    failed = {o.task_id for o in first.failed}
    assert failed == {"self:P003", "key:P003"}
    assert first.exit_code == 1
    bad = outcomes["self:P003"]
    assert bad.error["kind"] == "cell-error" and bad.error["ename"] == "RuntimeError"
    assert "数据有误：农田水利设施维护【出错】" in bad.error["evalue"] and bad.attempts == 1
    page = (Path(first.out_dir) / bad.outputs["html"]["path"]).read_text(encoding="utf-8")
    assert "本报告未能完整生成" in page and "RuntimeError" in page
    good = outcomes["self:P001"]
    assert good.ok and good.grade in {"优", "良", "中", "差"} and isinstance(good.total, float)
    assert outcomes["portfolio"].result == {"projects": 5, "year": 2021}
    summary = first.summary()
    assert "失败 2 份" in summary and "self:P003" in summary and "RuntimeError" in summary


def test_batch_result_shows_itself_as_a_chinese_table(first):
    frame = first.to_frame()
    assert list(frame.columns) == ["任务", "项目编号", "项目名称", "类型", "状态", "总分", "等级", "用时（秒）", "错误"]
    assert len(frame) == 8 and (frame["状态"] == "失败").sum() == 2
    assert "&lt;script&gt;" in first._repr_html_()


def test_two_runs_give_identical_bytes_and_manifest_checksums(first, second):
    assert reproducible_part(first.manifest) == reproducible_part(second.manifest)  # names what differs
    assert first.manifest["reproducible_sha256"] == second.manifest["reproducible_sha256"]
    for a, b in zip(first.outcomes, second.outcomes):
        for fmt in ("html", "ipynb"):
            pa, pb = Path(first.out_dir) / a.outputs[fmt]["path"], Path(second.out_dir) / b.outputs[fmt]["path"]
            assert pa.read_bytes() == pb.read_bytes(), pa
    index_a = (Path(first.out_dir) / "index.html").read_bytes()
    assert index_a == (Path(second.out_dir) / "index.html").read_bytes()


def test_manifest_lists_every_project_with_checksums(first):
    text = (Path(first.out_dir) / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert text == json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert manifest["summary"] == {"total": 8, "ok": 6, "failed": 2, "missing": 0, "changed": 0}
    assert set(manifest["run"]) >= {"started_at", "wall_s", "jobs"}
    for entry in manifest["projects"]:
        assert set(entry) >= {"project_id", "kind", "status", "total", "grade", "duration_s",
                              "fingerprint", "package_version", "outputs", "error"}
        assert entry["package_version"] == __version__ and len(entry["fingerprint"]) == 64
        for output in entry["outputs"].values():
            assert sha256_file(Path(first.out_dir) / output["path"]) == output["sha256"]
    # No half-written files left behind.
    assert not list(Path(first.out_dir).rglob("*.part"))


def test_report_made_alone_is_byte_identical_to_the_batch_one(first, tmp_path):
    code = _parser().parse_args(["report", "P001", "--data", str(CITY), "--out", str(tmp_path),
                                 "--project-template", str(TEMPLATES["project_template"])])
    assert code.func(code) == 0
    alone = tmp_path / "reports" / "self-P001.html"
    in_batch = Path(first.out_dir) / _by_id(first)["self:P001"].outputs["html"]["path"]
    assert alone.read_bytes() == in_batch.read_bytes()


def test_path_traversal_ids_stay_inside_the_output_folder(first):
    evil = _by_id(first)["self:../evil"]
    assert evil.ok
    out = Path(first.out_dir).resolve()
    for outcome in first.outcomes:
        for output in outcome.outputs.values():
            path = (out / output["path"]).resolve()
            assert path.is_relative_to(out) and path.is_file()
    assert ".." not in evil.stem and "/" not in evil.stem


@pytest.mark.parametrize("raw", ["../evil", "a/b", "a\\b", "x\x00y", "..", "", " . ", "CON", "P1\nP2",
                                 "../../etc/passwd", "项目/一期"])
def test_safe_stem_neutralises_dangerous_names(raw):
    stem = safe_stem(raw)
    assert stem and not stem.startswith(".") and ".." not in stem
    assert not set(stem) & {"/", "\\", "\x00", "\n"}
    assert stem != raw


def test_safe_stem_keeps_readable_names_and_separates_different_ids():
    assert safe_stem("示例项目-P001") == "示例项目-P001"
    assert safe_stem("a/b") != safe_stem("a\\b") != safe_stem("a_b")


def test_index_escapes_user_strings_and_links_every_report(first):
    index = (Path(first.out_dir) / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;学校&amp;食堂改造" in index  # markupsafe: " → &#34;
    assert "预算绩效评价报告索引" in index and "失败" in index
    for outcome in first.outcomes:
        assert f'href="{outcome.outputs["html"]["path"]}"' in index or "%" in index
    assert index.count('<a href="reports/') == 8
    report = (Path(first.out_dir) / _by_id(first)["self:P002"].outputs["html"]["path"]).read_text(encoding="utf-8")
    assert "<script>alert" not in report and "&lt;script&gt;" in report


def test_resume_redoes_only_failed_and_changed_tasks(pool, tmp_path):
    data = tmp_path / "city"
    shutil.copytree(CITY, data)
    out = tmp_path / "out"
    tasks = build_tasks(data, **TEMPLATES)
    before = run_batch(tasks, out, pool=pool, progress=False)
    (data / "forms" / "P001.txt").write_text("道路改造延期一个月\n", encoding="utf-8")
    (out / "reports" / "self-P005.html").unlink()
    after = run_batch(build_tasks(data, **TEMPLATES), out, pool=pool, resume=True, progress=False)
    assert set(after.reused) == {"self:P002", "self:../evil"}
    rerun = {o.task_id for o in after.outcomes} - set(after.reused)
    assert rerun == {"self:P001", "key:P001", "self:P003", "key:P003", "self:P005", "portfolio"}
    old, new = _by_id(before), _by_id(after)
    assert new["self:P002"].to_manifest() == old["self:P002"].to_manifest()
    assert new["self:P001"].fingerprint != old["self:P001"].fingerprint
    assert (out / "reports" / "self-P005.html").is_file()
    assert after.manifest["run"]["resumed"] == ["self:P002", "self:../evil"]


def test_dead_and_hung_kernels_are_retried_once_then_fail_and_the_batch_goes_on(pool, tmp_path):
    tasks = [Task("dies", "test", str(NB / "dies.ipynb"), {"project_id": "D1"}, project_id="D1"),
             Task("hangs", "test", str(NB / "sleeps.ipynb"), {"project_id": "H1", "seconds": 60},
                  project_id="H1"),
             Task("after-1", "test", str(NB / "result.ipynb"), {"project_name": "之后一"}, project_id="A1"),
             Task("after-2", "test", str(NB / "result.ipynb"), {"project_name": "之后二"}, project_id="A2")]
    result = run_batch(tasks, tmp_path, pool=pool, timeout=8, progress=False)
    outcomes = _by_id(result)
    assert outcomes["dies"].error["kind"] == "kernel-died" and outcomes["dies"].attempts == 2
    assert outcomes["hangs"].error["kind"] == "timeout" and outcomes["hangs"].attempts == 2
    assert any("重试" in note for note in outcomes["dies"].notes)
    assert outcomes["after-1"].ok and outcomes["after-2"].ok
    assert outcomes["after-2"].result["project_name"] == "之后二"
    assert result.exit_code == 1
    page = (tmp_path / outcomes["dies"].outputs["html"]["path"]).read_text(encoding="utf-8")
    assert "内核异常退出" in page
    page = (tmp_path / outcomes["hangs"].outputs["html"]["path"]).read_text(encoding="utf-8")
    assert "执行超时" in page


def test_bad_task_lists_are_rejected(tmp_path):
    same = Task("a", "self", str(NB / "result.ipynb"), {}, project_id="P1")
    with pytest.raises(ValidationError, match="任务编号重复"):
        run_batch([same, same], tmp_path)
    with pytest.raises(InputError, match="输出格式"):
        run_batch([same], tmp_path, formats=("docx",))
    with pytest.raises(InputError, match="未知的执行方式"):  # dask without an address: a LocalCluster
        run_batch([same], tmp_path, executor="ray")
    with pytest.raises(InputError, match="--executor dask"):
        run_batch([same], tmp_path, scheduler="tcp://127.0.0.1:8786")


def test_pdf_without_an_engine_says_so_and_still_writes_html(pool, tmp_path, monkeypatch):
    monkeypatch.setenv("PERFEVAL_PDF_ENGINE", "none")
    said = []
    task = Task("only", "self", str(NB / "result.ipynb"), {"project_name": "甲"}, project_id="P1")
    result = run_batch([task], tmp_path, pool=pool, formats="html,pdf", echo=said.append, progress=False)
    assert result.ok
    assert any("无法生成 PDF" in s and "HTML 报告已照常生成" in s for s in said)
    assert set(result.outcomes[0].outputs) == {"html", "ipynb"}
    assert result.manifest["formats"] == ["html"]


def test_pdf_with_weasyprint_embeds_a_chinese_font(first, tmp_path):
    pytest.importorskip("weasyprint")
    from perfeval.report.export import export_pdf

    html = Path(first.out_dir) / _by_id(first)["self:P001"].outputs["html"]["path"]
    a = export_pdf(html, tmp_path / "a.pdf", engine="weasyprint")
    b = export_pdf(html, tmp_path / "b.pdf", engine="weasyprint")
    data = (tmp_path / "a.pdf").read_bytes()
    assert data.startswith(b"%PDF") and a == b
    # Font names sit in compressed object streams: inflate every stream and look for a CJK font.
    streams = [zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
               if m.group(1)[:1] == b"x"]
    assert any(name in blob for blob in streams + [data]
               for name in (b"Noto-Sans-SC", b"Noto-Sans-CJK", b"WenQuanYi", b"Source-Han"))


def test_atomic_write_never_leaves_a_file_that_looks_complete(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    atomic_write(target, b"old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new, half written")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_cli_batch_exit_status_summary_and_pdf(tmp_path, capsys):
    from perfeval.report.export import pdf_engine

    args = _parser().parse_args(["batch", "--data", str(CITY), "--out", str(tmp_path), "--kind", "self",
                                 "--projects", "P001,P003", "--jobs", "1", "--no-portfolio",
                                 "--format", "html,pdf",
                                 "--project-template", str(TEMPLATES["project_template"])])
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert "成功 1 份，失败 1 份" in err and "self:P003" in err and "index.html" in err
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [p["task_id"] for p in manifest["projects"]] == ["self:P001", "self:P003"]
    if pdf_engine() is None:
        assert "无法生成 PDF" in err
    else:  # the failed report is printed too, with its error
        for entry in manifest["projects"]:
            assert (tmp_path / entry["outputs"]["pdf"]["path"]).read_bytes().startswith(b"%PDF")


def test_templates_are_found_through_perfeval_notebooks(monkeypatch, tmp_path):
    from perfeval.cli.batch import resolve_template

    shutil.copy(NB / "project.ipynb", tmp_path / "project_report.ipynb")
    shutil.copy(NB / "portfolio.ipynb", tmp_path / "portfolio.ipynb")
    monkeypatch.setenv("PERFEVAL_NOTEBOOKS", str(tmp_path))
    tasks = build_tasks(CITY, kind="key", projects=["P001"], year=2021)
    assert [t.task_id for t in tasks] == ["key:P001", "portfolio"]
    assert tasks[0].template == str((tmp_path / "project_report.ipynb").resolve())
    assert tasks[1].parameters == {"data_dir": str(CITY.resolve()), "year": 2021}
    monkeypatch.setenv("PERFEVAL_NOTEBOOKS", str(tmp_path / "elsewhere"))
    with pytest.raises(InputError, match="PERFEVAL_NOTEBOOKS"):
        resolve_template(None, "project_report.ipynb")


def test_cli_arguments_are_checked():
    parser = _parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["batch", "--data", "d", "--out", "o", "--jobs", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "P1", "--data", "d", "--out", "o", "--kind", "all"])
    args = parser.parse_args(["batch", "--data", "d", "--out", "o", "--timeout", "0"])
    assert args.timeout is None and args.executor == "local" and args.kind == "all"
