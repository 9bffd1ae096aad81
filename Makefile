# The two commands of the README, and a few helpers around them.
.PHONY: demo test setup lint format bench bench-quick

setup:
	@bash scripts/bootstrap.sh

demo: setup
	.venv/bin/geospaas-processing demo

test: setup
	bash scripts/run_tests.sh

format: setup
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: setup
	for script in benchmarks/[!_]*.py; do .venv/bin/python "$$script" || exit 1; done

# The whole set takes well over 15 minutes; --quick gives a first look in a few.
bench-quick: setup
	for script in benchmarks/[!_]*.py; do .venv/bin/python "$$script" --quick || exit 1; done
