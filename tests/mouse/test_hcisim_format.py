"""``fit mouse --format hcisim`` reads the project's own datasets (one user per session)."""

from __future__ import annotations

import numpy as np

from simulator.dataset import DatasetWriter, Manifest
from simulator.mouse import fit_profile, load_profile, synth_moves
from simulator.mouse.fit import read_hcisim
from simulator.readers.common import cut_movements


def _events(sid: str, rng, n: int) -> list[dict]:
    b = synth_moves(rng.uniform(0, 1200, n), rng.uniform(0, 700, n), rng.uniform(0, 1200, n),
                    rng.uniform(0, 700, n), profile="sapimouse", rng=rng)
    ev, seq, t0 = [], 0, 0.0
    for i in range(n):
        t, x, y = b.one(i)
        for tt, xx, yy in zip(t, x, y):
            ev.append(dict(session_id=sid, seq=seq, t_ms=t0 + tt, device="mouse", type="move", x=xx, y=yy))
            seq += 1
        tp = t0 + t[-1] + 80
        for typ, dt in (("down", 0.0), ("up", 100.0)):
            ev.append(dict(session_id=sid, seq=seq, t_ms=tp + dt, device="mouse", type=typ, x=x[-1], y=y[-1],
                           button="left"))
            seq += 1
        t0 = tp + 1500
    return ev


def test_fit_from_hcisim_dataset(tmp_path):
    rng = np.random.default_rng(4)
    man = Manifest(driver="offline", seed=1, scenario="t", storage="parquet", screen={"width": 1280, "height": 800},
                   device={"name": "raf60"})
    with DatasetWriter(tmp_path / "ds", man) as w:
        for sid in ("s0", "s1"):
            w.add_session(sid, events=_events(sid, rng, 40), actions=[])
    logs = read_hcisim(tmp_path / "ds")
    assert sorted(lg.user for lg in logs) == ["s0", "s1"]
    mv = cut_movements(logs)
    assert 60 <= len(mv) <= 80  # all 80 but the few under 4 samples or 20 px
    out = fit_profile(tmp_path / "ds", "hcisim", tmp_path / "own.json")
    assert load_profile(out).users == ["s0", "s1"]
