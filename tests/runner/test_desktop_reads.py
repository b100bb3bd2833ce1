"""The desktop driver reads a field only once the app has handled every key it was sent."""

from __future__ import annotations

from simulator.drivers import desktop
from simulator.locate import Locator


def test_a_field_is_read_after_the_app_has_handled_every_key(monkeypatch):
    """A Tk app short of CPU still held "Erica Smi" when two equal reads 30 ms apart said it had settled: the
    ground truth labelled the typing a mismatch while the app went on to get "Erica Smith"."""
    states = [("Erica Smi", 9), ("Erica Smi", 9), ("Erica Smit", 10), ("Erica Smith", 11)]

    def settled(wait_s=0.0):
        value, keys = states.pop(0) if len(states) > 1 else states[0]
        return {"key_releases": keys, "fields": {"name": value},
                "widgets": {"name_entry": {"x": 0, "y": 0, "w": 10, "h": 10}}}

    drv = object.__new__(desktop.DesktopDriver)
    drv._keys_sent = 11
    monkeypatch.setattr(drv, "_settled_state", settled, raising=False)
    monkeypatch.setattr(desktop, "tk_widgets", lambda state: [{"name": "name_entry", "value": state["fields"]["name"],
                                                                "kind": "input"}])
    monkeypatch.setattr(desktop, "_matches", lambda loc, w: True)
    assert drv.field_value(Locator("testid", "name_entry", exact=True)) == "Erica Smith"
