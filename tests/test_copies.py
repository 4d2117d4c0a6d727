"""No report a copy of another (issue 20): the lint flags a sentence of 20+ characters shared by more than a
set share of the reports of one kind, and a sentence repeated within one report across sections; standard
phrases, appendices, tables and sentences of figures only are not copies."""
from __future__ import annotations

from perfeval.report import copies
from perfeval.report.lint import lint_folder

SHARED = "建议继续做好项目管理和资金支付，在申报下一年度绩效目标时参考本年度完成情况"


def _page(body: str, appendix: str = "") -> str:
    return (f"<html><head><title>t</title></head><body><h1>报告</h1><h2>四、绩效评价指标分析</h2>{body}"
            f"<h2>附表1：指标评分表</h2><table><tr><th>a</th></tr><tr><td>{appendix}</td></tr></table></body></html>")


def test_a_sentence_in_too_many_reports_of_one_kind_is_a_copy():
    pages = {f"self-P{i}.html": _page(f"<p>项目{i}的执行率为 9{i}%，得分 {i} 分。</p>"
                                      + (f"<p>{SHARED}。</p>" if i < 4 else "")) for i in range(10)}
    found = copies.copy_problems(pages)
    assert [p.rule for p in found] == ["多份报告使用相同句子"] and "4/10" in found[0].detail
    assert copies.copy_problems(pages, share=0.5) == []  # 4 of 10 is under a half
    # another kind's reports are not counted together with these
    assert copies.copy_problems({k.replace("self", f"k{i}"): v for i, (k, v) in enumerate(pages.items())}) == []


def test_standard_phrases_figures_tables_and_appendices_are_not_copies():
    standard = copies.STANDARD_PHRASES[0]
    pages = {f"self-P{i}.html": _page(f"<p>{standard}。</p><p>产出指标分值 50 分，得分 50.00 分，得分率 100.0%。</p>"
                                      f"<table><tr><td>{SHARED}</td></tr></table>", appendix=SHARED) for i in range(6)}
    assert copies.copy_problems(pages) == []


def test_a_sentence_said_in_two_sections_of_one_report_is_a_repeat():
    page = _page(f"<p>{SHARED}。</p><h2>五、存在的问题</h2><p>一是{SHARED}。</p>").replace("一是", "")
    found = copies.copy_problems({"key-P1.html": page})
    assert [p.rule for p in found] == ["同一报告内句子重复"] and "四、绩效评价指标分析" in found[0].detail
    thrice = _page("".join(f"<li>{SHARED}</li>" for _ in range(3)))
    assert [p.rule for p in copies.copy_problems({"priority.html": thrice})] == ["同一报告内句子重复"]


def test_lint_folder_reads_the_copies(tmp_path):
    (tmp_path / "reports").mkdir()
    for i in range(5):
        (tmp_path / "reports" / f"key-P{i}.html").write_text(_page(f"<p>{SHARED}。</p>"), encoding="utf-8")
    assert any(p.rule == "多份报告使用相同句子" for p in lint_folder(tmp_path).problems)
    assert lint_folder(tmp_path, copy_share=1.0).ok


def test_the_furniture_every_report_carries_is_not_a_copy():
    """The cover and the closing block (responsibility statement, issuer) are the same in every report by design;
    the same sentence in the body still is a copy."""
    from perfeval.report.furniture import RESPONSIBILITY

    closing = (f'<section class="perfeval-closing"><h2>责任声明</h2><p>{RESPONSIBILITY}</p>'
               f'<section class="perfeval-issuer"><p>{SHARED}</p></section></section>')
    pages = {f"self-P{i}.html": _page(f"<p>项目{i}的执行率为 9{i}%，得分 {i} 分。</p>") .replace("</body>", closing + "</body>")
             for i in range(6)}
    assert copies.copy_problems(pages) == []
    body = {k: v.replace("<h2>四、绩效评价指标分析</h2>", f"<h2>四、绩效评价指标分析</h2><p>{SHARED}。</p>")
            for k, v in pages.items()}
    assert [p.rule for p in copies.copy_problems(body)] == ["多份报告使用相同句子"]



def test_a_batch_page_without_its_cover_or_closing_block_is_a_problem(tmp_path):
    """Beside a manifest (a batch's output) every report page carries the furniture of a real report."""
    from perfeval.report.lint import furniture_problems

    (tmp_path / "reports").mkdir()
    bare = _page("<p>本项目预算执行率 98.6%，产出指标全部完成。</p>")
    (tmp_path / "reports" / "self-P1.html").write_text(bare, encoding="utf-8")
    assert lint_folder(tmp_path).ok  # a folder of pages, not a batch: no furniture rule
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    assert {p.rule for p in lint_folder(tmp_path).problems} == {"缺少报告要件"}
    dressed = bare.replace("<body>", '<body><section class="perfeval-cover">封面</section>').replace(
        "</body>", '<section class="perfeval-closing">责任声明</section></body>')
    assert furniture_problems(dressed, "self-P1.html") == [] and len(furniture_problems(bare)) == 2
