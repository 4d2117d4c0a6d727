# perfeval — the two commands every machine must honour: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lab clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/perfeval batch --data data/sample --out reports --jobs 2
	$(BIN)/perfeval disclose --data data/sample --out reports/disclosure
	@echo "打开报告索引 (open the index): reports/index.html；公开表 (public tables): reports/disclosure/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/score_bench.py
	$(BIN)/python benchmarks/methods_bench.py
	$(BIN)/python benchmarks/batch_bench.py
	$(BIN)/python benchmarks/cli_bench.py
	$(BIN)/python benchmarks/apply_bench.py
	$(BIN)/python benchmarks/monitor_bench.py
	$(BIN)/python benchmarks/disclose_bench.py
	$(BIN)/python benchmarks/payments_bench.py

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet "jupyterlab>=4.2"
	PERFEVAL_DATA=$(CURDIR)/data/sample $(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf $(VENV) build dist
