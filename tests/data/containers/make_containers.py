"""Write the container fixtures: one sample form (data/sample/forms/SZ2021-001.xlsx) in every format
a unit sends. Run once from the repository root; the outputs are committed:

    PYTHONPATH=src python tests/data/containers/make_containers.py

- SZ2021-001.xls / .ods  LibreOffice (``soffice --headless --convert-to``) from the .xlsx
- SZ2021-001.et          the .xls bytes under the WPS name (WPS saves .et as an OLE BIFF workbook)
- SZ2021-001.docx        python-docx: title and year as paragraphs, the form as one Word table with
                         the workbook's merged ranges as gridSpan/vMerge
- SZ2021-001.html        the form as an HTML table (colspan/rowspan), GBK-encoded with <meta charset>
- SZ2021-001_web.xls     the same HTML under an .xls name, as web systems export it (UTF-8, no meta)
- SZ2021-001_gbk.csv     what Excel's "save as CSV" gives on Chinese Windows: shown text, GBK,
                         merged cells written once
- hostile/form.pdf       LibreOffice PDF of the .docx; hostile/form.doc LibreOffice Word 97 of it
- hostile/encrypted.xlsx, encrypted.xls, encrypted_xor.xls  not written here: msoffcrypto-tool's test
  inputs (example_password.xlsx, rc4cryptoapi_password.xls, xor_password_123456789012345.xls, MIT licence, github.com/nolze/msoffcrypto-tool
  at 6d9e72c), real password-protected files that no library here can write.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCE = ROOT / "data" / "sample" / "forms" / "SZ2021-001.xlsx"
TITLE_ROWS = 2  # 项目支出绩效自评表, （2021年度）: paragraphs above the table in Word and HTML


def _grid():
    sys.path.insert(0, str(ROOT / "src"))
    from perfeval.io._grid import load_xlsx_grids

    return load_xlsx_grids(SOURCE)[0]


def _ranges(g):
    """(row, col, rowspan, colspan, text) of every anchor below the title rows."""
    out = []
    for r, c in np.argwhere(g.is_anchor()):
        if r < TITLE_ROWS:
            continue
        covered = (g.top == r) & (g.left == c)
        rows, cols = np.flatnonzero(covered.any(axis=1)), np.flatnonzero(covered.any(axis=0))
        out.append((int(r) - TITLE_ROWS, int(c), len(rows), len(cols), str(g.text[r, c])))
    return out


def write_docx(g, path: Path) -> None:
    import docx

    doc = docx.Document()
    for r in range(TITLE_ROWS):
        doc.add_paragraph(str(g.text[r, 0]))
    nrows, ncols = g.shape[0] - TITLE_ROWS, g.shape[1]
    table = doc.add_table(rows=nrows, cols=ncols)
    table.style = "Table Grid"
    for r, c, rs, cs, text in _ranges(g):
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    doc.add_paragraph("填表人：郭某")
    doc.core_properties.author = "perfeval"
    doc.save(str(path))


def html_page(g, charset: str | None) -> str:
    rows: dict[int, list[str]] = {}
    for r, c, rs, cs, text in _ranges(g):
        span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        rows.setdefault(r, []).append(f"<td{span}>{html.escape(text).replace(chr(10), '<br>')}</td>")
    body = "\n".join(f"<tr>{''.join(rows.get(r, []))}</tr>" for r in range(g.shape[0] - TITLE_ROWS))
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html>\n<html><head>{meta}<title>自评表</title></head><body>\n"
            f"<h2>{html.escape(str(g.text[0, 0]))}</h2>\n<p>{html.escape(str(g.text[1, 0]))}</p>\n"
            f'<table border="1">\n{body}\n</table>\n<p>填表人：郭某</p>\n</body></html>\n')


def write_csv(g, path: Path) -> None:
    import csv
    import io

    text = np.where(g.is_anchor(), g.text, "")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(text.tolist())
    path.write_bytes(buf.getvalue().encode("gbk"))


def soffice(src: Path, fmt: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=300)
        produced = next(Path(tmp).iterdir())
        shutil.move(produced, out)


def main() -> None:
    g = _grid()
    (HERE / "hostile").mkdir(exist_ok=True)
    stem = HERE / SOURCE.stem
    write_docx(g, stem.with_suffix(".docx"))
    stem.with_suffix(".html").write_bytes(html_page(g, "gbk").encode("gbk"))
    (HERE / f"{SOURCE.stem}_web.xls").write_bytes(html_page(g, None).encode("utf-8"))
    write_csv(g, HERE / f"{SOURCE.stem}_gbk.csv")
    soffice(SOURCE, "xls", stem.with_suffix(".xls"))
    soffice(SOURCE, "ods", stem.with_suffix(".ods"))
    shutil.copyfile(stem.with_suffix(".xls"), stem.with_suffix(".et"))
    soffice(stem.with_suffix(".docx"), "pdf", HERE / "hostile" / "form.pdf")
    soffice(stem.with_suffix(".docx"), "doc:MS Word 97", HERE / "hostile" / "form.doc")


if __name__ == "__main__":
    main()
