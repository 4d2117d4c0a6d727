"""Which container a form file is, by its bytes as well as its suffix, and the Grids it holds.

Units send the same form as .xlsx, .xls, WPS .et, .ods, csv/tab text, Word .docx tables or HTML
pages; web systems often save HTML, xlsx or tab text under an ``.xls`` name. :func:`read_grids`
looks at the first bytes (zip → what the package holds; OLE → workbook, Word or encrypted package;
%PDF; HTML; text) and hands the file to the reader of what it really is. Every reader gives
:class:`~perfeval.io._grid.Grid` objects, so the form readers never see the container. A file that
cannot be read (PDF, password-protected workbook, binary .doc, damaged zip, empty file) is one
:class:`~perfeval.errors.InputError` sentence naming the file and what to do.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ...errors import InputError, Location
from .._grid import Grid, load_csv_grid, load_xlsx_grids

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SEND_INSTEAD = "Excel/WPS 表格（.xlsx、.xls、.et、.ods）、Word 表格（.docx）、网页表格（.html）或 csv"
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".xls", ".et"}  # web systems save tab text as .xls


def _ole_name(name: str) -> bytes:
    return name.encode("utf-16-le")


def refuse(path: Path, what: str, todo: str, found: str | None = None) -> InputError:
    """The one sentence for a file that cannot be read: what it is and what the sender should do."""
    return InputError(f"{what}，无法读取 (cannot read this file)", where=Location(file=path.name),
                      expected=todo, found=found)


def sniff(path: Path, head: bytes) -> str:
    """The container a file really is: xlsx, docx, ods, zip, ole, pdf, rtf, html, xml2003, mhtml, text, empty."""
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(OLE_MAGIC[:4]):  # a truncated OLE file still goes to the workbook reader to be refused
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    low = head[:8192].lower().replace(b"\x00", b"")
    if low.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in low and b"<table" not in low:
            return "xml2003"
        if b"<table" in low or b"<html" in low or b"<!doctype html" in low:
            return "html"
    if low.startswith(b"mime-version") or b"multipart/related" in low[:2048]:
        return "mhtml"
    return "text"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise refuse(path, "文件已损坏（压缩包不完整）", "重新导出或重新发送该文件", f"{type(exc).__name__}: {exc}") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "docx"
    if mimetype.endswith("opendocument.spreadsheet"):
        return "ods"
    if mimetype.endswith("opendocument.text"):
        raise refuse(path, "文件是 OpenDocument 文字文档（.odt）", "在 WPS/LibreOffice 中另存为 Word 文档 .docx 后重新提交")
    raise refuse(path, "文件是压缩包，但不是 Excel、Word 或 OpenDocument 文件", "提交" + SEND_INSTEAD)


def _biff_encrypted(data: bytes) -> bool:
    """True when a BIFF8 workbook stream opens with BOF then FILEPASS (an .xls with an open password,
    XOR or RC4). Streams start on a (mini-)sector boundary, so only BOFs at multiples of 64 count."""
    at = data.find(b"\x09\x08\x10\x00")
    while at != -1:  # a few BOF records per file
        if at % 64 == 0 and data[at + 20:at + 22] == b"\x2f\x00":
            return True
        at = data.find(b"\x09\x08\x10\x00", at + 1)
    return False


def _ole_kind(path: Path, data: bytes) -> str:
    if _ole_name("EncryptedPackage") in data or _ole_name("EncryptionInfo") in data or _biff_encrypted(data):
        raise refuse(path, "文件设置了打开密码（已加密）",
                     "在 Excel/WPS 中输入密码打开，取消“用密码进行加密”后重新保存再提交")
    if _ole_name("WordDocument") in data:
        raise refuse(path, "文件是旧版 Word 文档（.doc）", "在 Word/WPS 中另存为 .docx 后重新提交")
    return "xls"


def _decodes(sample: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(sample) - 4:  # a character cut by the sample's end
                return True
    return False


def _text_grids(path: Path) -> tuple[list[Grid], list[str]]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        what = "Excel 工作簿" if suffix.startswith((".xls", ".et")) or suffix == ".ods" else "表格文件"
        raise InputError(f"无法打开：文件扩展名为 {suffix or '（无）'}，内容却是纯文本，不是{what} (cannot open)",
                         where=Location(file=path.name), expected=f"{suffix or ''} 文件，或把它改名为 .csv",
                         found="纯文本")
    sample = path.read_bytes()[:65536]
    utf16 = sample.startswith((b"\xff\xfe", b"\xfe\xff"))  # Excel's "Unicode text": UTF-16, tab-separated
    if suffix not in (".csv", ".txt", ".tsv") and not utf16 and (b"\x00" in sample or not _decodes(sample)):
        raise refuse(path, "无法识别的文件内容（既不是 Excel 工作簿，也不是文本表格）", "提交" + SEND_INSTEAD)
    first = next((ln for ln in sample.splitlines() if ln.strip()), b"")
    tab = first.count(b"\t\x00" if utf16 else b"\t") > first.count(b",\x00" if utf16 else b",")
    grid, encoding = load_csv_grid(path, delimiter="\t" if tab else ",")
    label = "csv 文件" if suffix == ".csv" else "文本文件"
    notes = [] if encoding == "utf-8-sig" else [f"{label}编码为 {encoding.upper()}，已按此解码"]
    if suffix not in (".csv", ".txt", ".tsv"):
        notes.append(f"文件扩展名为 {suffix}，内容为{'制表符' if tab else '逗号'}分隔的文本，已按文本表格读取")
    return [grid], notes


def read_grids(path: Path) -> tuple[list[Grid], list[str]]:
    """Every table of a form file as Grids, and the notes on reading it (encoding, real container)."""
    if not path.is_file():
        raise InputError("找不到文件 (file not found)", where=Location(file=str(path)),
                         expected="存在的表格文件（" + SEND_INSTEAD + "）", found=str(path))
    with path.open("rb") as fh:
        head = fh.read(8192)
    kind = sniff(path, head)
    suffix = path.suffix.lower()
    notes: list[str] = []
    if kind == "zip":
        kind = _zip_kind(path)
    elif kind == "ole":
        kind = _ole_kind(path, path.read_bytes())
    shown_as = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls", ".et"), "xlsb": (".xlsb",), "ods": (".ods",), "docx": (".docx",),
                "html": (".html", ".htm")}
    if kind in shown_as and suffix not in shown_as[kind]:
        real = {"xlsx": "Excel 2007+ 工作簿", "xls": "Excel 97-2003 工作簿", "xlsb": "Excel 二进制工作簿", "ods": "OpenDocument 表格",
                "docx": "Word 文档", "html": "网页（HTML）"}[kind]
        notes.append(f"文件扩展名为 {suffix or '（无）'}，内容实为{real}，已按{real}读取")
    if kind == "xlsx":
        return load_xlsx_grids(path), notes
    if kind in ("xls", "xlsb"):
        from ._calamine import load_xls_grids
        grids, more = load_xls_grids(path)
        return grids, notes + more
    if kind == "ods":
        from ._ods import load_ods_grids
        return load_ods_grids(path), notes
    if kind == "docx":
        from ._docx import load_docx_grids
        return load_docx_grids(path), notes
    if kind == "html":
        from ._html import load_html_grids
        grids, more = load_html_grids(path)
        return grids, notes + more
    if kind == "text":
        grids, more = _text_grids(path)
        return grids, notes + more
    raise _refusal(path, kind)


def _refusal(path: Path, kind: str) -> InputError:
    if kind == "empty":
        return refuse(path, "文件为空（0 字节）", "重新导出或重新发送填好的自评表")
    if kind == "pdf":
        return refuse(path, "文件是 PDF（扫描件或打印稿，表格无法可靠读取）", "提交自评表的原始电子表格：" + SEND_INSTEAD)
    if kind == "rtf":
        return refuse(path, "文件是 RTF 文档", "在 Word/WPS 中另存为 .docx 后重新提交")
    if kind == "xml2003":
        return refuse(path, "文件是 Excel 2003 XML 表格", "在 Excel/WPS 中另存为 .xlsx 后重新提交")
    if kind == "mhtml":
        return refuse(path, "文件是单个网页文件（.mht）", "在浏览器或 Excel 中另存为 .html 或 .xlsx 后重新提交")
    return refuse(path, "无法识别的文件内容", "提交" + SEND_INSTEAD)


def is_spreadsheet_name(name: str) -> bool:
    """True for a file name one of the containers reads (used to pick form files out of a folder)."""
    from ..._formfiles import is_form_name

    return is_form_name(name)
