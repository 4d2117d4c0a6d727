"""HTML page shells (Jinja2): report pages and the index share one layout and one stylesheet.

Templates live in ``report/templates/``: ``base.html`` (the page: head, stylesheet, ``<main>``),
``report.html`` (an exported notebook's body) and ``index.html`` (the batch's index), with the
stylesheet ``perfeval.css``. Autoescaping is on: every value is HTML-escaped unless it is marked
`trusted` (only the HTML nbconvert produced from an executed notebook is). Rendering is
deterministic: the same values give the same bytes.
"""
from __future__ import annotations

import functools
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The stylesheet every page embeds."""
    return (TEMPLATES / "perfeval.css").read_text(encoding="utf-8").strip()


def trusted(markup: str):
    """Mark HTML as safe to insert unescaped (use only for HTML built by trusted code)."""
    import markupsafe

    return markupsafe.Markup(markup)


def render_page(template: str, **context) -> str:
    """Render one of the page templates with ``context`` (title, body, rows, …)."""
    cover = context.get("cover")
    title = str(cover.title if cover is not None else context.get("title", ""))
    running = trusted("".join(c for c in title if c not in '"\\<>{}\n'))  # a CSS string in the print header
    return _environment().get_template(template).render(css=trusted(stylesheet()), running_title=running, **context)
