"""Time reading self-evaluation forms in every container against the .xlsx baseline, in one run.

Copies the container fixtures (tests/data/containers/, all SZ2021-001) into a temporary folder,
``--n`` files in total (default 1 000) spread evenly over the formats, reads each with
``perfeval.io.read_self_evaluation`` and prints forms/second per format and the mixed total.

    PYTHONPATH=src python benchmarks/import_bench.py [--n 1000]

Measured 2026-12-08 (1 000 forms, 125 per format, 2 shared cores, other jobs running): mixed
total 52.2 s = 19.1 forms/s; per format forms/s (vs .xlsx): xlsx 12.6 (1.00), xls 21.9 (1.73),
et 22.0 (1.74), ods 20.7 (1.64), docx 16.5 (1.31), html 21.7 (1.72), html as .xls 21.3 (1.68),
csv GBK 22.0 (1.74). Every container is faster than openpyxl's .xlsx; the rest is the form reader.
"""
import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from perfeval.io import read_self_evaluation

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "containers"
FORMATS = {"xlsx": ROOT / "data" / "sample" / "forms" / "SZ2021-001.xlsx", "xls": FIXTURES / "SZ2021-001.xls",
           "et": FIXTURES / "SZ2021-001.et", "ods": FIXTURES / "SZ2021-001.ods", "docx": FIXTURES / "SZ2021-001.docx",
           "html": FIXTURES / "SZ2021-001.html", "html as .xls": FIXTURES / "SZ2021-001_web.xls",
           "csv (GBK)": FIXTURES / "SZ2021-001_gbk.csv"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    kinds = list(FORMATS)
    with tempfile.TemporaryDirectory(prefix="perfeval-import-bench-") as tmp:
        files = []
        for i in range(args.n):  # interleaved, as a folder of mixed formats would be
            kind = kinds[i % len(kinds)]
            src = FORMATS[kind]
            dst = Path(tmp) / f"form{i:05d}{src.suffix}"
            shutil.copyfile(src, dst)
            files.append((kind, dst))
        spent, count = defaultdict(float), defaultdict(int)
        start = time.perf_counter()
        for kind, path in files:
            t0 = time.perf_counter()
            (form,) = read_self_evaluation(path)
            spent[kind] += time.perf_counter() - t0
            count[kind] += 1
            assert form.project_id == "SZ2021-001"
        total = time.perf_counter() - start
    base = count["xlsx"] / spent["xlsx"]
    print(f"{'format':<14}{'forms':>7}{'seconds':>10}{'forms/s':>10}{'vs .xlsx':>10}")
    for kind in kinds:
        rate = count[kind] / spent[kind]
        print(f"{kind:<14}{count[kind]:>7}{spent[kind]:>10.2f}{rate:>10.1f}{rate / base:>9.2f}x")
    print(f"{'mixed total':<14}{args.n:>7}{total:>10.2f}{args.n / total:>10.1f}")


if __name__ == "__main__":
    main()
