# vizkit — `make help` lists the targets. Every target sets up .venv by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUTPUT ?= output
# Quiet, machine-independent TensorFlow on the CPU (see README, "Reproducibility").
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
.PHONY: help venv animations browser test baselines fixtures bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,bench]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install vizkit with its test tools

animations: $(STAMP) ## render every scene into output/
	$(BIN)/vizkit render-all --out-dir $(OUTPUT) --overwrite

browser: ## install Debian's chromium for the browser tests where we can (root, apt-get)
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	} >/dev/null 2>&1 || echo "no /usr/bin/chromium: the browser tests will skip"

test: $(STAMP) browser ## run the test suite (image snapshots included)
	$(BIN)/python -m pytest -n auto --dist loadfile

baselines: $(STAMP) ## regenerate the snapshot baselines on purpose, then review the PNGs
	VIZKIT_REGENERATE_BASELINES=1 $(BIN)/python -m pytest -m snapshot

fixtures: $(STAMP) ## record missing test trajectories (ALL=1: re-record all, then make baselines)
	$(BIN)/python tests/fixtures.py $(if $(ALL),--all)

bench: $(STAMP) ## time vizkit against the notebook recipe (ratios, peak memory)
	$(BIN)/python bench/run.py

clean: ## remove rendered output and caches (keeps .venv)
	rm -rf $(OUTPUT) .pytest_cache tests/failed-images bench/results
