"""A small hand-made dataset used by the dataset tests."""

from __future__ import annotations

import struct
import zlib

from simulator.dataset import Manifest


def tiny_png(w: int = 4, h: int = 3) -> bytes:
    raw = b"".join(b"\x00" + bytes([200, 100, 50] * w) for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def sample_tables(session_ids=("s0", "s1")) -> dict[str, list[dict]]:
    events, actions, frames = [], [], []
    for sid in session_ids:
        actions.append(dict(session_id=sid, action_id=0, kind="click", t_start_ms=0.0, t_end_ms=120.0,
                            target_selector="#ok", target_role="button", target_name="OK", box_x=10.0,
                            box_y=20.0, box_w=80.0, box_h=30.0, outcome="ok", params='{"profile": "x"}'))
        actions.append(dict(session_id=sid, action_id=1, kind="type", t_start_ms=130.0, t_end_ms=400.0,
                            target_selector="#name", text_typed="Ab", text_intended="Ab", outcome="ok"))
        seq = 0
        for i in range(5):
            events.append(dict(session_id=sid, seq=seq, t_ms=i * 16.6, device="mouse", type="move",
                               x=10.0 + i * 7.5, y=30.0 + i, action_id=0, planned_t_ms=i * 16.6))
            seq += 1
        events.append(dict(session_id=sid, seq=seq, t_ms=100.0, device="mouse", type="down", x=45.0, y=34.0,
                           button="left", action_id=0)); seq += 1
        events.append(dict(session_id=sid, seq=seq, t_ms=120.0, device="mouse", type="up", x=45.0, y=34.0,
                           button="left", action_id=0)); seq += 1
        for t, typ, key, code in [(130.0, "key_down", "Shift", "ShiftLeft"), (180.0, "key_down", "A", "KeyA"),
                                  (240.0, "key_up", "A", "KeyA"), (250.0, "key_up", "Shift", "ShiftLeft"),
                                  (330.0, "key_down", "b", "KeyB"), (400.0, "key_up", "b", "KeyB")]:
            events.append(dict(session_id=sid, seq=seq, t_ms=t, device="keyboard", type=typ, key=key, code=code,
                               action_id=1)); seq += 1
        events.append(dict(session_id=sid, seq=seq, t_ms=410.0, device="wheel", type="wheel", x=45.0, y=34.0,
                           dx=0.0, dy=100.0))
        frames.append(dict(session_id=sid, frame_id=0, t_ms=0.0, action_id=0, kind="before",
                           path=f"frames/{sid}/000000.png", width=4, height=3))
    return {"events": events, "actions": actions, "frames": frames}


def sample_manifest(storage: str = "parquet") -> Manifest:
    return Manifest(driver="offline", seed=1, scenario="sample", storage=storage,
                    screen={"width": 1280, "height": 800}, device={"name": "test"})


def write_sample(path, storage: str = "parquet", overwrite: bool = False):
    from simulator.dataset import DatasetWriter

    tables = sample_tables()
    with DatasetWriter(path, sample_manifest(storage), overwrite=overwrite) as w:
        for sid in ("s0", "s1"):
            w.add_session(sid, **{k: [r for r in v if r["session_id"] == sid] for k, v in tables.items()})
            w.add_file(f"frames/{sid}/000000.png", tiny_png())
    return path
