# The two commands a newcomer needs (see README):
#   make demo   generate a dataset from the default scenario and write its HTML report
#   make test   run the whole test suite
# Both install what they need first (scripts/bootstrap.sh) and are safe to repeat.

.PHONY: demo test bootstrap fixtures bench layouts

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@.venv/bin/hcisim demo

# Two passes, both always run: first every test but the live ones, in two processes (pytest-xdist; a module's
# tests stay in one process, which makes its fixtures once; a third process was no faster, 395 s against 370-414 s
# with two: Chromium keeps a core busy too); then the tests of the real-time sessions (tests/live.py) in one process with
# the machine to itself: those sessions run side by side, and a core kept busy beside them pushes their dispatch
# timing past a frame.
test: bootstrap
	@.venv/bin/python -m pytest -q -n 2 --dist loadscope -m "not live"; rest=$$?; \
	.venv/bin/python -m pytest -q -m live; live=$$?; \
	test $$rest -eq 0 -a $$live -eq 0

fixtures: bootstrap
	@.venv/bin/python -m fixtures.regenerate

bench: bootstrap
	@.venv/bin/python benchmarks/generation_throughput.py

# Offline layout snapshots: what the browser driver saw of each bundled web scenario (two sessions each).
layouts: bootstrap
	@for s in checkout_form login search_results kanban_board event_dialog compose_message; do \
	  .venv/bin/hcisim run $$s --driver browser --sessions 2 --seed 7 --screenshots none --overwrite \
	    --out out/layout-$$s --save-layout scenarios/layouts/$$s.json || exit 1; done
