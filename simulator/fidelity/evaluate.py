"""``hcisim fidelity``: every measure on both modalities, one result, thresholds to gate a pipeline on.

`evaluate` reads REAL, SYNTH and optionally the fitting data, measures mouse and typing where both
REAL and SYNTH have them (skipping a modality with a note where one side lacks it) and returns a
`FidelityResult`; `FidelityResult.metrics()` flattens it to ``modality.measure`` names that
``--fail-under`` / ``--fail-over`` and ``--json`` use.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from simulator.atomic import check_file_out, write_atomic
from simulator import __version__
from simulator.errors import HcisimError
from simulator.fidelity.c2st import C2ST, MIN_PERSONS, two_sample_test
from simulator.fidelity.distances import FeatureDistance, feature_distances
from simulator.fidelity.diversity import K, Diversity, prdc
from simulator.fidelity.features import MODALITIES, DatasetItems, Items, load_items
from simulator.fidelity.privacy import Privacy, privacy
from simulator.fidelity.utility import Utility, identification_utility
from simulator.rng import rng_for

MIN_ITEMS = 10
"""A modality is measured when REAL and SYNTH each have at least this many items of it."""
MAX_C2ST = 4000
"""Items per side the discriminator sees (subsampled, seeded); enough for a tight interval."""
WORST_SHOWN = 6

METRICS: dict[str, str] = {
    "auc": "ROC AUC of the REAL-vs-SYNTH discriminator (0.5 = indistinguishable)",
    "auc_ci_low": "lower end of the AUC's 95 % interval (bootstrap over sessions)",
    "auc_ci_high": "upper end of the AUC's 95 % interval",
    "eer": "equal error rate of the discriminator (0.5 = indistinguishable)",
    "ks_max": "largest per-feature Kolmogorov-Smirnov statistic",
    "wasserstein_max": "largest per-feature Wasserstein distance, in REAL standard deviations "
                       "(SYNTH's if REAL is constant)",
    "precision": "share of SYNTH items inside REAL's k-NN balls",
    "recall": "share of REAL items inside SYNTH's k-NN balls",
    "density": "mean number of REAL balls a SYNTH item falls in, over k (about 1 when alike)",
    "coverage": "share of REAL balls holding at least one SYNTH item",
    "utility_tstr": "user identification trained on SYNTH, session top-1 accuracy on REAL",
    "utility_trtr": "the same model trained on real data, session top-1 accuracy on REAL",
    "utility_tstr_item": "TSTR top-1 accuracy per item",
    "utility_trtr_item": "TRTR top-1 accuracy per item",
    "utility_ratio": "utility_tstr / utility_trtr",
    "dcr_frac_below_p1": "share of SYNTH items closer to a fitting record than REAL's 1st percentile",
    "dcr_synth_below_p1": "number of such SYNTH items",
    "dcr_synth_min": "smallest SYNTH distance to a fitting record",
    "dcr_synth_median": "median SYNTH distance to the closest fitting record",
    "dcr_real_median": "median REAL (held-out) distance to the closest fitting record",
    "dcr_ratio": "dcr_synth_median / dcr_real_median (about 1 or more: no copying)",
    "mia_auc": "membership-inference AUC per item (0.5 = the attacker learns nothing)",
    "mia_auc_session": "membership-inference AUC per session",
    "reid_top1_synth": "--people same: share of SYNTH sessions attributed to their own person",
    "reid_top1_real": "share of REAL held-out sessions attributed to their own person",
    "reid_top1_gap": "reid_top1_real - reid_top1_synth (points of fidelity per person lost)",
    "reid_max_share": "largest share of SYNTH sessions attributed to one recorded person",
    "reid_chance": "1 / number of recorded people",
    "reid_max_share_over_chance": "reid_max_share / reid_chance (1 = chance)",
    "reid_max_share_over_chance_null": "95th percentile of reid_max_share_over_chance if every session went to a "
                                       "person drawn at random: what chance alone gives with this many sessions",
}


@dataclass
class ModalityResult:
    modality: str
    n_real: int
    n_synth: int
    people_real: int
    people_synth: int
    c2st: C2ST
    distances: list[FeatureDistance]
    diversity: Diversity
    utility: Utility | None
    privacy: Privacy | None
    notes: list[str] = field(default_factory=list)
    shown: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    """Worst features' values (REAL, SYNTH), kept for the report's overlaid distributions."""

    def metrics(self) -> dict[str, float]:
        m: dict[str, float | None] = {
            "auc": self.c2st.auc, "auc_ci_low": self.c2st.ci_low, "auc_ci_high": self.c2st.ci_high,
            "eer": self.c2st.eer,
            "ks_max": self.distances[0].ks if self.distances else None,
            "wasserstein_max": max((d.wasserstein_sd for d in self.distances), default=None),
            "precision": self.diversity.precision, "recall": self.diversity.recall,
            "density": self.diversity.density, "coverage": self.diversity.coverage,
        }
        u = self.utility
        if u is not None:
            m.update(utility_tstr=u.tstr_session, utility_tstr_item=u.tstr_item, utility_trtr=u.trtr_session,
                     utility_trtr_item=u.trtr_item,
                     utility_ratio=u.tstr_session / u.trtr_session if u.trtr_session else None)
        p = self.privacy
        if p is not None:
            m.update(dcr_frac_below_p1=p.frac_below_p1, dcr_synth_below_p1=p.synth_below_p1,
                     dcr_synth_min=p.dcr_synth_min, dcr_synth_median=p.dcr_synth_median,
                     dcr_real_median=p.dcr_real_median, dcr_ratio=p.dcr_ratio, mia_auc=p.mia_auc,
                     mia_auc_session=p.mia_auc_session)
            r = p.reid
            if r is not None:
                m.update(reid_max_share=r.max_share_session, reid_chance=r.chance,
                         reid_max_share_over_chance=r.max_share_over_chance,
                         reid_max_share_over_chance_null=r.max_share_over_chance_null,
                         reid_top1_synth=r.top1_synth_session,
                         reid_top1_real=r.top1_real_session,
                         reid_top1_gap=(r.top1_real_session - r.top1_synth_session
                                        if r.top1_real_session is not None and r.top1_synth_session is not None
                                        else None))
        return {k: float(v) for k, v in m.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}

    def to_dict(self) -> dict:
        return {
            "n_real": self.n_real, "n_synth": self.n_synth, "people_real": self.people_real,
            "people_synth": self.people_synth, "c2st": self.c2st.summary(),
            "distances": [d.to_dict() for d in self.distances], "diversity": self.diversity.to_dict(),
            "utility": self.utility.to_dict() if self.utility else None,
            "privacy": self.privacy.to_dict() if self.privacy else None, "notes": self.notes,
        }


@dataclass
class FidelityResult:
    real: str
    synth: str
    fitting: str | None
    seed: int
    modalities: dict[str, ModalityResult]
    notes: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """Every number as ``modality.measure`` (e.g. ``mouse.auc``)."""
        return {f"{mod}.{k}": v for mod, r in self.modalities.items() for k, v in r.metrics().items()}

    def to_json(self) -> str:
        doc = {"hcisim_version": __version__, "real": self.real, "synth": self.synth, "fitting": self.fitting,
               "seed": self.seed, "metrics": self.metrics(), "notes": self.notes,
               "modalities": {m: r.to_dict() for m, r in self.modalities.items()}}
        return json.dumps(_finite(doc), indent=2, sort_keys=True) + "\n"


def _finite(v):
    """JSON has no NaN/inf: write them as null."""
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


# -- evaluation -------------------------------------------------------------------------------------

def _check_compatible(a: DatasetItems, b: DatasetItems, what: str) -> None:
    if a.coordinate_space != b.coordinate_space:
        raise HcisimError(f"{what}: coordinate spaces differ ({a.root} is {a.coordinate_space}, {b.root} is "
                          f"{b.coordinate_space}); compare mouse data recorded in the same space "
                          f"(or only typing: --modality typing when augmenting)")


def evaluate(real: Path, synth: Path, *, fitting: Path | None = None, seed: int = 0,
             progress: Callable[[int, int], None] | None = None) -> FidelityResult:
    """Fidelity, diversity, utility and (with ``fitting``) privacy of SYNTH against REAL.

    Runs the learners on one thread (`simulator.threads`).
    """
    from simulator.threads import one_thread

    with one_thread():
        return _evaluate(Path(real), Path(synth), fitting=Path(fitting) if fitting is not None else None,
                         seed=seed, progress=progress)


def _evaluate(real: Path, synth: Path, *, fitting: Path | None, seed: int,
              progress: Callable[[int, int], None] | None) -> FidelityResult:
    steps = 3 + 4 * len(MODALITIES)
    done = 0

    def step(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, steps), steps)

    R = load_items(real)
    step()
    S = load_items(synth)
    step()
    Fd = load_items(fitting) if fitting is not None else None
    step()
    notes = _dataset_notes({"REAL": real, "SYNTH": synth, **({"the fitting data": fitting} if fitting else {})})
    if fitting is None:
        notes.append("privacy not measured: give --fitting DATASET (the data the generator was fitted on)")
    results: dict[str, ModalityResult] = {}
    for mod in MODALITIES:
        r, s = R.get(mod), S.get(mod)
        missing = [name for name, x in (("REAL", r), ("SYNTH", s)) if x is None or len(x) < MIN_ITEMS]
        if missing:
            notes.append(f"{mod} skipped: {' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} fewer "
                         f"than {MIN_ITEMS} {'movements' if mod == 'mouse' else 'typed segments'}")
            step(4)
            continue
        f = Fd.get(mod) if Fd is not None else None
        if mod == "mouse":  # positions are compared; key timing has no coordinate space
            _check_compatible(R, S, "REAL and SYNTH")
            if f is not None:
                _check_compatible(R, Fd, "REAL and the fitting data")
        same = S.people_mode == "same" if S.people_mode else S.people_explicit
        results[mod] = _measure(mod, r, s, f, synth_people_named=same, seed=seed, step=step)
        if Fd is not None and (f is None or len(f) < MIN_ITEMS):
            results[mod].notes.append(f"privacy not measured: the fitting data has fewer than {MIN_ITEMS} items")
    if not results:
        raise HcisimError(f"nothing to compare: {'; '.join(n for n in notes if not n.startswith('privacy'))}")
    return FidelityResult(str(real), str(synth), str(fitting) if fitting is not None else None, seed, results, notes)


def _dataset_notes(datasets: dict[str, Path]) -> list[str]:
    """What the datasets' manifests say against the comparison (each manifest read once):

    - a dataset judged against itself scores as indistinguishable and private whatever generated it;
    - SYNTH made by `hcisim augment` names its input by content (``source.dataset_sha256``): the fitting data
      not being that input, or REAL being it -- REAL and --fitting given the wrong way round score as private."""
    from simulator.dataset import read_dataset

    manifests = {name: read_dataset(p).manifest for name, p in datasets.items()}
    ids = {name: m.content_sha256() for name, m in manifests.items()}
    names = list(ids)
    notes = [f"{a} and {b} are the same data: their scores say nothing about a generator"
             for i, a in enumerate(names) for b in names[i + 1:] if ids[a] == ids[b]]
    source = manifests["SYNTH"].source or {}
    made_from = source.get("dataset_sha256")
    if not made_from:  # not augment output: nothing says what it was fitted on
        return notes
    name = source.get("dataset") or "its source"
    fitting = datasets.get("the fitting data")
    if fitting is not None and ids["the fitting data"] != made_from:
        notes.append(f"the fitting data ({fitting.name}) is not the dataset SYNTH was augmented from ({name}): its "
                     "privacy figures compare SYNTH with data its models were not fitted on")
    if ids["REAL"] == made_from:
        notes.append(f"REAL ({datasets['REAL'].name}) is the dataset SYNTH was augmented from: REAL should be data "
                     "the generator did not see")
    return notes


def _measure(mod: str, real: Items, synth: Items, fitting: Items | None, *, synth_people_named: bool, seed: int,
             step: Callable[[], None]) -> ModalityResult:
    rng = lambda part: rng_for(seed, "fidelity", mod, part)  # noqa: E731
    r_c, s_c = real.sample(MAX_C2ST, rng("c2st-sample")), synth.sample(MAX_C2ST, rng("c2st-sample-synth"))
    c2 = two_sample_test(r_c.X, s_c.X, groups_real=r_c.person, groups_synth=s_c.person, sessions_real=r_c.session,
                         sessions_synth=s_c.session, rng=rng("c2st"))
    dist = feature_distances(real.X, synth.X, real.names)
    shown_rng = rng("shown")
    r_p, s_p = real.sample(MAX_C2ST, shown_rng), synth.sample(MAX_C2ST, shown_rng)
    shown = {d.name: (r_p.X[:, real.names.index(d.name)], s_p.X[:, real.names.index(d.name)])
             for d in dist[:WORST_SHOWN]}
    step()
    notes: list[str] = []
    if c2.grouped_by != "person":
        notes.append(f"the discriminator's folds are grouped by {c2.grouped_by}: fewer than {MIN_PERSONS} people on a "
                     f"side")
    if c2.ci_high < 0.5:
        notes.append(f"AUC {c2.auc:.2f} is below 0.5 beyond its interval: the folds' models disagree (SYNTH's people "
                     f"mirror REAL's under other names, or sides share few people); read it as not distinguishable "
                     f"by this test, not as a measure of how close SYNTH is")
    try:
        div = prdc(real.X, synth.X, rng("diversity"))
    except ValueError as exc:
        raise HcisimError(f"{mod}: {exc}") from None
    step()
    util = identification_utility(real, synth, fitting, rng("utility"))
    if isinstance(util, str):
        notes.append(util)
        util = None
    step()
    priv = None
    if fitting is not None and len(fitting) >= MIN_ITEMS:
        priv = privacy(real, synth, fitting, synth_people_named=synth_people_named, rng=rng("privacy"))
        if priv.reid is None:
            notes.append("re-identification not measured: the fitting data has fewer than 2 people")
    step()
    return ModalityResult(mod, len(real), len(synth), len(set(real.person)), len(set(synth.person)), c2, dist, div,
                          util, priv, notes, shown)


# -- thresholds -------------------------------------------------------------------------------------

@dataclass
class Threshold:
    name: str
    limit: float
    kind: str  # "under" (fail when value < limit) or "over" (fail when value > limit)

    @property
    def flag(self) -> str:
        return f"--fail-{self.kind} {self.name}={self.limit:g}"


def parse_thresholds(specs: list[str] | None, kind: str) -> list[Threshold]:
    """``NAME=X`` pairs; NAME is a measure (``auc``: every modality) or ``modality.measure``."""
    out = []
    for spec in specs or []:
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep:
            raise HcisimError(f"--fail-{kind} {spec!r}: expected NAME=VALUE, e.g. mouse.auc=0.7")
        try:
            limit = float(value)
        except ValueError:
            limit = float("nan")
        if not np.isfinite(limit):  # a NaN limit would make every comparison false: a gate that never shuts
            raise HcisimError(f"--fail-{kind} {spec!r}: {value!r} is not a finite number")
        mod, dot, measure = name.rpartition(".")
        if measure not in METRICS or (dot and mod not in MODALITIES):
            raise HcisimError(f"--fail-{kind} {spec!r}: unknown measure {name!r} (measures: {', '.join(METRICS)}; "
                              f"optionally prefixed by {' or '.join(m + '.' for m in MODALITIES)})")
        out.append(Threshold(name, limit, kind))
    return out


def check_thresholds(result: FidelityResult, thresholds: list[Threshold]) -> list[str]:
    """One line per violated threshold; a measure that could not be computed violates it too."""
    metrics = result.metrics()
    problems = []
    for th in thresholds:
        names = [th.name] if "." in th.name else [f"{m}.{th.name}" for m in result.modalities]
        for name in names:
            v = metrics.get(name)
            if v is None or v != v:  # absent or NaN: a gate must not pass on what it could not see
                problems.append(f"{name} was not measured ({th.flag})")
            elif (th.kind == "under" and v < th.limit) or (th.kind == "over" and v > th.limit):
                problems.append(f"{name} = {v:.6g} is {'below' if th.kind == 'under' else 'above'} {th.limit:g} "
                                f"({th.flag})")
    return problems


def _is_fidelity_json(path: Path) -> bool:
    earlier = json.loads(path.read_text(encoding="utf-8"))
    return isinstance(earlier, dict) and "hcisim_version" in earlier and "metrics" in earlier


FIDELITY_JSON = ("an earlier hcisim fidelity JSON", _is_fidelity_json)
"""For ``check_file_out(replaces=...)``: an earlier result may be replaced, a user's file not."""


def write_json(result: FidelityResult, out: Path) -> Path:
    out = Path(out)
    check_file_out(out, replaces=FIDELITY_JSON)
    write_atomic(out, result.to_json())
    return out


__all__ = ["K", "METRICS", "FidelityResult", "ModalityResult", "Threshold", "FIDELITY_JSON", "check_thresholds",
           "evaluate", "parse_thresholds", "write_json"]
