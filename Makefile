# The two commands a newcomer needs (see README):
#   make demo   generate a dataset from the default scenario and write its HTML report
#   make test   run the whole test suite
# Both install what they need first (scripts/bootstrap.sh) and are safe to repeat.

.PHONY: demo test bootstrap fixtures bench

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@.venv/bin/hcisim demo

test: bootstrap
	@.venv/bin/python -m pytest -q

fixtures: bootstrap
	@.venv/bin/python -m fixtures.regenerate

bench: bootstrap
	@.venv/bin/python benchmarks/run_all.py
