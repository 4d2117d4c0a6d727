"""Chinese text in matplotlib/seaborn charts, on any machine.

Out of the box matplotlib draws every Chinese character as a box ("Glyph … missing from font(s)
DejaVu Sans"), and Debian ships no CJK font. `setup_cjk_fonts()` picks, in this order:

1. a CJK font the system already has (Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, …),
   including Debian's font files installed after matplotlib built its font cache;
2. Noto Sans SC (the Simplified-Chinese subset of Noto Sans CJK, SIL OFL 1.1) shipped as a plain
   OpenType file by the PyPI package ``pylopdf-fonts-zh-cn``, a dependency of perfeval, so a fresh
   machine with no system font still renders every glyph (the Noto Sans CJK collection of
   ``noto-cjk-sans-otc`` is accepted too, but WeasyPrint cannot load a ``.ttc`` for PDFs);

and sets ``font.sans-serif`` with it first, ``font.family = sans-serif``,
``axes.unicode_minus = False`` (the U+2212 minus is missing from some CJK fonts) and
``text.parse_math = False`` (user text such as ``$\frac{a$`` is drawn as typed, not as mathtext).
``sns.set_theme()`` resets those rcParams: call `set_theme()` here instead, or call
`setup_cjk_fonts()` again after it.
"""
from __future__ import annotations

import functools
import importlib
import os
import sys
from dataclasses import dataclass

from ..errors import PerfevalError

# Families we accept from the system, best first (Simplified-Chinese faces before others).
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Sarasa Gothic SC", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "SimHei", "Noto Sans CJK JP",
)

# Where Debian/Ubuntu put those fonts: registered directly when matplotlib's font cache was built
# before they were installed (the cache is not rebuilt by itself).
SYSTEM_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

# PyPI packages that ship a Simplified-Chinese font: (module, how to get the path, family name).
PACKAGED_FONTS = (
    ("pylopdf_fonts_zh_cn", "sans_path", "Noto Sans SC"),
    ("noto_cjk_sans_otc", "FONT_PATH", "Noto Sans CJK SC"),
)

LATIN_FALLBACK = "DejaVu Sans"


@dataclass(frozen=True)
class CJKFont:
    """The font chosen for Chinese text: family name, file (if registered by us) and origin."""

    family: str
    source: str  # "system" | "package"
    path: str | None = None


class FontMissingError(PerfevalError):
    """No CJK font is available: charts would show boxes instead of Chinese characters."""


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def _packaged_font_path(module_name: str, attribute: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    value = getattr(module, attribute, None)
    if callable(value):
        value = value()
    path = os.fspath(value) if value is not None else None
    return path if path and os.path.isfile(path) else None


def _system_font() -> CJKFont | None:
    from matplotlib import font_manager

    known = _known_families()
    for family in SYSTEM_FAMILIES:
        if family in known:
            return CJKFont(family=family, source="system")
    for path in SYSTEM_FONT_FILES:
        if os.path.isfile(path):
            font_manager.fontManager.addfont(path)
            known = _known_families()
            for family in SYSTEM_FAMILIES:
                if family in known:
                    return CJKFont(family=family, source="system", path=path)
    return None


def _packaged_font() -> CJKFont | None:
    from matplotlib import font_manager

    for module_name, attribute, family in PACKAGED_FONTS:
        path = _packaged_font_path(module_name, attribute)
        if path is None:
            continue
        if family not in _known_families():
            font_manager.fontManager.addfont(path)
        if family in _known_families():
            return CJKFont(family=family, source="package", path=path)
    return None


@functools.lru_cache(maxsize=None)
def find_cjk_font(prefer_system: bool = True) -> CJKFont | None:
    """Find (and register with matplotlib) the best available CJK font; None if there is none."""
    order = (_system_font, _packaged_font) if prefer_system else (_packaged_font, _system_font)
    for finder in order:
        font = finder()
        if font is not None:
            return font
    return None


def cjk_font_stack(font: CJKFont) -> list[str]:
    """The ``font.sans-serif`` list: the chosen CJK family, then a Latin fallback."""
    return [font.family, LATIN_FALLBACK]


def setup_cjk_fonts(*, prefer_system: bool = True) -> CJKFont:
    """Make matplotlib (and so seaborn) draw Chinese text; returns the font chosen.

    Raises `FontMissingError` with the two ways to fix it when no CJK font can be found.
    """
    import matplotlib as mpl

    font = find_cjk_font(prefer_system)
    if font is None:
        raise FontMissingError(
            "找不到中文字体，图表中的汉字将显示为方框 (no CJK font found)。请安装 Python 包 "
            "pylopdf-fonts-zh-cn（pip install pylopdf-fonts-zh-cn），或安装系统字体 "
            "fonts-noto-cjk / fonts-wqy-microhei。")
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = cjk_font_stack(font)
    mpl.rcParams["axes.unicode_minus"] = False
    # Text is set as typed: a "$" in a project name must not start mathtext ($\frac{a$ would crash).
    mpl.rcParams["text.parse_math"] = False
    return font


def set_theme(**kwargs) -> CJKFont:
    """``seaborn.set_theme(**kwargs)`` followed by `setup_cjk_fonts()` (set_theme resets fonts)."""
    import seaborn as sns

    sns.set_theme(**kwargs)
    return setup_cjk_fonts()


def reset_matplotlib_state() -> CJKFont:
    """Bring matplotlib back to the state of a fresh kernel, then set up CJK fonts.

    Run by the hidden first cell of every report notebook, so a reused kernel starts each notebook
    from the same state as a new one: figures closed, rcParams from the rc file, the inline
    backend's output format back to its default (PNG), a fixed salt for SVG ids.
    """
    import matplotlib as mpl

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    mpl.rc_file_defaults()
    mpl.rcParams["svg.hashsalt"] = "perfeval"  # SVG element ids from a fixed salt, not random
    inline = sys.modules.get("matplotlib_inline.config")
    if inline is not None and inline.InlineBackend.initialized():
        config = inline.InlineBackend.instance()
        for name in ("figure_formats", "print_figure_kwargs", "rc", "close_figures"):
            default = config.trait_defaults(name)
            if getattr(config, name) != default:
                setattr(config, name, default)
    return setup_cjk_fonts()
