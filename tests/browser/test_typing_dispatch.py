"""The browser driver types what the typing model plans, in the real Chromium, whatever the characters."""

from __future__ import annotations

import time

import numpy as np

from simulator import plan as P
from simulator.drivers.browser import BrowserDriver
from simulator.typing import load_profile, synth_typing


def test_accents_typographic_quotes_and_emoji_arrive_in_the_field():
    text = "Café — ’q’ Ç🙂"
    ev = synth_typing([text], profile=load_profile("aalto"), rng=np.random.default_rng(2), uncorrected_errors=False)[0]
    plan = P.keys(ev.t_ms + 50.0, ev.type, ev.key, ev.code)
    d = BrowserDriver()
    try:
        d.start_session("s")
        d.page.set_content("<textarea id='t' autofocus></textarea>")
        d.page.click("#t")
        d._t0 = time.perf_counter()  # the plan's clock starts now
        actual = d.dispatch(plan)
        assert d.page.input_value("#t") == text
        assert np.isfinite(actual).all()
        d.end_session()
    finally:
        d.close()
