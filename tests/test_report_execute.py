"""Running one notebook: parameter checks, readable Chinese values, errors, identical bytes.

Real kernels and real notebooks (tests/data/notebooks); one kernel is shared by the module.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from perfeval.errors import InputError
from perfeval.report.execute import execute_notebook, validate_parameters
from perfeval.report.export import notebook_to_html
from perfeval.report.kernels import ReusableKernel

NB = Path(__file__).parent / "data" / "notebooks"
TRICKY = "城区道路<改造>工程 \"双引号\" '单引号' \\反斜杠 {{花括号}} ${x}\n第二行"


@pytest.fixture(scope="module")
def kernel():
    with ReusableKernel() as k:
        yield k


@pytest.mark.parametrize("name", ["x = 5\nprint('INJECTED')\ny", "class", "1abc", "a-b", "项目 编号", ""])
def test_bad_parameter_names_are_rejected_before_anything_runs(tmp_path, name):
    out = tmp_path / "out.ipynb"
    with pytest.raises(InputError, match="参数名"):
        execute_notebook(NB / "result.ipynb", out, {name: 1})
    assert not out.exists()


@pytest.mark.parametrize("value", [(1, 2), {1, 2}, object(), float("nan"), {"a": {3: "x"}}])
def test_parameter_values_must_be_json_shaped(value):
    with pytest.raises(InputError):
        validate_parameters({"value": value})


def test_valid_parameters_pass_and_paths_become_strings(tmp_path):
    clean = validate_parameters({"项目编号": "P001", "data_dir": tmp_path, "weights": {"产出": [0.5, 0.3]},
                                 "flag": None})
    assert clean == {"项目编号": "P001", "data_dir": str(tmp_path), "weights": {"产出": [0.5, 0.3]},
                     "flag": None}


def test_chinese_parameter_values_stay_readable_and_round_trip(tmp_path, kernel):
    out = tmp_path / "result.ipynb"
    res = execute_notebook(NB / "result.ipynb", out, {"project_name": TRICKY, "total": 91.25}, kernel=kernel)
    assert res.ok, res.error
    nb = nbformat.read(out, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "project_name = '城区道路<改造>工程" in injected.source
    assert "\\u" not in injected.source
    assert res.result["project_name"] == TRICKY
    assert res.result["total"] == 91.25
    printed = next(o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    assert printed["text"].strip() == repr(TRICKY)


def test_working_directory_defaults_to_the_template_folder_and_can_be_set(tmp_path, kernel):
    default = execute_notebook(NB / "result.ipynb", None, {}, kernel=kernel)
    chosen = execute_notebook(NB / "result.ipynb", None, {}, kernel=kernel, cwd=tmp_path)
    assert Path(default.result["cwd"]) == NB.resolve()
    assert Path(chosen.result["cwd"]) == tmp_path.resolve()


def test_a_cell_exception_fails_the_run_with_its_error_and_keeps_the_kernel(tmp_path, kernel):
    out = tmp_path / "raises.ipynb"
    res = execute_notebook(NB / "raises.ipynb", out, {"project_id": "P003"}, kernel=kernel)
    assert res.status == "failed"
    assert (res.error.kind, res.error.ename) == ("cell-error", "ValueError")
    assert "故意的错误：P003" in res.error.evalue
    assert res.error.cell_index == 3  # the 4th cell of the template raises
    assert res.error.execution_count == 3
    assert not res.error.retryable
    nb = nbformat.read(out, as_version=4)
    assert nb.cells[0].id == "perfeval-error-banner"
    page = notebook_to_html(nb, title="P003")
    assert "本报告未能完整生成" in page and "故意的错误：P003" in page and "ValueError" in page
    assert "不应执行到这里" not in page
    started = kernel.started
    after = execute_notebook(NB / "result.ipynb", None, {}, kernel=kernel)
    assert after.ok and after.kernel_reused and kernel.started == started


def test_fresh_and_reused_kernels_give_byte_identical_notebooks_and_html(tmp_path, kernel):
    params = {"project_id": "P001", "project_name": "城区道路<改造>工程"}
    # Dirty the shared kernel first: variables, rcParams, an open figure, a warning filter.
    execute_notebook(NB / "chart.ipynb", None, {"project_name": "先跑一个"}, kernel=kernel)
    reused = execute_notebook(NB / "chart.ipynb", tmp_path / "reused.ipynb", params, kernel=kernel)
    fresh = execute_notebook(NB / "chart.ipynb", tmp_path / "fresh.ipynb", params)
    assert reused.ok and fresh.ok, (reused.error, fresh.error)
    assert reused.kernel_reused and not fresh.kernel_reused
    assert (tmp_path / "reused.ipynb").read_bytes() == (tmp_path / "fresh.ipynb").read_bytes()
    html_reused = notebook_to_html(reused.notebook, title="P001")
    assert html_reused == notebook_to_html(fresh.notebook, title="P001")
    assert "data:image/png;base64" in html_reused  # the seaborn chart is in the page
    assert reused.result == {"project_name": "城区道路<改造>工程", "total": 92.1, "grade": "优",
                             "font": reused.result["font"]}
    # No volatile metadata left in the executed notebook.
    text = (tmp_path / "fresh.ipynb").read_text(encoding="utf-8")
    for volatile in ("start_time", "end_time", "\"duration\"", "iopub.", "ipykernel_"):
        assert volatile not in text
    assert json.loads(text)["cells"][0]["id"] == "perfeval-setup"


@pytest.mark.parametrize("minor", [4, 5])
def test_a_bare_template_gets_parameters_after_the_reset_and_stable_cell_ids(tmp_path, kernel, minor):
    # No parameters cell and no cell ids (old notebooks, or 4.5 files written by hand).
    raw = {"nbformat": 4, "nbformat_minor": minor, "metadata": {},
           "cells": [{"cell_type": "code", "metadata": {}, "source": "print(f'{city}：{year}')",
                      "outputs": [], "execution_count": None}]}
    (tmp_path / "bare.ipynb").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    runs = []
    for name in ("a.ipynb", "b.ipynb"):
        res = execute_notebook(tmp_path / "bare.ipynb", tmp_path / name, {"city": "示例市", "year": 2021},
                               kernel=kernel)
        assert res.ok, res.error
        runs.append((tmp_path / name).read_bytes())
    assert runs[0] == runs[1]
    out = nbformat.read(tmp_path / "a.ipynb", as_version=4)
    assert [c.id for c in out.cells] == ["perfeval-setup", "injected-parameters", "cell-0"]
    assert out.cells[2].outputs[0]["text"] == "示例市：2021\n"


def test_one_line_printed_in_pieces_is_saved_as_one_output(tmp_path, kernel):
    """How ``print`` output is cut into messages depends on when the kernel's output thread flushes
    (a CI run once saved "总分 64.7，等级 中" and "\\n" as two outputs, so two runs differed): the
    saved notebook merges consecutive pieces of one stream, stdout and stderr kept apart."""
    source = ("import sys\n"
              "sys.stdout.write('总分 64.7，等级 中'); sys.stdout.flush(); print(flush=True)\n"
              "sys.stderr.write('提示'); sys.stderr.flush(); sys.stderr.write('\\n'); sys.stderr.flush()\n"
              "print('第二行', flush=True)")
    raw = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
           "cells": [{"cell_type": "code", "id": "pieces", "metadata": {}, "source": source,
                      "outputs": [], "execution_count": None}]}
    (tmp_path / "pieces.ipynb").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    res = execute_notebook(tmp_path / "pieces.ipynb", tmp_path / "out.ipynb", {}, kernel=kernel)
    assert res.ok, res.error
    cell = next(c for c in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells if c.id == "pieces")
    assert [(o["name"], o["text"]) for o in cell.outputs] == [
        ("stdout", "总分 64.7，等级 中\n"), ("stderr", "提示\n"), ("stdout", "第二行\n")]


def test_missing_template_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="找不到报告模板"):
        execute_notebook(tmp_path / "nope.ipynb", None, {})
