"""The parameters of one typist, as one unconstrained vector.

Every typist -- fitted or drawn from a population -- is a point in the same space, so a population
is simply a mean and covariance over these vectors, a new synthetic typist is a draw from it, and
the skill knob conditions the draw on speed instead of scaling times. Rates are logits, spreads
logs, the AR(1) coefficient an atanh; `Typist` exposes them in natural units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.typing.context import CLASSES, HOLD_KINDS, PAUSE_CONTEXTS

PARAMS: tuple[str, ...] = (
    "mu",                                                      # log IKI, alternating hands mid-word
    *(f"c_{c}" for c in CLASSES[1:]),                          # digraph class offsets vs alternating
    "b_row", "b_wordpos", "b_frequent", "b_shifted", "b_nonletter", "b_first", "b_first_word", "b_last_word",
    "b_post_pause",
    "log_sd", "skew", "atanh_phi", "log_text_sd",              # core noise: spread, log(right/left spread), AR(1), per-text tempo
    *(f"logit_pause_{p}" for p in PAUSE_CONTEXTS),             # pause probability by context
    "pause_scale",                                             # log scale of how far past the threshold pauses go
    "h_mu", *(f"h_{k}" for k in HOLD_KINDS[1:]), "log_h_sd", "h_skew", "log_h_text_sd",
    "atanh_rho_h",                                             # hold of a key vs the interval to the next key
    "lead_logit", "log_lead_sd",                               # where Shift goes down inside the gap before its key
    "lag_mu", "log_lag_sd",                                    # log ms from the last shifted key's press to Shift up
    "first_lead_mu", "log_first_lead_sd",                      # log ms from Shift down to a text's first key
    "logit_caps", "logit_rshift",                              # CapsLock for capitals; right Shift for left-hand keys
    "logit_err", "logit_unc", "log_detect",                    # corrected errors/char, uncorrected/char, chars before noticing
    "logit_nocase",                                            # capitals typed lower case (left uncorrected)
    "clock_ms",                                                # capture clock grid (0: sub-millisecond)
)
P = {name: i for i, name in enumerate(PARAMS)}
CLASS_COLS = [P[f"c_{c}"] for c in CLASSES[1:]]
B_COLS = [P[n] for n in ("b_row", "b_wordpos", "b_frequent", "b_shifted", "b_nonletter", "b_first", "b_first_word",
                         "b_last_word", "b_post_pause")]
PAUSE_COLS = [P[f"logit_pause_{p}"] for p in PAUSE_CONTEXTS]
HOLD_COLS = [P[f"h_{k}"] for k in HOLD_KINDS[1:]]
CLOCKS = (0.0, 1.0, 4.0, 8.0, 16.0)
"""Timestamp grids seen in capture: sub-ms, 1 ms (browsers), 4/8/16 ms (coarse OS or browser event clocks)."""
PAUSE_THRESHOLD_SD = 2.5
"""A press-to-press interval is a pause when its residual exceeds this many core SDs."""


def logit(p):
    p = np.clip(np.asarray(p, float), 1e-5, 1 - 1e-5)
    return np.log(p / (1 - p))


def expit(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, float)))


@dataclass(frozen=True)
class Typist:
    """One typist: an id (a profile user or ``synthetic``) and a parameter vector."""

    id: str
    theta: np.ndarray
    tilt: np.ndarray | None = None   # their term of the profile's realism critic (simulator/critic.py)

    def __getitem__(self, name: str) -> float:
        return float(self.theta[P[name]])

    @property
    def median_iki_ms(self) -> float:
        return float(np.exp(self["mu"]))

    @property
    def error_rate(self) -> float:
        return float(expit(self["logit_err"]))
