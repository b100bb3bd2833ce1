"""Small hand-made sessions for compare and audit unit tests."""

from __future__ import annotations

import json

from simulator.dataset import Manifest, write_dataset


def step(aid, kind, name, t, text=None, role="textbox", testid=None, sensitive=False):
    params = {"sensitive": True} if sensitive else {}
    return dict(session_id="s0", action_id=aid, kind=kind, t_start_ms=t, t_end_ms=t + 400.0,
                step=f"{kind} {name}", target_selector=f"label=\"{name}\" | css=#{name.lower()}",
                target_role=role, target_name=name, target_testid=testid, box_x=100.0, box_y=50.0 * aid,
                box_w=200.0, box_h=24.0, text_typed=text, text_intended=text, outcome="ok",
                params=json.dumps(params))


REFERENCE = [
    step(0, "type", "Username", 0.0, "ada"),
    step(1, "type", "Password", 500.0, "s3cret-canary", sensitive=True),
    step(2, "click", "Log in", 1000.0, role="button", testid="login"),
    step(3, "type", "Email", 1500.0, "ada@example.org"),
    step(4, "click", "Save", 2000.0, role="button", testid="save"),
]


def events_for(actions, jitter=0.0):
    ev = []
    for a in actions:
        t = a["t_start_ms"]
        for i in range(4):
            ev.append(dict(session_id="s0", seq=len(ev), t_ms=t + i * 16.7, device="mouse", type="move",
                           x=10.0 + 20 * i, y=a["box_y"] + i, action_id=a["action_id"]))
        if a["kind"] == "click":
            for typ, dt in (("down", 80.0), ("up", 170.0)):
                ev.append(dict(session_id="s0", seq=len(ev), t_ms=t + dt, device="mouse", type=typ, x=200.0,
                               y=a["box_y"] + 12, button="left", action_id=a["action_id"]))
        else:
            for k, ch in enumerate(a["text_intended"]):
                for typ, dt in (("key_down", 0.0), ("key_up", 40.0)):
                    ev.append(dict(session_id="s0", seq=len(ev), t_ms=t + 80 + 60 * k + dt, device="keyboard",
                                   type=typ, key=ch, action_id=a["action_id"]))
    ev.sort(key=lambda e: e["t_ms"])
    for i, e in enumerate(ev):
        e["seq"] = i
    return ev


def write_session(path, actions, *, epoch=None, final_state=None):
    m = Manifest(driver="browser", seed=0, scenario="hand", sessions=["s0"])
    if epoch is not None:
        m.stats = {"session_start_epoch_ms": {"s0": epoch}}
    write_dataset(path, m, {"events": events_for(actions), "actions": actions})
    if final_state is not None:
        (path / "final_state.json").write_text(json.dumps({"s0": final_state}))
    return path
