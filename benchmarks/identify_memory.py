"""Peak memory of the identification model (fidelity's judge, augment's identity quota) against scikit-learn's
whole forest of the same trees, measured in the same run.

Run: .venv/bin/python benchmarks/identify_memory.py [--people 400] [--items 30]   (about 5 minutes at 400)
Each fit runs in a fresh process on the same items (--items per person, 20 features, people a little apart),
then answers for 5,000 items; printed: max RSS and time of each, and their ratios. scikit-learn keeps a
probability per person in every node, so its forest grows with the square of the people; the compact one
(`simulator.fidelity.identify.Forest`) holds 20 of its trees at a time while growing and then only splits and
each leaf's non-zero probabilities.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.validate_memory import against  # noqa: E402

ITEMS = ("import sys; import numpy as np; people, per = map(int, sys.argv[1].split('x')); "
         "rng = np.random.default_rng(0); person = np.repeat(np.arange(people), per); "
         "X = rng.normal(size=(len(person), 20)) + (person[:, None] % 7) * 0.1; Q = rng.normal(size=(5000, 20)); ")
COMPACT = ITEMS + ("from simulator.fidelity.identify import train_identifier; "
                   "train_identifier(X, person.astype(str), 1).proba(Q)")
WHOLE = ITEMS + ("import simulator.fidelity.identify; "  # the same imports as the measured code
                 "from sklearn.ensemble import RandomForestClassifier; "
                 "RandomForestClassifier(n_estimators=200, min_samples_leaf=2, class_weight='balanced', "
                 "random_state=1, n_jobs=1).fit(X, person).predict_proba(Q.astype(np.float32))")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=400)
    ap.add_argument("--items", type=int, default=30, help="items per person")
    args = ap.parse_args()
    arg = Path(f"{args.people}x{args.items}")
    line = against(("scikit-learn's forest", WHOLE, arg), ("compact", COMPACT, arg))
    print(f"{args.people} people x {args.items} items: {line}")


if __name__ == "__main__":
    main()
