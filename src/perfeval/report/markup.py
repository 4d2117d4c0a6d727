"""User text made safe for where it is shown (HTML, Markdown), and grade labels for display.

Project names, departments and indicator names come from spreadsheets anyone can type into. In a
report or the index they must show exactly as typed and never become markup: ``<script>`` stays
text (`escape_html`), and so does a Markdown link such as ``[点此](javascript:alert(3))``, which
HTML escaping alone leaves intact for a Markdown renderer to turn into a live link. The report
notebooks therefore display HTML built here rather than Markdown; where text must go into a
Markdown cell (the error banner of a failed report), `escape_markdown` also neutralises every
Markdown and MathJax character. Charts are protected separately: matplotlib's mathtext is switched
off in `fonts.setup_cjk_fonts`.
"""
from __future__ import annotations

import html
import math

GRADE_WITHHELD = "未定级"

# Characters with a meaning in Markdown (links, emphasis, code, headings, tables, math) written as
# numeric character references: a browser shows the character, a Markdown renderer sees no syntax.
_MARKDOWN_ESCAPES = {**{ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-.!|~$:"},
                     **{ch: html.escape(ch, quote=True) for ch in "&<>\"'"}}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def grade_label(grade) -> str:
    """The grade as shown to people: a withheld grade (None, NaN, blank) is "未定级"."""
    text = _text(grade).strip()
    return text if text and text.lower() not in ("nan", "none", "<na>") else GRADE_WITHHELD


def escape_html(value) -> str:
    """Text for HTML: ``& < > " '`` escaped; None and NaN become an empty string."""
    return html.escape(_text(value), quote=True)


def escape_markdown(value) -> str:
    """Text for a Markdown cell: HTML-escaped, Markdown/MathJax characters as character references,
    line breaks as ``<br>`` (so no line can start a heading, list or code block)."""
    text = "".join(_MARKDOWN_ESCAPES.get(ch, ch) for ch in _text(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def paragraph_html(text) -> str:
    """One paragraph of user-facing text as HTML, escaped, line breaks kept."""
    return "<p>" + escape_html(text).replace("\n", "<br>") + "</p>"


def heading_html(text, level: int = 1) -> str:
    """A heading (``<h1>``…``<h6>``) with escaped text."""
    level = min(max(int(level), 1), 6)
    return f"<h{level}>{escape_html(text)}</h{level}>"
