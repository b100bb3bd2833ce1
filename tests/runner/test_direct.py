"""Direct input (an agent's actions as issued, `agent-run --no-humanlike`): instant moves, fixed-delay keys."""

from __future__ import annotations

import numpy as np

from simulator.dataset import read_dataset
from simulator.runner import RunConfig, run
from simulator.typing.layout import get_layout


def test_direct_input_types_at_a_fixed_delay_on_the_keyboard_asked_for(tmp_path):
    run(RunConfig(scenario="login", driver="offline", seed=1, out=tmp_path / "d", direct_input=True,
                  keyboard="azerty-fr", command=["test"]))
    ds = read_dataset(tmp_path / "d")
    ev = ds.events.to_pydict()
    t, ty, key, code = (np.array(ev[c], dtype=object) for c in ("t_ms", "type", "key", "code"))
    downs = np.flatnonzero(ty == "key_down")
    gaps = np.diff(t[downs].astype(float))
    assert len(downs) >= 10 and np.median(gaps) == 30.0  # DirectModels.KEY_DELAY_MS
    fr = get_layout("azerty-fr")
    typed = [(k, c) for k, c in zip(key[downs], code[downs]) if k in fr.keys]
    assert typed and all(c == fr.key(k).code for k, c in typed)
    assert ds.manifest.profiles["typing"] == {"id": "direct", "sha256": "", "keyboard": "azerty-fr"}
    moves = ty == "move"
    assert moves.sum() <= 3 * (ty == "down").sum()  # a jump per target, no humanlike path


def test_direct_input_neither_thinks_nor_reads(tmp_path):
    """`--no-humanlike` promised "straight, instant input", yet the actor still thought half a second and more
    before each action and dwelt to read; the same run with a person's pacing shows such pauses."""
    gaps = {}
    for direct in (True, False):
        out = tmp_path / f"d{direct}"
        run(RunConfig(scenario="login", driver="offline", seed=1, out=out, direct_input=direct, command=["test"]))
        t = np.array(read_dataset(out).events.column("t_ms").to_pylist(), dtype=float)
        gaps[direct] = np.diff(t)
    # every gap is the typing delay, a fixed short pause or a button hold: no decision time
    assert gaps[True].max() < 100.0, gaps[True].max()
    assert (gaps[False] > 300.0).sum() >= 3
