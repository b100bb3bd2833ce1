"""Realism benchmark: can a discriminator tell hcisim (and peer generators) from held-out real movements?

One command: ``python benchmarks/mouse_realism.py [--n 1000] [--report mouse_realism.html]``.

For each shared data set (SapiMouse, Balabit) the held-out part (see
simulator/mouse/splits.py) is cut into movements with the issue's rule. Their
(start, press) pairs are synthesised by ``hcisim synth-moves`` (the file contract,
with the data set's own profile as fitted on the training part alone:
benchmarks/profiles/, which never saw the held-out part; the shipped profiles are
the same fit on all of the data, `simulator.mouse.shipped`) and
by re-implementations of peer algorithms. A gradient-boosting discriminator on
kinematic features (5-fold CV) separates real from each generator; the table
gives ROC AUC and EER with all features and without sampling-interval ones,
the AUC with folds grouped by person (no fold tests on a person whose other
movements it trained on), plus the most telling features. 0.5 = indistinguishable.

Privacy check: every movement's path is normalised (start (0, 0) -> end (1, 0))
and read at 33 arc-length points; the share of hcisim movements nearer to a
training (fitting) movement than the 1st percentile of held-out-real-to-training
distances should be about 1 % or less (a generator that copied the recorded
people would score far more).

A reference row ("recorded (ref)") scores held-out movements against training movements of other
people, 20 per person as synth-moves makes them: the folds are not grouped by person, so even recorded
people do not score 0.5; that row is what a perfect generator would score.

Peers are given the data set's fitted capture layer (the same device as hcisim's
typical user), so what separates them is the motion itself, not the clock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.mouse import apply_device, load_profile, synth_moves_file  # noqa: E402
from simulator.mouse.shipped import SOURCES, benchmark_path  # noqa: E402
from simulator.mouse.features import KINEMATIC, NAMES, features  # noqa: E402
from simulator.mouse.fit import read_logs  # noqa: E402
from simulator.mouse.splits import split  # noqa: E402
from simulator.mouse.synth import _device_mix  # noqa: E402
from simulator.readers.common import cut_movements  # noqa: E402

SETS = {name: root for name, (root, _cite) in SOURCES.items()}
"""Each data set's recorded logs: those its profiles were fitted on (simulator.mouse.shipped)."""


# -- peer generators: continuous (1 ms) trajectories, then the data set's device ---------------------

def _ease_in_out_quad(n):
    return np.where(n < 0.5, 2 * n * n, -1 + (4 - 2 * n) * n)


def pyautogui_like(x0, y0, x1, y1, rng):
    """pyautogui.moveTo(x, y, duration, tween=easeInOutQuad): 50 ms steps (MINIMUM_SLEEP) along a line."""
    dur = rng.uniform(300, 1000)
    steps = max(int(dur / 50), 1)
    ts = np.arange(steps + 1) * dur / steps
    s = _ease_in_out_quad(ts / dur)
    t = np.arange(0, dur + 1, 1.0)
    k = np.minimum(np.searchsorted(ts, t, side="right") - 1, steps)
    return t, np.rint(x0 + (x1 - x0) * s[k]), np.rint(y0 + (y1 - y0) * s[k])


def windmouse(x0, y0, x1, y1, rng, G0=9.0, W0=3.0, M0=15.0, D0=12.0):
    """Benjamin Land's WindMouse (gravity + wind), one step per ~10 ms."""
    sqrt3, sqrt5 = np.sqrt(3), np.sqrt(5)
    x, y, vx, vy, wx, wy = float(x0), float(y0), 0.0, 0.0, 0.0, 0.0
    xs, ys = [x], [y]
    M = M0
    for _ in range(5000):
        dist = np.hypot(x1 - x, y1 - y)
        if dist < 1:
            break
        wm = min(W0, dist)
        if dist >= D0:
            wx = wx / sqrt3 + (2 * rng.random() - 1) * wm / sqrt5
            wy = wy / sqrt3 + (2 * rng.random() - 1) * wm / sqrt5
        else:
            wx /= sqrt3
            wy /= sqrt3
            M = M / sqrt3 if M >= 3 else rng.random() * 3 + 3
        vx += wx + G0 * (x1 - x) / dist
        vy += wy + G0 * (y1 - y) / dist
        vm = np.hypot(vx, vy)
        if vm > M:
            vc = M / 2 + rng.random() * M / 2
            vx, vy = vx / vm * vc, vy / vm * vc
        x, y = x + vx, y + vy
        xs.append(x)
        ys.append(y)
    xs.append(x1)
    ys.append(y1)
    ts = np.cumsum(np.r_[0, rng.uniform(8, 12, len(xs) - 1)])
    t = np.arange(0, ts[-1] + 1, 1.0)
    k = np.searchsorted(ts, t, side="right") - 1
    return t, np.asarray(xs)[k], np.asarray(ys)[k]


def bezier_fitts(x0, y0, x1, y1, rng):
    """ghost-cursor / HumanCursor: cubic Bezier with random control points, Fitts step count, one move per frame."""
    D = np.hypot(x1 - x0, y1 - y0)
    spread = np.clip(D, 2, 200)
    ux, uy = (x1 - x0) / max(D, 1e-9), (y1 - y0) / max(D, 1e-9)
    px, py = -uy, ux
    c1 = np.array([x0 + (x1 - x0) * rng.uniform(0.1, 0.5), y0 + (y1 - y0) * rng.uniform(0.1, 0.5)])
    c2 = np.array([x0 + (x1 - x0) * rng.uniform(0.5, 0.9), y0 + (y1 - y0) * rng.uniform(0.5, 0.9)])
    side = rng.choice([-1, 1])
    c1 += side * rng.uniform(0, spread) * np.array([px, py])
    c2 += side * rng.uniform(0, spread) * np.array([px, py])
    fitts = 2 * np.log2(D / 100 + 1)
    steps = int(np.ceil((np.log2(fitts + 1) + 25 * rng.uniform(0.6, 1.0)) * 3))
    u = np.linspace(0, 1, steps)[:, None]
    P = ((1 - u) ** 3 * [x0, y0] + 3 * (1 - u) ** 2 * u * c1 + 3 * (1 - u) * u ** 2 * c2 + u ** 3 * [x1, y1])
    ts = np.arange(steps) * 16.7
    t = np.arange(0, ts[-1] + 1, 1.0)
    k = np.searchsorted(ts, t, side="right") - 1
    return t, P[k, 0], P[k, 1]


def minjerk_noise(x0, y0, x1, y1, rng):
    """Minimum-jerk profile, Fitts duration, Gaussian position noise."""
    D = np.hypot(x1 - x0, y1 - y0)
    T = (200 + 150 * np.log2(D / 40 + 1)) * rng.lognormal(0, 0.2)
    t = np.arange(0, T + 1, 1.0)
    tau = t / T
    s = 10 * tau ** 3 - 15 * tau ** 4 + 6 * tau ** 5
    n = rng.normal(0, 1.0, (len(t), 2))
    n[-1] = 0
    return t, x0 + (x1 - x0) * s + n[:, 0], y0 + (y1 - y0) * s + n[:, 1]


PEERS = {"pyautogui": pyautogui_like, "windmouse": windmouse, "bezier_fitts": bezier_fitts,
         "minjerk_noise": minjerk_noise}


def run_peer(fn, pairs, device, rng):
    ts, xs, ys, lens = [], [], [], []
    for x0, y0, x1, y1 in pairs:
        t, x, y = fn(x0, y0, x1, y1, rng)
        t, x, y = apply_device(t, x, y, device, rng)
        ts.append(t - t[0])
        xs.append(x)
        ys.append(y)
        lens.append(len(t))
    return np.concatenate(ts), np.concatenate(xs), np.concatenate(ys), np.r_[0, np.cumsum(lens)]


def run_hcisim(pairs, profile, seed, candidates=None):
    """hcisim through the synth-moves contract; ``candidates=1`` is the fast path without the critic."""
    import pyarrow.parquet as pq
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "pairs.csv"
        rows = "\n".join(f"{i},{a:.0f},{b:.0f},{c:.0f},{e:.0f}" for i, (a, b, c, e) in enumerate(pairs))
        csv.write_text("pair_id,x0,y0,x1,y1\n" + rows + "\n")
        out = Path(d) / "out.parquet"
        synth_moves_file(csv, out, profile=profile, seed=seed, candidates=candidates)
        tab = pq.read_table(out)
    pid = tab["pair_id"].to_numpy()
    counts = np.bincount(pid, minlength=len(pairs))
    return (tab["t_ms"].to_numpy(), tab["x"].to_numpy(), tab["y"].to_numpy(), np.r_[0, np.cumsum(counts)])


# -- privacy: no synthetic movement may copy a recorded one ----------------------------------------------

def normalised_paths(t, x, y, off):
    """Each movement's path rotated/scaled onto start (0, 0) -> end (1, 0), read at 33 arc-length points."""
    from simulator.mouse.shape import normalise
    last = off[1:] - 1
    return normalise(t, x, y, off, x[last], y[last])[0]


def nn_dist(A, B, chunk=500):
    """Euclidean distance from each row of A to its nearest row of B."""
    bb = np.sum(B * B, 1)
    out = np.empty(len(A))
    for i in range(0, len(A), chunk):
        a = A[i:i + chunk]
        d2 = np.sum(a * a, 1)[:, None] + bb[None] - 2 * a @ B.T
        out[i:i + chunk] = np.sqrt(np.maximum(d2.min(1), 0))
    return out


def privacy(train, real, syn):
    """Share of synthetic movements closer to a training movement than the 1st percentile of held-out-real ones."""
    P_tr = normalised_paths(*train)
    q01 = np.percentile(nn_dist(normalised_paths(*real), P_tr), 1)
    d_syn = nn_dist(normalised_paths(*syn), P_tr)
    return float(np.mean(d_syn < q01)), float(q01), float(np.median(d_syn))


# -- discriminator -------------------------------------------------------------------------------------

def discriminate(F_real, F_syn, cols, seed=0, groups=None):
    """ROC AUC and EER of out-of-fold scores, real vs synthetic; ``groups`` (one per row of both sides) keeps
    each group in one fold (None: folds by movement)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    from simulator.fidelity.c2st import oof_scores

    X = np.vstack([F_real[:, cols], F_syn[:, cols]])
    y = np.r_[np.ones(len(F_real)), np.zeros(len(F_syn))]
    p = oof_scores(X, y, groups, seed=seed)
    auc = roc_auc_score(y, p)
    fpr, tpr, _ = roc_curve(y, p)
    i = np.argmin(np.abs(fpr - (1 - tpr)))
    return auc, (fpr[i] + 1 - tpr[i]) / 2


def top_features(F_real, F_syn, k=3):
    from sklearn.ensemble import GradientBoostingClassifier
    X = np.nan_to_num(np.vstack([F_real, F_syn]), nan=-1.0)
    y = np.r_[np.ones(len(F_real)), np.zeros(len(F_syn))]
    clf = GradientBoostingClassifier(n_estimators=80, max_depth=3, random_state=0).fit(X, y)
    return [NAMES[i] for i in np.argsort(clf.feature_importances_)[::-1][:k]]


# -- report plots ----------------------------------------------------------------------------------------

def speed_profile(t, x, y, off, bins=20):
    acc = np.zeros(bins)
    n = 0
    for i in range(len(off) - 1):
        a, b = off[i], off[i + 1]
        if b - a < 4:
            continue
        tt, xx, yy = t[a:b], x[a:b], y[a:b]
        T = tt[-1] - tt[0]
        if T <= 0:
            continue
        v = np.hypot(np.diff(xx), np.diff(yy)) / np.maximum(np.diff(tt), 1)
        mid = ((tt[1:] + tt[:-1]) / 2 - tt[0]) / T
        prof = np.interp((np.arange(bins) + 0.5) / bins, mid, v)
        if prof.max() > 0:
            acc += prof / prof.max()
            n += 1
    return acc / max(n, 1)


def plots(name, gens, pairs, report_parts):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from simulator.report.page import figure

    D = np.hypot(pairs[:, 2] - pairs[:, 0], pairs[:, 3] - pairs[:, 1])
    ID = np.log2(D / 20 + 1)
    fig, axs = plt.subplots(1, 4, figsize=(20, 4.2))
    for g, (t, x, y, off) in gens.items():
        lw = 2.5 if g in ("real", "hcisim") else 1
        axs[0].plot(np.linspace(0, 1, 20), speed_profile(t, x, y, off), lw=lw, label=g)
        T = t[off[1:] - 1] - t[off[:-1]]
        bins = np.linspace(ID.min(), ID.max(), 12)
        k = np.digitize(ID, bins)
        med = [np.median(T[k == j]) if np.any(k == j) else np.nan for j in range(1, len(bins))]
        axs[1].plot((bins[1:] + bins[:-1]) / 2, med, lw=lw, marker="o", ms=3, label=g)
        F = features(t, x, y, off)
        dv = F[:, NAMES.index("dev_max")]
        axs[2].hist(dv[np.isfinite(dv)], np.linspace(0, 0.6, 40), histtype="step", density=True, lw=lw, label=g)
        dt = np.diff(t)[np.diff(off.searchsorted(np.arange(len(t)), "right")) == 0]
        axs[3].hist(dt[(dt >= 0) & (dt < 300)], np.linspace(0, 300, 75), histtype="step", density=True, lw=lw, label=g)
    axs[0].set(title="mean speed profile (normalised)", xlabel="time / duration")
    axs[1].set(title="median duration vs ID = log2(D/20+1)", xlabel="ID (bits)", ylabel="ms")
    axs[2].set(title="max path deviation / distance")
    axs[3].set(title="sampling intervals (ms)", yscale="log")
    axs[0].legend(fontsize=8)
    report_parts.append(f"<h2>{name}</h2>" + figure(fig))


REFERENCE = "recorded (ref)"
"""Held-out movements vs training movements of other people, PERSON_BLOCK per person as synth-moves makes them:
the folds are not grouped by person, so a person's other movements (and their device) help tell theirs apart,
and even recorded people do not score 0.5. What a perfect generator would score."""


def other_people(mv_train, n: int, seed: int):
    """``n`` training movements, PERSON_BLOCK at a time from people in random order."""
    from simulator.mouse.synth import PERSON_BLOCK

    rng = np.random.default_rng([seed, 7])
    users = mv_train.user.astype(str)
    picked: list[int] = []
    while len(picked) < n:
        for u in rng.permutation(np.unique(users)):
            ii = np.flatnonzero(users == u)
            picked += rng.choice(ii, min(PERSON_BLOCK, len(ii)), replace=False).tolist()
            if len(picked) >= n:
                break
    return mv_train.subset(np.sort(np.asarray(picked[:n])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="held-out movements per data set (subsample)")
    ap.add_argument("--report", type=Path, default=Path("mouse_realism.html"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sets", default="sapimouse,balabit")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    rows, parts, priv = [], [], []
    t_start = time.time()
    for name in args.sets.split(","):
        # each data set's subsample and peers from their own branches: `--sets balabit` or `--no-peers` judges
        # the same movements as the full run
        pick, rng = (np.random.default_rng([args.seed, list(SETS).index(name), k]) for k in (0, 1))
        train, held = split(name, read_logs(SETS[name], name))
        mv = cut_movements(held)
        mv_train = cut_movements(train)  # only for the privacy check: nothing is fitted here
        idx = np.sort(pick.permutation(len(mv))[: args.n])
        mv = mv.subset(idx)
        pairs = np.column_stack([mv.x[mv.offsets[:-1]], mv.y[mv.offsets[:-1]], mv.press_x, mv.press_y])
        fitted = benchmark_path(name)  # the training part's fit
        device = _device_mix(load_profile(fitted))
        gens = {"real": (mv.t_ms, mv.x, mv.y, mv.offsets), "hcisim": run_hcisim(pairs, fitted, args.seed),
                "hcisim --candidates 1": run_hcisim(pairs, fitted, args.seed, candidates=1)}
        if not args.no_peers:
            for g, fn in PEERS.items():
                gens[g] = run_peer(fn, pairs, device, rng)
        F = {g: features(*v) for g, v in gens.items()}
        kin = [NAMES.index(c) for c in KINEMATIC]
        allc = list(range(len(NAMES)))
        ref = other_people(mv_train, len(mv), args.seed)
        F[REFERENCE] = features(ref.t_ms, ref.x, ref.y, ref.offsets)
        # folds by person: a generated movement goes with the person whose (start, press) pair it was made for,
        # a reference movement with its own person (Balabit's training sessions are of the same ten users)
        who = np.unique(np.r_[mv.user, ref.user].astype(str), return_inverse=True)[1]
        held_who, ref_who = who[:len(mv)], who[len(mv):]
        for g in (REFERENCE, *gens):
            if g == "real":
                continue
            auc, eer = discriminate(F["real"], F[g], allc, args.seed)
            auc_k, eer_k = discriminate(F["real"], F[g], kin, args.seed)
            auc_p, _ = discriminate(F["real"], F[g], allc, args.seed,
                                    np.r_[held_who, ref_who if g == REFERENCE else held_who])
            rows.append((name, g, auc, eer, auc_k, eer_k, auc_p, ", ".join(top_features(F["real"], F[g]))))
        share, q01, med = privacy((mv_train.t_ms, mv_train.x, mv_train.y, mv_train.offsets), gens["real"],
                                  gens["hcisim"])
        priv.append(f"{name}: {100 * share:.2f} % of hcisim movements lie closer to a training movement than "
                    f"the 1st percentile of held-out-real-to-training distances ({q01:.4f}; hcisim median "
                    f"{med:.4f}); target <= ~1 %")
        plots(name, gens, pairs, parts)
    head = (f"{'data set':<10} {'generator':<22} {'AUC':>6} {'EER':>6} {'AUC kin':>8} {'EER kin':>8} "
            f"{'AUC by person':>14}  top features")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r[0]:<10} {r[1]:<22} {r[2]:6.3f} {r[3]:6.3f} {r[4]:8.3f} {r[5]:8.3f} {r[6]:14.3f}  {r[7]}")
    table = "\n".join(lines)
    print(table)
    print("\n".join(["privacy (normalised path, nearest training movement):", *priv]))
    print(f"({args.n} held-out movements per data set; 'kin' = without sampling-interval features; 'by person' = "
          f"folds grouped by person, so no fold tests on a person whose other movements it trained on; "
          f"{time.time() - t_start:.0f} s)")
    import html

    from simulator.report.page import write_page
    write_page(args.report, "hcisim mouse realism benchmark",
               f"<pre>{html.escape(table)}\n\n{html.escape(chr(10).join(priv))}</pre>"
               "<p>AUC 0.5 = a discriminator cannot tell generated from real.</p>"
               + "".join(parts))
    print(f"report: {args.report}")


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
