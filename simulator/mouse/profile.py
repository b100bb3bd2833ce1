"""Mouse profiles: a learned law of movement shapes and timings, per-user offsets, capture devices.

A profile is one small JSON file (see `simulator.mouse.shape` for the model):

- ``shape``: mean and PCA basis of normalised paths (arc-length grid) and of
  root speed profiles (time grid), and a Gaussian mixture over
  ``[log D, cos th, sin th | log T, path coefficients, speed coefficients]``
  fitted on movements with their person's offset removed;
- ``alpha``: each fitted user's offset in the generated variables (shrunk
  towards 0 by how much data the user has), so "as user 12" moves like user 12;
  a new synthetic person draws an offset from N(pop_mean, pop_cov), the law of
  the users' offsets;
- ``devices``: each user's capture device (sampling gaps, clock tick, events per
  stamp, the law of a movement's first gap). A synthetic person gets the pooled
  device of a capture regime (users whose clocks run alike: 60 Hz browser
  frames, 125 Hz, RDP batches), picked with the regime's share of the data --
  never one recorded person's own device: with it, an identification model named
  the recorded person a new one's device came from at 3.5 x chance (their first
  gaps hold how they start a movement, their clock's jitter is their machine's).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.atomic import write_atomic
from simulator.critic import Critic
from simulator.errors import HcisimError
from simulator.mouse.shape import N_COND, Conditional, Mixture, conditional
from simulator.readers.common import find_person
from simulator.readers.sapimouse import subject_of

PROFILE_VERSION = 2
PROFILE_KIND = "hcisim-mouse-profile"
"""What a mouse profile file says it is (its ``kind``)."""
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
    share_conc: float = 1.0     # Beta concentration of the per-movement share of co-stamped stamps (small: bursty)
    first_q: np.ndarray | None = None  # quantiles of a movement's first gap (ms): phase of the clock, or a start hold

    def to_json(self) -> dict:
        d = {"name": self.name, "gap_q": _r(self.gap_q, 3), "per_stamp": _r(self.per_stamp, 5),
             "tick_ms": self.tick_ms, "integer_px": self.integer_px, "age_ms": self.age_ms,
             "share_conc": round(float(self.share_conc), 4)}
        if self.first_q is not None:
            d["first_q"] = _r(self.first_q, 1)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Device:
        return cls(d["name"], np.asarray(d["gap_q"], float), np.asarray(d["per_stamp"], float),
                   float(d.get("tick_ms", 1.0)), bool(d.get("integer_px", True)), float(d.get("age_ms", 4.0)),
                   float(d.get("share_conc", 1.0)),
                   np.asarray(d["first_q"], float) if d.get("first_q") is not None else None)


@dataclass
class ShapeModel:
    """Learned law of normalised movements (see `simulator.mouse.shape`)."""

    path_mean: np.ndarray       # (2 * PATH_PTS,)
    path_basis: np.ndarray      # (Kp, 2 * PATH_PTS)
    speed_mean: np.ndarray      # (GRID - 1,)
    speed_basis: np.ndarray     # (Ks, GRID - 1)
    mixture: Mixture
    bounds: np.ndarray | None = None   # (2, n_gen): the range of the generated variables seen in fitting
    _cond: Conditional | None = field(default=None, repr=False, compare=False)

    @property
    def n_gen(self) -> int:
        """Generated variables: log T, then path and speed coefficients."""
        return 1 + len(self.path_basis) + len(self.speed_basis)

    @property
    def cond(self) -> Conditional:
        if self._cond is None:
            self._cond = conditional(self.mixture)
        return self._cond

    def to_json(self) -> dict:
        m = self.mixture
        return {"path_mean": _r(self.path_mean, 5), "path_basis": _r(self.path_basis, 5),
                "speed_mean": _r(self.speed_mean, 5), "speed_basis": _r(self.speed_basis, 5),
                "mix_w": _r(m.w, 6), "mix_mu": _r(m.mu, 5),
                # covariances as Cholesky factors (lower triangles, 6 significant digits): half the size,
                # and positive definite whatever the rounding
                "mix_chol": [_g(np.linalg.cholesky(c)[np.tril_indices(len(c))]) for c in m.cov],
                **({"bounds": _r(self.bounds, 4)} if self.bounds is not None else {})}

    @classmethod
    def from_json(cls, d: dict) -> ShapeModel:
        mu = np.asarray(d["mix_mu"], float)
        k = mu.shape[1]
        il = np.tril_indices(k)
        cov = np.zeros((len(mu), k, k))
        for c, tri in enumerate(d["mix_chol"]):
            L = np.zeros((k, k))
            L[il] = tri
            cov[c] = L @ L.T
        pm, sm = np.asarray(d["path_mean"], float), np.asarray(d["speed_mean"], float)
        return cls(pm, np.asarray(d["path_basis"], float).reshape(-1, len(pm)),
                   sm, np.asarray(d["speed_basis"], float).reshape(-1, len(sm)),
                   Mixture(np.asarray(d["mix_w"], float), mu, cov),
                   np.asarray(d["bounds"], float) if "bounds" in d else None)


REGIME_RATIO = 1.25
"""Users' devices are one capture regime while their median gaps differ by less than this factor."""


def _weighted_quantiles(values: list[np.ndarray], weights: np.ndarray, n: int) -> np.ndarray:
    """n mid-quantiles of the union of quantile arrays, array i weighted by weights[i] (spread over its entries)."""
    v = np.concatenate(values)
    w = np.concatenate([np.full(len(a), wi / len(a)) for a, wi in zip(values, weights)])
    o = np.argsort(v, kind="stable")
    cw = np.cumsum(w[o]) / w.sum()
    return v[o][np.minimum(np.searchsorted(cw, (np.arange(n) + 0.5) / n), len(v) - 1)]


def pool_devices(devices: list[Device], weights: np.ndarray, name: str) -> Device:
    """One device standing for several users' (their fitted laws pooled, each user weighted by ``weights``).

    The share of co-stamped events is a Beta law per movement around each user's share; the pooled law
    keeps the mixture's mean and variance (users differ in how bursty their RDP delivery was, and a
    single Beta at the average concentration would make every movement look like the average user)."""
    w = np.asarray(weights, float) / np.sum(weights)
    has = np.array([d.first_q is not None for d in devices])
    firsts = [d.first_q for d in devices if d.first_q is not None]
    first_q = _weighted_quantiles(firsts, w[has], max(map(len, firsts))) if firsts else None
    per = np.array([d.per_stamp / d.per_stamp.sum() for d in devices])
    p_u = 1.0 - per[:, 0]
    c_u = np.array([d.share_conc for d in devices])
    p = float(w @ p_u)
    var = float(w @ (p_u * (1 - p_u) / (c_u + 1) + p_u ** 2)) - p * p
    conc = float(np.clip(p * (1 - p) / var - 1.0, 0.05, 1000.0)) if var > 1e-12 else float(np.exp(w @ np.log(c_u)))
    # among shared stamps, how many events share one: the users' conditional laws, weighted by their sharing
    ws = w * p_u
    more = (ws @ (per[:, 1:] / np.maximum(p_u[:, None], 1e-12))) / ws.sum() if ws.sum() > 0 else np.array([1.0, 0.0])
    pooled = np.r_[1.0 - p, p * more]
    return Device(name, _weighted_quantiles([d.gap_q for d in devices], w, len(devices[0].gap_q)),
                  pooled / pooled.sum(), devices[0].tick_ms, all(d.integer_px for d in devices),
                  float(w @ np.array([d.age_ms for d in devices])), conc, first_q)


def capture_regimes(devices: dict[str, Device]) -> list[list[str]]:
    """Users grouped by capture regime: same clock tick and pixels, median gaps within REGIME_RATIO in a chain."""
    med = {u: float(np.median(d.gap_q)) for u, d in devices.items()}
    by: dict[tuple, list[str]] = {}
    for u in sorted(devices, key=lambda u: (med[u], _natural(u))):
        by.setdefault((devices[u].tick_ms, devices[u].integer_px), []).append(u)
    out = []
    for users in by.values():
        m = np.array([med[u] for u in users])
        cut = np.flatnonzero(m[1:] > REGIME_RATIO * np.maximum(m[:-1], 1e-9)) + 1
        out += [list(g) for g in np.split(np.array(users, dtype=object), cut)]
    return sorted(out, key=lambda g: (med[g[0]], _natural(g[0])))


@dataclass
class MouseUser:
    """One person: an offset of the generated variables (`alpha`), how widely their movements vary
    around it (`log_scale`, per variable; None: as the population), and a capture device."""

    id: str
    alpha: np.ndarray
    device: Device
    log_scale: np.ndarray | None = None
    tilt: np.ndarray | None = None   # their term of the realism critic (simulator/critic.py)


@dataclass
class MouseProfile:
    id: str
    sha256: str
    meta: dict
    shape: ShapeModel
    alpha: dict[str, np.ndarray]         # per fitted user: offset of [log T, path coefs, speed coefs]
    devices: dict[str, Device]           # per fitted user
    pop_mean: np.ndarray
    pop_cov: np.ndarray
    extras: dict = field(default_factory=dict)   # scalar model constants (documented in docs/mouse.md)
    weights: dict[str, float] = field(default_factory=dict)  # movements per user: the device mix
    log_scale: dict[str, np.ndarray] = field(default_factory=dict)  # per fitted user: log spread per variable
    pop_log_scale_sd: np.ndarray | None = None   # spread of log_scale between people (new people draw from it)
    critic: Critic | None = None   # realism critic over movement features (simulator/critic.py); None: no resampling
    _factor: tuple | None = field(default=None, repr=False, compare=False)
    _pools: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def users(self) -> list[str]:
        return sorted(self.alpha, key=_natural)

    def user(self, uid: str) -> MouseUser:
        """A fitted person by id ("12"); the data's folder name ("user12", SapiMouse's second session folder
        "user12.2") or the number written otherwise ("012") finds them too, as in the typing profiles."""
        uid = self.resolve_user(str(uid))
        return MouseUser(uid, self.alpha[uid], self.devices[uid], log_scale=self.log_scale.get(uid),
                         tilt=self.critic.tilt.get(uid) if self.critic is not None else None)

    def resolve_user(self, given: str) -> str:
        """The profile's id for ``given`` (see `user`); one clear error line if there is none."""
        uid = find_person(given, self.alpha, subject_of)
        if uid is None:
            raise HcisimError(f"mouse profile {self.id!r} has no user {given.strip()!r} "
                              f"(users: {', '.join(self.users)})")
        return uid

    def draw(self, rng: np.random.Generator) -> MouseUser:
        """A new synthetic person: an offset from the population law, a capture regime's pooled device."""
        alpha = self.pop_mean + self._pop_factor() @ rng.standard_normal(len(self.pop_mean))
        devs, w = self.new_person_devices()
        dev = devs[int(rng.choice(len(devs), p=w))]
        return MouseUser("synthetic", alpha, dev, log_scale=self._draw_scales(rng, 1)[0])

    def draw_many(self, rng: np.random.Generator, k: int) -> list[MouseUser]:
        """``k`` new synthetic people whose devices follow the fitted mix as closely as k allows.

        Devices are picked by systematic sampling over the regimes' shares (then
        shuffled), so a file of a few dozen people has the population's device
        mix rather than a lucky or unlucky draw of it; offsets are independent draws.
        """
        devs, w = self.new_person_devices()
        pos = (rng.uniform() + np.arange(k)) / k
        pick = np.minimum(np.searchsorted(np.cumsum(w), pos), len(devs) - 1)
        pick = pick[rng.permutation(k)]
        A = self.pop_mean + rng.standard_normal((k, len(self.pop_mean))) @ self._pop_factor().T
        S = self._draw_scales(rng, k)
        return [MouseUser("synthetic", A[i], devs[int(pick[i])], log_scale=S[i]) for i in range(k)]

    def new_person_devices(self) -> tuple[list[Device], np.ndarray]:
        """The devices new people get -- one pooled device per capture regime (see the module docstring) --
        and each regime's share of the data."""
        key = (id(self.devices), len(self.devices), id(self.weights))
        if self._pools is None or self._pools[0] != key:
            devs, share = [], []
            for j, g in enumerate(capture_regimes(self.devices)):
                w = np.array([float(self.weights.get(u, 1.0)) for u in g])
                med = float(np.median(self.devices[g[len(g) // 2]].gap_q))
                devs.append(pool_devices([self.devices[u] for u in g], w, f"{self.id}:regime{j}~{med:.0f}ms"))
                share.append(w.sum())
            self._pools = (key, devs, np.array(share) / np.sum(share))
        return self._pools[1], self._pools[2]

    def _draw_scales(self, rng: np.random.Generator, k: int) -> list[np.ndarray | None]:
        """New people's spreads: normal log-scales with the between-people SD per variable, held within
        1.5 SD (further out the drawn person moves like nobody recorded)."""
        if self.pop_log_scale_sd is None:
            return [None] * k
        sd = self.pop_log_scale_sd
        return list(np.clip(rng.standard_normal((k, len(sd))), -1.5, 1.5) * sd)

    def _pop_factor(self) -> np.ndarray:
        """F with F F' = pop_cov (eigen-decomposition: the rounded, low-rank covariance need not be PD)."""
        key = id(self.pop_cov)
        if self._factor is None or self._factor[0] != key:
            ev, V = np.linalg.eigh((self.pop_cov + self.pop_cov.T) / 2)
            self._factor = (key, V * np.sqrt(np.maximum(ev, 0.0)))
        return self._factor[1]

    def to_json(self) -> dict:
        return {
            "kind": PROFILE_KIND, "version": PROFILE_VERSION, "id": self.id, "meta": self.meta,
            "shape": self.shape.to_json(), "pop_mean": _r(self.pop_mean, 5), "pop_cov": _r(self.pop_cov, 6),
            "extras": self.extras,
            "users": {u: {"alpha": _r(self.alpha[u], 5), "device": self.devices[u].to_json(),
                          "weight": float(self.weights.get(u, 1.0)),
                          **({"log_scale": _r(self.log_scale[u], 4)} if u in self.log_scale else {})}
                      for u in self.users},
            **({"pop_log_scale_sd": _r(self.pop_log_scale_sd, 4)} if self.pop_log_scale_sd is not None else {}),
            **({"critic": self.critic.to_json()} if self.critic is not None else {}),
        }


def _r(a, nd: int = 6):
    return np.round(np.asarray(a, float), nd).tolist()


def _g(a, digits: int = 6) -> list[float]:
    """Round to significant digits (small variances keep their precision)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(a, float).ravel()]


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
        if not isinstance(d, dict) or d.get("kind") != PROFILE_KIND:
            raise ValueError("not a mouse profile")
        if int(d["version"]) != PROFILE_VERSION:
            raise ValueError(f"profile version {d['version']} is not the version {PROFILE_VERSION} this hcisim reads; "
                             "refit it with `hcisim fit mouse`")
        users = d["users"]
        if not users:
            raise ValueError("no users")
        prof = MouseProfile(
            id=str(d["id"]), sha256=hashlib.sha256(raw).hexdigest(), meta=d.get("meta", {}),
            shape=ShapeModel.from_json(d["shape"]),
            alpha={u: np.asarray(v["alpha"], float) for u, v in users.items()},
            devices={u: Device.from_json(v["device"]) for u, v in users.items()},
            pop_mean=np.asarray(d["pop_mean"], float), pop_cov=np.asarray(d["pop_cov"], float),
            extras=dict(d.get("extras", {})), weights={u: float(v.get("weight", 1.0)) for u, v in users.items()},
            log_scale={u: np.asarray(v["log_scale"], float) for u, v in users.items() if "log_scale" in v},
            pop_log_scale_sd=np.asarray(d["pop_log_scale_sd"], float) if "pop_log_scale_sd" in d else None,
            critic=Critic.from_json(d["critic"]) if "critic" in d else None)
        if not all(np.all(np.isfinite(a)) for a in (prof.pop_mean, prof.pop_cov, *prof.alpha.values())):
            raise ValueError("non-finite parameters")
        _check_sizes(prof)
        return prof
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
        why = (f"no {e} field" if isinstance(e, KeyError)  # a KeyError says only "'pop_cov'"
               else "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else str(e))
        raise HcisimError(f"{path}: not a valid hcisim mouse profile ({why})") from None


def _check_sizes(prof: MouseProfile) -> None:
    """Parameters that agree in size and kind: a damaged file (a list cut short, a number written as text) ended
    the first movement in a numpy traceback instead of this one line."""
    n = len(prof.pop_mean)
    if prof.pop_mean.ndim != 1 or prof.pop_cov.shape != (n, n):
        raise ValueError(f"pop_cov is {prof.pop_cov.shape}, pop_mean has {n} values")
    bad = next((u for u, a in prof.alpha.items() if a.shape != (n,)), None)
    if bad is not None:
        raise ValueError(f"user {bad}: alpha has {prof.alpha[bad].size} values, not {n}")
    k = len(prof.pop_log_scale_sd) if prof.pop_log_scale_sd is not None else None
    bad = next((u for u, a in prof.log_scale.items() if k is None or a.shape != (k,)), None)
    if bad is not None:
        raise ValueError(f"user {bad}: log_scale does not match pop_log_scale_sd")
    bad = next((k for k, v in prof.extras.items() if isinstance(v, bool) or not isinstance(v, (int, float))), None)
    if bad is not None:
        raise ValueError(f"extras.{bad} is not a number")
    for u, dev in prof.devices.items():
        if dev.gap_q.ndim != 1 or not dev.gap_q.size or dev.per_stamp.ndim != 1 or not dev.per_stamp.size:
            raise ValueError(f"user {u}: device quantiles are not lists of numbers")
    sh = prof.shape
    if sh.mixture.mu.ndim != 2 or sh.mixture.mu.shape[1] != N_COND + sh.n_gen or len(sh.mixture.w) != len(
            sh.mixture.mu):
        raise ValueError("the shape mixture does not match its bases")


def save_profile(profile: MouseProfile, out: Path) -> Path:
    """Write atomically (temp file in the same folder, then rename)."""
    return write_atomic(out, json.dumps(profile.to_json(), separators=(",", ":"), sort_keys=True))
