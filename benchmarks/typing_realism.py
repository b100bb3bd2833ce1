"""Typing realism benchmark: can a keystroke-dynamics detector tell generated typing from people?

    .venv/bin/python benchmarks/typing_realism.py [--aalto-users 120] [--seed 0] [--sweep] [--out typing_realism.html]

For each data set (Aalto transcription: held-out participants; free text: held-out segments of each
typist) the same texts are typed again by each generator -- hcisim (the data set's profile as fitted
without the held-out parts, benchmarks/profiles/: the shipped one is the same fit on all of the data,
`simulator.typing.shipped`; the same typist for free text), pyautogui-style fixed interval, Playwright-style fixed delay, uniform random
delays, i.i.d. lognormal -- and a gradient-boosting discriminator on per-text keystroke features
(simulator.typing.features) is scored by ROC AUC with 5-fold cross-validation grouped by text
(0.5: indistinguishable, 1.0: always caught). A first reference row scores held-out texts against
other recorded texts (Aalto: one text each of training participants; free text: the same typists'
training segments): the folds are not grouped by person, so a person's other texts help tell theirs
apart, and even recorded people do not score 0.5 -- that row is what a perfect generator would score (at its
own ~4.6 texts per person: the leak grows with texts per person, which ``--sweep`` measures). Each cell also
gives the AUC with folds grouped by person, where that leak is gone.
Also prints population figures of hcisim typing against Dhakal et al. (2018) and writes an HTML
report with the distributions.
"""

from __future__ import annotations

import argparse
import difflib
import html
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the machine is shared

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.readers.aalto import aalto_users, read_aalto  # noqa: E402
from simulator.readers.pynput_log import read_pynput  # noqa: E402
from simulator.typing import load_profile, synth_typing  # noqa: E402
from simulator.profiles import SHARED_DATA  # noqa: E402
from simulator.typing import splits  # noqa: E402
from simulator.typing.shipped import SOURCES, benchmark_path  # noqa: E402
from simulator.typing.features import FEATURES, feature_matrix  # noqa: E402
from simulator.typing.layout import get_layout  # noqa: E402
from simulator.typing.records import Keystrokes  # noqa: E402
from simulator.report.page import img, table, write_page  # noqa: E402
from simulator.typing.report import comparison_plots, texts_of  # noqa: E402

AALTO = SHARED_DATA / SOURCES["aalto"][0]
FREETEXT = SHARED_DATA / SOURCES["freetext"][0]
DHAKAL = {"mean IKI (ms)": (238.7, 111.6), "rollover (% keystrokes)": 25.0,
          "corrected errors (% keystrokes)": 6.3, "uncorrected errors (% chars)": 1.2}
MIN_KEYS = 15
REFERENCE = "recorded people (reference)"
FAST = "hcisim --candidates 1"  # the critic skipped: what the fast path costs in realism
BY_PERSON_WHY = ("with folds by text, a held-out person's ~15 texts train the discriminator on their own "
                 "cluster, which no generator of new people can match, and that leak grows with texts per person")
REFERENCE_WHAT = ("Aalto: one text each of other participants; free text: the same typists' training segments. "
                  "The folds are not grouped by person, so a person's other texts help tell theirs apart")


# -- baseline generators: what automation uses today ---------------------------------------------

def _rows(text: str, down: np.ndarray, up: np.ndarray, shift_down=None, shift_up=None) -> Keystrokes:
    lay = get_layout()
    keys = list(text.replace("\n", "\r"))
    keys = ["Enter" if k == "\r" else k for k in keys]
    press, rel, key = list(down), list(up), keys
    if shift_down is not None:
        m = np.array([lay.keys[c].shift if c in lay.keys else False for c in text])
        press += list(shift_down[m])
        rel += list(shift_up[m])
        key += ["Shift"] * int(m.sum())
    press, rel, key = np.array(press), np.array(rel), np.array(key, dtype=object)
    o = np.argsort(press, kind="stable")
    return Keystrokes("baseline", "", press[o] - press[o][0], rel[o] - press[o][0], key[o],
                      np.full(len(o), None, dtype=object))


def pyautogui_fixed(text: str, rng: np.random.Generator) -> Keystrokes:
    """pyautogui.write(text, interval=0.1): keyDown+keyUp back to back (Shift around capitals), fixed sleep."""
    n = len(text)
    jitter = rng.normal(0, 0.6, n).clip(-2, 2)  # OS scheduling noise, ms
    down = np.arange(n) * 101.5 + jitter
    up = down + rng.uniform(0.2, 1.2, n)
    return _rows(text, down + 0.3, up + 0.3, down - 0.2, up + 0.6)


def playwright_fixed(text: str, rng: np.random.Generator) -> Keystrokes:
    """page.keyboard.type(text, delay=100): down, sleep(delay), up, next key; no Shift events."""
    n = len(text)
    hold = 100 + rng.normal(1.5, 0.8, n).clip(0, 5)
    gap = rng.normal(1.0, 0.4, n).clip(0.1, 4)
    down = np.r_[0, np.cumsum(hold + gap)[:-1]]
    return _rows(text, down, down + hold)


def uniform_random(text: str, rng: np.random.Generator) -> Keystrokes:
    """'Human typing' helpers: random.uniform(0.05, 0.25) s between keys, short random holds."""
    n = len(text)
    down = np.r_[0, np.cumsum(rng.uniform(50, 250, n - 1))]
    hold = rng.uniform(30, 120, n)
    return _rows(text, down, down + hold, down - rng.uniform(20, 60, n), down + hold + 5)


def iid_lognormal(text: str, rng: np.random.Generator) -> Keystrokes:
    """I.i.d. lognormal intervals and holds with population-like medians, Shift with a lognormal lead."""
    n = len(text)
    down = np.r_[0, np.cumsum(rng.lognormal(np.log(200), 0.5, n - 1))]
    hold = rng.lognormal(np.log(100), 0.3, n)
    lead = rng.lognormal(np.log(100), 0.4, n)
    return _rows(text, down, down + hold, down - lead, down + hold + rng.lognormal(np.log(30), 0.5, n))


BASELINES = {"pyautogui fixed interval": pyautogui_fixed, "playwright fixed delay": playwright_fixed,
             "uniform random": uniform_random, "iid lognormal": iid_lognormal}


# -- data ----------------------------------------------------------------------------------------

def held_out_aalto(n_users: int) -> list[Keystrokes]:
    test = [u for u in aalto_users(AALTO) if splits.aalto_is_test(u)][:n_users]
    return [r for r in read_aalto(AALTO, users=set(test)) if len(r) >= MIN_KEYS]


def held_out_freetext() -> list[Keystrokes]:
    return [r for r in read_pynput(FREETEXT) if splits.freetext_is_test(r.text_id)
            and len(r) >= MIN_KEYS]


def aalto_training_users() -> list[str]:
    return [u for u in aalto_users(AALTO) if not splits.aalto_is_test(u)]


def aalto_texts_by_person(users: set[str]) -> dict[str, list[Keystrokes]]:
    """The texts (of at least MIN_KEYS keys) of these Aalto participants, per participant."""
    by: dict[str, list[Keystrokes]] = {}
    for r in read_aalto(AALTO, users=users):
        if len(r) >= MIN_KEYS:
            by.setdefault(r.user, []).append(r)
    return by


def other_people_aalto(n: int, seed: int) -> list[Keystrokes]:
    """One text each of up to ``n`` training participants: recorded typing at its most varied (as hcisim's
    one new typist per text), so real-vs-this is what a perfect population generator would score."""
    rng = np.random.default_rng([seed, 7])
    by = aalto_texts_by_person(set(rng.permutation(aalto_training_users())[:n].tolist()))
    return [v[int(rng.integers(len(v)))] for _, v in sorted(by.items())]


def other_texts_freetext(real: list[Keystrokes], seed: int) -> list[Keystrokes]:
    """Training segments of the same typists, as many per typist as they have held out (where they have them)."""
    rng = np.random.default_rng([seed, 7])
    by: dict[str, list[Keystrokes]] = {}
    for r in read_pynput(FREETEXT):
        if not splits.freetext_is_test(r.text_id) and len(r) >= MIN_KEYS:
            by.setdefault(r.user, []).append(r)
    out = []
    for u in sorted({r.user for r in real}):
        pool = by.get(u, [])
        k = min(sum(r.user == u for r in real), len(pool))
        out += [pool[i] for i in rng.permutation(len(pool))[:k]]
    return out


def reference_aucs(real: list[Keystrokes], other: list[Keystrokes], seed: int) -> tuple[float, float]:
    """AUC of held-out texts vs other recorded texts (same number, a random subset of the held-out side),
    with folds by text and with folds grouped by person on both sides (see `auc`)."""
    n = min(len(real), len(other))
    rng = np.random.default_rng([seed, 8])
    sub = [real[i] for i in np.sort(rng.permutation(len(real))[:n])]
    oth = [other[i] for i in rng.permutation(len(other))[:n]]
    fs, fo = feature_matrix(sub), feature_matrix(oth)
    person = _person_index([r.user for r in sub] + [r.user for r in oth])  # free text: the same typists
    return auc(fs, fo, seed), auc(fs, fo, seed, person)


def per_person_sweep(real: list[Keystrokes], rf: np.ndarray, gf: np.ndarray, seed: int, reps: int = 3) -> list[tuple]:
    """How the person leak grows with texts per held-out person (Aalto): for 1, 2, ... texts of each
    held-out participant, the AUC of recorded people (as many training participants, one text each)
    and of hcisim (the same texts retyped), each a mean over ``reps`` random picks. The reference can
    only be measured while the training participants suffice; the full table's hcisim figure has all
    of each person's texts."""
    pool = aalto_texts_by_person(set(aalto_training_users()))
    names = sorted(pool)
    users = np.array([r.user for r in real])
    people = sorted(set(users.tolist()))
    out = []
    for k in range(1, len(names) // len(people) + 1):
        ref, hc = [], []
        for rep in range(reps):
            rng = np.random.default_rng([seed, k, rep])
            sub = np.sort(np.concatenate([rng.permutation(np.flatnonzero(users == u))[:k] for u in people]))
            other = [pool[names[i]][int(rng.integers(len(pool[names[i]])))] for i in rng.permutation(len(names))[:len(sub)]]
            ref.append(auc(rf[sub], feature_matrix(other), seed + rep))
            hc.append(auc(rf[sub], gf[sub], seed + rep))
        out.append((k, len(sub), float(np.mean(ref)), float(np.mean(hc))))
    return out


def _person_index(users: list[str]) -> np.ndarray:
    return np.unique(np.asarray(users, dtype=str), return_inverse=True)[1]


def generate(real: list[Keystrokes], profile, seed: int, per_typist: bool) -> tuple[dict, list]:
    texts = texts_of(real)
    keep = [i for i, s in enumerate(texts) if len(s) >= 3]
    texts = [texts[i] for i in keep]
    real = [real[i] for i in keep]
    users = [r.user if per_typist else None for r in real]
    ev = synth_typing(texts, profile=profile, rng=np.random.default_rng(seed), users=users)
    fast = synth_typing(texts, profile=profile, rng=np.random.default_rng(seed), users=users, candidates=1)
    gens = {"hcisim": [e.to_keystrokes() for e in ev], FAST: [e.to_keystrokes() for e in fast]}
    for name, fn in BASELINES.items():
        rng = np.random.default_rng([seed, len(name)])
        gens[name] = [fn(s, rng) for s in texts]
    return gens, real, texts, ev


# -- discriminator ---------------------------------------------------------------------------------

def auc(real_f: np.ndarray, gen_f: np.ndarray, seed: int = 0, groups: np.ndarray | None = None) -> float:
    """Out-of-fold ROC AUC, recorded vs generated. Folds are grouped by text: a text and its regeneration
    share a fold (the discriminator cannot learn the text). ``groups`` (one per row of both sides) groups
    them otherwise -- by person, so no fold holds texts of a person whose other texts it trains on."""
    from sklearn.metrics import roc_auc_score

    from simulator.fidelity.c2st import oof_scores

    X = np.r_[real_f, gen_f]
    y = np.r_[np.zeros(len(real_f)), np.ones(len(gen_f))]
    if groups is None:
        groups = np.r_[np.arange(len(real_f)), np.arange(len(gen_f))]
    oof = oof_scores(X, y, groups, seed=seed, learning_rate=0.08)
    return float(roc_auc_score(y, oof))


def importances(real_f: np.ndarray, gen_f: np.ndarray) -> list[tuple[str, float]]:
    """Which features give hcisim away (one-feature AUC distance from 0.5), for the report."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(real_f)), np.ones(len(gen_f))]
    out = []
    for j, name in enumerate(FEATURES):
        x = np.r_[real_f[:, j], gen_f[:, j]]
        x = np.where(np.isfinite(x), x, np.nanmedian(x) if np.isfinite(x).any() else 0)
        out.append((name, abs(roc_auc_score(y, x) - 0.5) + 0.5))
    return sorted(out, key=lambda t: -t[1])


# -- population figures ----------------------------------------------------------------------------

def population_figures(recs: list[Keystrokes], texts: list[str] | None, finals: list[str] | None) -> dict:
    iki_means, roll, bk, n = [], 0, 0, 0
    for r in recs:
        o = np.argsort(r.press_ms, kind="stable")
        p, rel = r.press_ms[o], r.release_ms[o]
        iki_means.append(np.mean(np.diff(p)))
        roll += int(np.sum(p[1:] < rel[:-1]))
        bk += int(np.sum(r.key == "Backspace"))
        n += len(p)
    out = {"mean IKI (ms)": (float(np.mean(iki_means)), float(np.std(iki_means))),
           "rollover (% keystrokes)": 100 * roll / n, "corrected errors (% keystrokes)": 100 * bk / n}
    if texts is not None and finals is not None:
        wrong = sum(max(len(a), len(b)) * (1 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio())
                    for a, b in zip(texts, finals))
        out["uncorrected errors (% chars)"] = 100 * wrong / sum(len(a) for a in texts)
    return out


def fmt_fig(v) -> str:
    return f"{v[0]:.1f} ± {v[1]:.1f}" if isinstance(v, tuple) else f"{v:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aalto-users", type=int, default=120, help="held-out Aalto participants to judge on")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("typing_realism.html"))
    ap.add_argument("--sweep", action="store_true",
                    help="also measure, for 1, 2, ... texts per held-out Aalto participant, recorded people vs hcisim")
    args = ap.parse_args(argv)
    t0 = time.time()
    results: dict[str, dict[str, float]] = {}
    by_person: dict[str, dict[str, float]] = {}
    sections = []
    figures = {}
    for ds, loader, prof_name, per_typist in (
            ("aalto", lambda: held_out_aalto(args.aalto_users), "aalto", False),
            ("freetext", held_out_freetext, "freetext", True)):
        real = loader()
        gens, real, texts, ev = generate(real, load_profile(benchmark_path(prof_name)), args.seed, per_typist)
        rf = feature_matrix(real)
        person = _person_index([r.user for r in real])
        results[ds], by_person[ds] = {}, {}
        feats = {name: feature_matrix(recs) for name, recs in gens.items()}
        for name, gf in feats.items():
            results[ds][name] = auc(rf, gf, args.seed)
            by_person[ds][name] = auc(rf, gf, args.seed, np.r_[person, person])  # a retyped text goes with its typist's
        results[ds]["_n"] = len(real)
        if ds == "aalto" and args.sweep:
            sweep = per_person_sweep(real, rf, feats["hcisim"], args.seed)
        other = other_people_aalto(len(real), args.seed) if ds == "aalto" else other_texts_freetext(real, args.seed)
        results[ds][REFERENCE], by_person[ds][REFERENCE] = reference_aucs(real, other, args.seed)
        imp = importances(rf, feats["hcisim"])[:8]
        figs = comparison_plots(real, {"hcisim": gens["hcisim"], "iid lognormal": gens["iid lognormal"]})
        real_fig = population_figures(real, [r.intended for r in real] if ds == "aalto" else None,
                                      [r.submitted for r in real] if ds == "aalto" else None)
        gen_fig = population_figures(gens["hcisim"], texts, [e.text for e in ev])
        figures[ds] = (real_fig, gen_fig)
        sections.append((f"{ds}: recorded (held out, {len(real)} texts) vs generated",
                         "".join(img(f, "plot") for f in figs)
                         + "<h3>features that separate hcisim most (single-feature AUC)</h3>"
                         + table([[k, f"{v:.3f}"] for k, v in imp], ["feature", "AUC"])))
        print(f"[{time.time() - t0:5.0f} s] {ds}: {len(real)} held-out texts done", file=sys.stderr)

    names = [REFERENCE, "hcisim", FAST, *BASELINES]
    print("\nROC AUC of a gradient-boosting discriminator, recorded (held out) vs generated; 5-fold CV")
    print(f"(first row: held-out texts vs other recorded ones -- {REFERENCE_WHAT} -- what a perfect generator scores)")
    print("(second figure: folds grouped by person -- the discriminator never trains on texts of a person it is")
    print(" tested on, as a detector meets people it has not seen; " + BY_PERSON_WHY + ")")
    print(f"{'generator':28s}" + "".join(f"{ds + ' (n=' + str(results[ds]['_n']) + ')':>22s}" for ds in results))
    rows = []
    for g in names:
        cells = [f"{results[ds][g]:.3f} / {by_person[ds][g]:.3f}" for ds in results]
        print(f"{g:28s}" + "".join(f"{c:>22s}" for c in cells))
        rows.append([g] + cells)
    if args.sweep:
        print("\nAalto, folds by text, with k texts of each held-out participant (mean of 3 picks): the person leak grows with k")
        print(f"{'k':>3s}{'texts':>8s}{'recorded people':>18s}{'hcisim':>10s}")
        for k, n, ref, hc in sweep:
            print(f"{k:3d}{n:8d}{ref:18.3f}{hc:10.3f}")
    print("\nPopulation figures (Aalto held-out texts) vs Dhakal et al. 2018")
    print(f"{'figure':34s}{'published':>16s}{'recorded':>16s}{'hcisim':>16s}")
    pop_rows = []
    real_fig, gen_fig = figures["aalto"]
    for k, pub in DHAKAL.items():
        r = [k, fmt_fig(pub), fmt_fig(real_fig.get(k, float("nan"))), fmt_fig(gen_fig.get(k, float("nan")))]
        print(f"{r[0]:34s}{r[1]:>16s}{r[2]:>16s}{r[3]:>16s}")
        pop_rows.append(r)
    ft_real, ft_gen = figures["freetext"]
    print("\nFree text (held-out segments): recorded vs hcisim")
    for k in ("mean IKI (ms)", "rollover (% keystrokes)", "corrected errors (% keystrokes)"):
        print(f"{k:34s}{fmt_fig(ft_real[k]):>16s}{fmt_fig(ft_gen[k]):>16s}")
    sections = [
        ("ROC AUC (0.5 = indistinguishable): folds by text / folds by person",
         table(rows, ["generator", *[f"{d} (n={results[d]['_n']})" for d in results]])
         + f"<p>Folds by person: {BY_PERSON_WHY}.</p>"),
        ("population figures (Aalto held out) vs Dhakal et al. 2018",
         table(pop_rows, ["figure", "published", "recorded", "hcisim"])),
        *sections]
    write_page(args.out, "hcisim typing realism", "".join(f"<h2>{html.escape(h)}</h2>{c}" for h, c in sections))
    print(f"\nreport: {args.out}  ({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
