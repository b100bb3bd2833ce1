"""Mouse profiles: fitted motor parameters per user, their population law, and capture devices.

A profile is one small JSON file. Motor parameters are per-movement vectors
(`PARAM_NAMES`, each in a space where a normal law fits) modelled as

    p = alpha_user + B @ x(distance, direction) + eps,   eps ~ N(0, within_cov)

with `alpha_user` known for each fitted user and drawn from
N(pop_mean, pop_cov) for a new synthetic person. Devices (sampling gaps,
clock tick, co-stamped events) are kept per user too; a synthetic person gets
a device drawn from the fitted mix of users' devices, so the default profile
reproduces the population, device mix included.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.errors import HcisimError

PROFILE_VERSION = 1
PARAM_NAMES = (
    "log_T",          # motor duration (ms, log) of the recorded part of the movement
    "logit_f1",       # fraction of that time the primary submovement takes
    "log_a1",         # primary amplitude / distance (log): < 0 undershoot, > 0 overshoot
    "asinh_e1",       # lateral error of the primary endpoint / distance, asinh(v / LAT_SCALE): heavy tails
    "asinh_curv",     # peak lateral bulge of the primary path / distance, asinh(v / LAT_SCALE)
    "logit_tp",       # time of peak speed within the primary (sets the lognormal's skew)
    "n_corr",         # corrective submovements (rounded, 0..3)
    "logit_pause",    # share of the corrective phase spent still (hesitations)
    "log_tremor",     # tremor amplitude (px, log)
    "log_pre",        # slow start before the primary takes off: log(ms until speed passes 30 % of peak + 20)
    "logit_wander",   # propensity of a detour (path length > 1.8 x distance): the primary goes elsewhere first
)
LAT_SCALE = 0.05
COVARIATES = ("log_D", "cos", "sin", "cos2", "sin2")
SHIPPED = {"sapimouse": "mouse_sapimouse.json", "balabit": "mouse_balabit.json"}
PROFILE_DIR = Path(__file__).resolve().parents[1] / "profiles"


@dataclass
class Device:
    """What a capture stack does to motion: gaps between stamps, clock tick, events per stamp."""

    name: str
    gap_q: np.ndarray           # quantiles of the gap (ms) between distinct stamps while moving
    per_stamp: np.ndarray       # P(1, 2, 3 events share one stamp)
    tick_ms: float = 1.0
    integer_px: bool = True
    age_ms: float = 4.0         # positions are up to this old at their stamp (USB polling behind the frame clock)

    def to_json(self) -> dict:
        return {"name": self.name, "gap_q": _r(self.gap_q, 3), "per_stamp": _r(self.per_stamp, 5),
                "tick_ms": self.tick_ms, "integer_px": self.integer_px, "age_ms": self.age_ms}

    @classmethod
    def from_json(cls, d: dict) -> Device:
        return cls(d["name"], np.asarray(d["gap_q"], float), np.asarray(d["per_stamp"], float),
                   float(d.get("tick_ms", 1.0)), bool(d.get("integer_px", True)), float(d.get("age_ms", 4.0)))


@dataclass
class MouseUser:
    """One person: motor intercepts (`alpha`, in PARAM_NAMES order) and a capture device."""

    id: str
    alpha: np.ndarray
    device: Device
    synthetic: bool = False


@dataclass
class MouseProfile:
    id: str
    sha256: str
    meta: dict
    alpha: dict[str, np.ndarray]         # per fitted user
    devices: dict[str, Device]           # per fitted user
    B: np.ndarray                        # (len(COVARIATES), len(PARAM_NAMES))
    within_cov: np.ndarray
    pop_mean: np.ndarray
    pop_cov: np.ndarray
    extras: dict = field(default_factory=dict)   # scalar model constants (documented in docs/mouse.md)
    weights: dict[str, float] = field(default_factory=dict)  # movements per user: the device mix
    @property
    def users(self) -> list[str]:
        return sorted(self.alpha, key=_natural)

    def user(self, uid: str) -> MouseUser:
        uid = str(uid)
        if uid not in self.alpha:
            raise HcisimError(f"mouse profile {self.id!r} has no user {uid!r} (users: {', '.join(self.users)})")
        return MouseUser(uid, self.alpha[uid], self.devices[uid])

    def draw(self, rng: np.random.Generator) -> MouseUser:
        """A new synthetic person: motor intercepts from the population law, a device from the fitted mix."""
        alpha = rng.multivariate_normal(self.pop_mean, self.pop_cov, method="cholesky")
        users = list(self.alpha)  # file order (sorted keys): deterministic, no per-call sort
        w = np.array([float(self.weights.get(u, 1.0)) for u in users])
        dev = self.devices[users[int(rng.choice(len(users), p=w / w.sum()))]]
        return MouseUser("synthetic", alpha, dev, synthetic=True)

    def to_json(self) -> dict:
        return {
            "kind": "hcisim-mouse-profile", "version": PROFILE_VERSION, "id": self.id, "meta": self.meta,
            "param_names": list(PARAM_NAMES), "covariates": list(COVARIATES),
            "B": _r(self.B), "within_cov": _r(self.within_cov), "pop_mean": _r(self.pop_mean),
            "pop_cov": _r(self.pop_cov), "extras": self.extras,
            "users": {u: {"alpha": _r(self.alpha[u]), "device": self.devices[u].to_json(),
                          "weight": float(self.weights.get(u, 1.0))} for u in self.users},
        }


def _r(a, nd: int = 6):
    return np.round(np.asarray(a, float), nd).tolist()


def _natural(s: str):
    return (0, int(s), "") if s.isdigit() else (1, 0, s)


def shipped_path(name: str) -> Path:
    return PROFILE_DIR / SHIPPED[name]


def load_profile(name_or_path: str | Path | MouseProfile = "sapimouse") -> MouseProfile:
    """A shipped profile by name ("sapimouse", "balabit") or a profile file written by `fit_profile`."""
    if isinstance(name_or_path, MouseProfile):
        return name_or_path
    key = str(name_or_path)
    path = shipped_path(key) if key in SHIPPED else Path(key)
    if not path.is_file():
        raise HcisimError(f"unknown mouse profile {key!r}: not a shipped name ({', '.join(SHIPPED)}) or a file")
    raw = path.read_bytes()
    try:
        d = json.loads(raw)
        if d.get("kind") != "hcisim-mouse-profile":
            raise ValueError("not a mouse profile")
        if int(d["version"]) > PROFILE_VERSION:
            raise ValueError(f"profile version {d['version']} is newer than this hcisim reads")
        if tuple(d["param_names"]) != PARAM_NAMES:
            raise ValueError("parameter names differ from this hcisim's model")
        users = d["users"]
        return MouseProfile(
            id=str(d["id"]), sha256=hashlib.sha256(raw).hexdigest(), meta=d.get("meta", {}),
            alpha={u: np.asarray(v["alpha"], float) for u, v in users.items()},
            devices={u: Device.from_json(v["device"]) for u, v in users.items()},
            B=np.asarray(d["B"], float), within_cov=np.asarray(d["within_cov"], float),
            pop_mean=np.asarray(d["pop_mean"], float), pop_cov=np.asarray(d["pop_cov"], float),
            extras=dict(d.get("extras", {})), weights={u: float(v.get("weight", 1.0)) for u, v in users.items()})
    except (ValueError, KeyError, TypeError) as e:
        raise HcisimError(f"{path}: not a valid hcisim mouse profile ({e})") from None


def save_profile(profile: MouseProfile, out: Path) -> Path:
    """Write atomically (temp file in the same folder, then rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(profile.to_json(), indent=1, sort_keys=True).encode()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a profile is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
