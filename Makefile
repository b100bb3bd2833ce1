# The two commands a newcomer needs (see README):
#   make demo   generate a dataset from the default scenario and write its HTML report
#   make test   run the whole test suite
# Both install what they need first (scripts/bootstrap.sh) and are safe to repeat.

.PHONY: demo test bootstrap fixtures bench layouts

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@.venv/bin/hcisim demo

# Two pytest runs side by side, both always run (scripts/run_tests.py says why): the tests of the real-time
# sessions (marked `live`, tests/live.py) in one process at normal priority, and every other test in two processes
# (pytest-xdist; a module's tests stay in one process, which makes its fixtures once) at the lowest priority.
test: bootstrap
	@.venv/bin/python scripts/run_tests.py

fixtures: bootstrap
	@.venv/bin/python -m fixtures.regenerate

bench: bootstrap
	@.venv/bin/python benchmarks/generation_throughput.py

# Offline layout snapshots: what the browser driver saw of each bundled web scenario (two sessions each).
layouts: bootstrap
	@for s in checkout_form login search_results kanban_board event_dialog compose_message; do \
	  .venv/bin/hcisim run $$s --driver browser --sessions 2 --seed 7 --screenshots none --overwrite \
	    --out out/layout-$$s --save-layout scenarios/layouts/$$s.json || exit 1; done
