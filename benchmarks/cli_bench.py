"""One form in about a second: ``perfeval score FORM --json`` and ``import perfeval`` against their floors.

A finance clerk scores one file at a time, so what counts is the whole process, start to exit.
Measured in one run, interleaved (so that a busy machine slows every command alike), as the median
wall time of ``--repeat`` runs of each command:

* floor:        python -c "import pandas, openpyxl; openpyxl.load_workbook(FORM)"
* score:        perfeval score FORM --json                      target ≤ 2 × floor
* import pandas: python -c "import pandas"
* import perfeval: python -c "import perfeval"                 target ≤ 1.5 × import pandas

Run: ``python benchmarks/cli_bench.py [--form tests/data/forms/mof_clean.xlsx] [--repeat 7]``.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(form: str) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "floor": [py, "-c", f"import pandas, openpyxl; openpyxl.load_workbook({form!r})"],
        "score": [py, "-m", "perfeval.cli", "score", form, "--json"],
        "import pandas": [py, "-c", "import pandas"],
        "import perfeval": [py, "-c", "import perfeval"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--form", default=str(ROOT / "tests" / "data" / "forms" / "mof_clean.xlsx"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    cmds = commands(args.form)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.repeat):  # interleaved: every round runs each command once
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, cwd=ROOT)
            times[name].append(time.perf_counter() - t0)
            if name == "score" and done.returncode != 0:
                raise SystemExit(f"perfeval score failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    med = {name: statistics.median(ts) for name, ts in times.items()}
    for name, value in med.items():
        print(f"{name:>16}: median {value:.3f} s (runs: {', '.join(f'{t:.2f}' for t in times[name])})")
    score_ratio = med["score"] / med["floor"]
    import_ratio = med["import perfeval"] / med["import pandas"]
    print(f"perfeval score FORM --json = {score_ratio:.2f} × floor (target ≤ 2): "
          f"{'met' if score_ratio <= 2 else 'NOT met'}")
    print(f"import perfeval = {import_ratio:.2f} × import pandas (target ≤ 1.5): "
          f"{'met' if import_ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
