"""CJK fonts for charts: every Chinese glyph renders, on a machine with or without system CJK fonts.

matplotlib's "Glyph … missing from font(s)" warnings are turned into errors here, so a missing
font fails the test instead of drawing boxes.
"""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from perfeval.report import fonts  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error:Glyph.*missing:UserWarning")

CHINESE = "某市2021年项目支出绩效评价：总分92.5，等级 优／良／中／差，执行率≥95%"
LABELS = ["产出指标", "效益指标", "满意度指标", "预算执行率"]


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def _draw(path):
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(LABELS, [45.0, 28.5, 9.0, -1.5])
    ax.set_title(CHINESE)
    ax.set_xlabel("一级指标")
    ax.set_ylabel("得分（分）")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def test_chart_with_chinese_text_renders_every_glyph(tmp_path):
    font = fonts.setup_cjk_fonts()
    path = tmp_path / "chart.png"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing")
        _draw(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.rcParams["font.sans-serif"][0] == font.family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    # The font matplotlib actually picks for the title has a glyph for every character in it.
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    face = font_manager.get_font(found)
    missing = [ch for ch in CHINESE + "".join(LABELS) if not ch.isspace() and face.get_char_index(ord(ch)) == 0]
    assert missing == []


def test_without_a_cjk_font_the_glyph_warning_is_an_error(tmp_path):
    # Shows the guard works: with only DejaVu Sans, drawing Chinese must fail, not draw boxes.
    with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.raises(UserWarning, match="Glyph"):
            _draw(tmp_path / "boxes.png")


def test_packaged_font_works_without_any_system_font():
    fonts.find_cjk_font.cache_clear()
    try:
        font = fonts.find_cjk_font(prefer_system=False)
    finally:
        fonts.find_cjk_font.cache_clear()
    assert font is not None and font.source == "package"
    assert font.family in {family for _, _, family in fonts.PACKAGED_FONTS}
    assert font.path and font_manager.get_font(font.path).get_char_index(ord("绩")) != 0


def test_set_theme_reapplies_the_cjk_font_that_seaborn_resets():
    import seaborn as sns

    font = fonts.setup_cjk_fonts()
    sns.set_theme()
    assert matplotlib.rcParams["font.sans-serif"][0] != font.family  # why set_theme() exists
    fonts.set_theme(style="whitegrid")
    assert matplotlib.rcParams["font.sans-serif"][0] == font.family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_reset_matplotlib_state_restores_rc_file_defaults():
    matplotlib.rcParams["lines.linewidth"] = 7.0
    plt.figure()
    fonts.reset_matplotlib_state()
    assert matplotlib.rcParams["lines.linewidth"] == matplotlib.rcParamsOrig["lines.linewidth"]
    assert plt.get_fignums() == []
    assert matplotlib.rcParams["svg.hashsalt"] == "perfeval"
