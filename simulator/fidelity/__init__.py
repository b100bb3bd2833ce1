"""Fidelity, diversity, utility and privacy of a synthetic dataset against a real one (issue 12).

Public API (``hcisim fidelity`` and ``hcisim augment`` call exactly these):

- `evaluate(real, synth, *, fitting=None, seed=0, progress=None)` -> `FidelityResult` (``to_json()``, ``metrics()``)
- `write_report(result, out_html)` -> the HTML report's path
- `parse_thresholds(specs, "under"|"over")`, `check_thresholds(result, thresholds)` -> violated lines
- `write_json(result, out)`; `METRICS`: every measure's name and meaning
"""

from simulator.fidelity.evaluate import (METRICS, FidelityResult, ModalityResult, Threshold, FIDELITY_JSON,
                                         check_thresholds, evaluate, parse_thresholds, write_json)
from simulator.fidelity.report import write_report

__all__ = ["METRICS", "FidelityResult", "ModalityResult", "Threshold", "FIDELITY_JSON", "check_thresholds", "evaluate",
           "parse_thresholds", "write_json", "write_report"]
