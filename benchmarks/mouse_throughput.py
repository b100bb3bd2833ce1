"""Throughput of ``hcisim synth-moves``: movements/s with the realism critic (the profile's draws per movement, the default),
with ``--candidates 1`` (the law alone), and a per-sample Python loop of the law.

``python benchmarks/mouse_throughput.py [--n 10000]``. Both synth-moves figures time the whole file path
(read the pairs CSV, synthesise, write Parquet) in this process. The loop baseline evaluates the same
motor plan sample by sample (the same learned curves and device stamps) in plain Python, as a
straightforward implementation would; it runs on a subset and is scaled to movements/s. All are timed
best-of-3 (``--repeat``) because the machine is shared.
Targets: 10,000 pairs "well under a minute" on one core (the synth-moves contract; read: < 20 s), and
>= 20,000 movements/s (issue 4) -- which only the law alone reaches.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.mouse import load_profile, synth_moves_file  # noqa: E402
from simulator.mouse.motor import plan_motor  # noqa: E402
from simulator.mouse.shape import GRID, PATH_PTS  # noqa: E402
from simulator.mouse.synth import draw_params  # noqa: E402


def loop_baseline(prof, pairs, rng) -> int:
    """Per-sample Python loop of the same model: curves from the vectorised sampler, then sample by sample."""
    users = [prof.draw(rng) for _ in range(len(pairs))]
    alphas = np.stack([u.alpha for u in users])
    z = draw_params(prof, alphas, pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3], rng)
    plan = plan_motor(z, prof.shape, pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3], rng, prof.extras)
    rows = 0
    for i in range(len(pairs)):
        gq = users[i].device.gap_q
        t, lx, ly, out = 0.0, None, None, []
        while True:
            f = min(max(t / plan.T[i], 0.0), 1.0) * (GRID - 1)
            j = min(int(f), GRID - 2)
            s = plan.S[i, j] + (plan.S[i, j + 1] - plan.S[i, j]) * (f - j)
            f = s * (PATH_PTS - 1)
            j = min(int(f), PATH_PTS - 2)
            u = plan.PU[i, j] + (plan.PU[i, j + 1] - plan.PU[i, j]) * (f - j)
            v = plan.PV[i, j] + (plan.PV[i, j + 1] - plan.PV[i, j]) * (f - j)
            x = plan.sx[i] + plan.D[i] * (u * plan.ux[i] - v * plan.uy[i])
            y = plan.sy[i] + plan.D[i] * (u * plan.uy[i] + v * plan.ux[i])
            px, py = round(x), round(y)
            if (px, py) != (lx, ly):
                out.append((t, px, py))
                lx, ly = px, py
            if t > plan.t_end[i]:
                break
            t += float(gq[rng.integers(len(gq))])
        rows += len(out)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--loop-n", type=int, default=1000)
    ap.add_argument("--profile", default="sapimouse")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (the machine is shared)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    pairs = np.column_stack([rng.uniform(0, 1600, args.n), rng.uniform(0, 900, args.n),
                             rng.uniform(0, 1600, args.n), rng.uniform(0, 900, args.n)]).round()
    prof = load_profile(args.profile)
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "pairs.csv"
        csv.write_text("pair_id,x0,y0,x1,y1\n" + "\n".join(f"{i},{a:.0f},{b:.0f},{c:.0f},{e:.0f}"
                                                            for i, (a, b, c, e) in enumerate(pairs)) + "\n")
        def timed(candidates: int | None) -> tuple[float, int]:
            best, rows = np.inf, 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rows = synth_moves_file(csv, Path(d) / "out.parquet", profile=args.profile, seed=0,
                                        candidates=candidates)
                best = min(best, time.perf_counter() - t0)
            return best, rows

        t_vec, rows = timed(None)
        t_law, law_rows = timed(1)
    t_loop = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        loop_rows = loop_baseline(prof, pairs[: args.loop_n], np.random.default_rng(1))
        t_loop = min(t_loop, time.perf_counter() - t0)
    vec_rate = args.n / t_vec
    law_rate = args.n / t_law
    loop_rate = args.loop_n / t_loop
    k = prof.critic.candidates if prof.critic is not None else 1
    print(f"synth-moves file (critic, {k} draws): {args.n} movements, {rows} samples in {t_vec:.2f} s "
          f"-> {vec_rate:,.0f} movements/s   target < 20 s: {'met' if t_vec < 20 else 'NOT met'}")
    print(f"synth-moves file, --candidates 1:    {args.n} movements, {law_rows} samples in {t_law:.2f} s "
          f"-> {law_rate:,.0f} movements/s"
          f"   target >= 20,000/s: {'met' if law_rate >= 20000 else 'NOT met'}")
    print(f"per-sample Python loop of the law:   {args.loop_n} movements, {loop_rows} samples in {t_loop:.2f} s "
          f"-> {loop_rate:,.0f} movements/s")
    print(f"ratios: --candidates 1 / loop {law_rate / loop_rate:.1f}x; critic / loop {vec_rate / loop_rate:.1f}x; "
          f"the critic costs {t_vec / t_law:.1f}x the law alone")


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
