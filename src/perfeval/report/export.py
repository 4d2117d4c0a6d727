"""Turn an executed notebook into a report file: HTML always, PDF when an engine is installed.

HTML: nbconvert's `HTMLExporter` in-process (0.1 s instead of 3.5 s for the CLI), the ``basic``
template (body only) inside the page shell of `report.pages` (one small stylesheet, shared with the
index page), so every report is a single self-contained file (~30 KB plus its charts instead of ~300 KB with the lab template).
Code is hidden (``exclude_input``), prompts too, and the hidden setup cell is removed. Nothing
volatile goes in: the notebook was cleaned by `execute.clean_notebook`, cell anchors come from
deterministic cell ids and charts are PNGs (Agg output has no timestamp), so the same notebook gives
the same bytes.

PDF (optional): headless Chromium through Playwright when both are present (``/usr/bin/chromium``
or ``$PERFEVAL_CHROMIUM``; Playwright is never asked to download a browser), otherwise WeasyPrint.
With neither, `PdfUnavailableError` says so in Chinese; the HTML is still written by the caller.
"""
from __future__ import annotations

import atexit
import contextlib
import copy
import functools
import importlib.util
import multiprocessing.util
import os
import shutil
from pathlib import Path

from ..errors import PerfevalError
from .._files import atomic_write
from .pages import render_page, trusted

HTML_TEMPLATE = "basic"
REMOVED_CELL_TAGS = ("perfeval-setup", "remove-cell", "remove_cell")

class PdfUnavailableError(PerfevalError):
    """No PDF engine (Playwright + Chromium, or WeasyPrint) is installed."""


@functools.lru_cache(maxsize=1)
def _html_exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name=HTML_TEMPLATE, exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="")
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_CELL_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def _without_result_outputs(nb):
    """A copy without the result MIME outputs (nothing to show; nbconvert would warn)."""
    from .results import RESULT_MIME

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (set(o.get("data", {})) == {RESULT_MIME})]
    return nb


TECHNICAL_DIR = "技术附录"  # beside the report pages: <reports>/技术附录/<stem>-技术附录.html


def report_pages(nb, *, title: str, cover=None) -> tuple[str, str | None]:
    """(the reader's page, the technical appendix page or None) for an executed notebook (a `NotebookNode`
    or a path). With a `furniture.Cover`: cover, contents, responsibility statement and issuer block; the
    technical sections (input files and hashes) go to the appendix, never into the reader's page."""
    import nbformat

    from .furniture import BLANK_DATE, BLANK_ISSUER, RESPONSIBILITY, contents, split_technical

    if not hasattr(nb, "cells"):
        nb = nbformat.read(os.fspath(nb), as_version=4)
    nb = _without_result_outputs(nb)
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": str(title)}})
    body, technical = split_technical(body.strip())
    body, toc = contents(body)
    page = render_page("report.html", title=str(title), body=trusted(body), cover=cover,
                       toc=toc if cover is not None else None, technical=bool(technical),
                       responsibility=RESPONSIBILITY, blank_issuer=BLANK_ISSUER, blank_date=BLANK_DATE)
    appendix = render_page("technical.html", title=f"{title}（技术附录）", body=trusted(technical)) if technical else None
    return page, appendix


def notebook_to_html(nb, *, title: str, cover=None) -> str:
    """The reader's report page for an executed notebook (see `report_pages`)."""
    return report_pages(nb, title=title, cover=cover)[0]


def technical_path(out_html) -> Path:
    """Where the technical appendix of a report page goes."""
    out_html = Path(out_html)
    return out_html.parent / TECHNICAL_DIR / f"{out_html.stem}-技术附录.html"


def export_html(nb, out_html: str | os.PathLike, *, title: str, cover=None) -> str:
    """Write the report page (and its technical appendix, if any) atomically; returns the page's sha256."""
    page, appendix = report_pages(nb, title=title, cover=cover)
    if appendix is not None:
        atomic_write(technical_path(out_html), appendix.encode("utf-8"), make_parents=True)
    return atomic_write(out_html, page.encode("utf-8"), make_parents=True)


# --------------------------------------------------------------------------- PDF

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    """A Chromium binary installed on the system ($PERFEVAL_CHROMIUM first); never downloaded."""
    env = os.environ.get("PERFEVAL_CHROMIUM")
    for candidate in ((env,) if env else ()) + CHROMIUM_CANDIDATES:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


PDF_ENGINES = ("playwright", "weasyprint")


def _weasyprint_loads() -> bool:
    if importlib.util.find_spec("weasyprint") is None:
        return False
    try:
        import weasyprint  # noqa: F401  (needs the system's Pango; may fail to load)
    except (ImportError, OSError):
        return False
    return True


def pdf_engine() -> str | None:
    """"playwright", "weasyprint" or None (nothing installed), in that order of preference.

    ``$PERFEVAL_PDF_ENGINE`` = playwright | weasyprint | none forces a choice (none: no PDFs).
    """
    available = {
        "playwright": lambda: importlib.util.find_spec("playwright") is not None and chromium_path() is not None,
        "weasyprint": _weasyprint_loads,
    }
    forced = os.environ.get("PERFEVAL_PDF_ENGINE", "").strip().lower()
    if forced == "none":
        return None
    if forced in available:
        return forced if available[forced]() else None
    for name in PDF_ENGINES:
        if available[name]():
            return name
    return None


PDF_MISSING_MESSAGE = (
    "无法生成 PDF：未安装 PDF 引擎 (no PDF engine installed)。HTML 报告已照常生成。"
    "可任选其一：pip install weasyprint；或 pip install playwright 并安装系统的 Chromium "
    "（Debian: apt-get install chromium，或用环境变量 PERFEVAL_CHROMIUM 指定路径）。")


class _Chromium:
    """One headless browser per process, started on first use."""

    def __init__(self):
        self._playwright = None
        self._browser = None

    def page_pdf(self, html_path: Path) -> bytes:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=chromium_path(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            # Close the browser when the process ends; worker processes skip atexit, not Finalize.
            atexit.register(self.close)
            multiprocessing.util.Finalize(self, self.close, exitpriority=10)
        page = self._browser.new_page()
        try:
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            page.close()

    def close(self):
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                browser.close()
                playwright.stop()
            except Exception:  # already gone at interpreter exit; nothing left to release
                pass


_CHROMIUM = _Chromium()


def _weasyprint_pdf(html_path: Path) -> bytes:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from .fonts import find_cjk_font

    font = find_cjk_font()
    font_config = FontConfiguration()
    stylesheets = []
    if font is not None and font.path and not font.path.lower().endswith(".ttc"):
        # WeasyPrint sees only fontconfig's fonts; a packaged font is declared with @font-face.
        face = f'@font-face {{ font-family: "{font.family}"; src: url("{Path(font.path).as_uri()}"); }}'
        stylesheets.append(weasyprint.CSS(string=face, font_config=font_config))
    document = weasyprint.HTML(filename=str(html_path))
    # Same page, same bytes: a fixed file identifier, and fixed timestamps in the font subsets
    # (fontTools stamps the time of subsetting unless SOURCE_DATE_EPOCH is set).
    with _fixed_source_date():
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config,
                                  pdf_identifier=b"perfeval-report")


@contextlib.contextmanager
def _fixed_source_date():
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def export_pdf(html_path: str | os.PathLike, out_pdf: str | os.PathLike, *, engine: str | None = None) -> str:
    """Print a report page to an A4 PDF atomically; returns its sha256.

    Raises `PdfUnavailableError` (Chinese message) when no engine is installed.
    """
    engine = engine or pdf_engine()
    if engine is None:
        raise PdfUnavailableError(PDF_MISSING_MESSAGE)
    html_path = Path(html_path)
    data = _CHROMIUM.page_pdf(html_path) if engine == "playwright" else _weasyprint_pdf(html_path)
    return atomic_write(out_pdf, data, make_parents=True)
