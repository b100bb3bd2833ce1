"""Typing profiles on disk: a versioned JSON file of fitted parameters and where they came from.

A profile holds a population (mean and covariance of typists' parameter vectors), optionally the
fitted typists themselves by id, the shares of error kinds, the layout, and metadata: source data,
licence and attribution, capture, task, what was held out. Loading records the file's sha256 so a
generated dataset can name exactly which parameters made it.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from simulator.critic import Critic
from simulator.typing.autorepeat import AutoRepeat
from simulator.errors import HcisimError
from simulator.readers.common import find_person
from simulator.typing.model import KINDS, QUANTILE_LEVELS, Shared
from simulator.typing.params import CLOCKS, P, PARAMS, Typist
from simulator.atomic import write_atomic

FORMAT = "hcisim-typing-profile"
VERSION = 1
SHIPPED = ("aalto", "freetext")
SKILL_RANGE = 2.5
"""Speed z-scores ``skill`` may take: beyond 2.5 SD the data holds hardly anyone to condition on."""


POP_LEVELS = np.linspace(0.0, 1.0, 41)
"""Levels of the stored marginal quantiles of typists' parameters."""


@dataclass
class Population:
    """Typists' parameters as a Gaussian copula: per-parameter marginal quantiles + normal-score correlation.

    Marginals are kept as they are in the data (CapsLock use, for one, is all-or-nothing for
    many people, which a multivariate normal would smear out); the correlation keeps what goes
    together (fast typists hold keys shorter and make fewer errors).
    """

    quantiles: np.ndarray      # (len(PARAMS), len(POP_LEVELS))
    corr: np.ndarray           # (len(PARAMS), len(PARAMS)) of normal scores

    @staticmethod
    def from_typists(theta: np.ndarray) -> "Population":
        from scipy.special import ndtri  # on use: scipy takes ~0.25 s to load, which commands
        # that draw no typist need not pay (`hcisim import`, augment's errors); so below too

        n = len(theta)
        q = np.quantile(theta, POP_LEVELS, axis=0).T
        ranks = np.argsort(np.argsort(theta, axis=0, kind="stable"), axis=0)
        z = ndtri((ranks + 0.5) / n)
        corr = np.corrcoef(z.T) if n > 2 else np.eye(theta.shape[1])
        corr = np.nan_to_num(corr)
        np.fill_diagonal(corr, 1.0)
        # 22 typists cannot support a 50-dimensional correlation, but shrinking it toward independence
        # makes new typists combinations nobody has (a fast rhythm with a slow typist's hesitations)
        # that look like no one in particular; keep the main axes along which typists differ (one per
        # three typists) and make the rest independent, so new people vary the way recorded ones do
        k = int(np.clip(n // 3, 1, len(corr)))
        w, v = np.linalg.eigh(corr)
        w, v = w[::-1][:k], v[:, ::-1][:, :k]
        low = (v * np.maximum(w, 0.0)) @ v.T
        s = np.minimum(1.0, 0.98 / np.maximum(np.diag(low), 1e-12)) ** 0.5  # no variable's shared part above 0.98
        low = low * s[:, None] * s[None, :]
        return Population(q, low + np.diag(1.0 - np.diag(low)))

    def normal_scores(self, rng: np.random.Generator, k: int) -> np.ndarray:
        return rng.standard_normal((k, len(self.corr))) @ np.linalg.cholesky(self.corr).T

    def to_theta(self, z: np.ndarray) -> np.ndarray:
        """Normal scores (..., n_params) -> parameter vectors through each parameter's marginal."""
        from scipy.special import ndtr

        u = ndtr(np.asarray(z, float))
        return np.stack([np.interp(u[..., j], POP_LEVELS, self.quantiles[j]) for j in range(u.shape[-1])], -1)


@dataclass
class TypingProfile:
    id: str
    sha256: str
    layout: str
    mean: np.ndarray
    cov: np.ndarray
    shared: Shared
    population: Population
    user_params: dict[str, np.ndarray] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    path: Path | None = None
    critic: Critic | None = None   # realism critic over per-text features (simulator/critic.py); None: no resampling

    @property
    def users(self) -> list[str]:
        return list(self.user_params)

    def typist(self, user: str) -> Typist:
        """A fitted typist by id. Ids are file-name text ("01"); a number naming exactly one typist ("1",
        as a spreadsheet or a CSV reader that parses numbers writes "01") finds them too, and so does a log's
        whole file name ("f_01": typist 01's Facebook log, as the free-text data names it)."""
        user = self.resolve_user(user)
        return Typist(user, self.user_params[user], self.critic.tilt.get(user) if self.critic is not None else None)

    def resolve_user(self, user: str) -> str:
        """The profile's id for ``user`` (see `typist`); one clear error line if there is none."""
        from simulator.readers.pynput_log import typist_id  # here: that reader imports the typing model

        user = str(user).strip()
        found = find_person(user, self.user_params,
                            lambda name: typist_id(Path(name if name.lower().endswith(".csv") else name + ".csv")))
        if found is not None:
            return found
        known = ", ".join(self.users[:30]) or "none: this profile is a population only"
        raise HcisimError(f"unknown user {user!r} for typing profile {self.id} (known: {known})")

    def draw(self, rng: np.random.Generator, skill: float | None = None) -> Typist:
        """A new synthetic typist from the population (see `draw_many`)."""
        return self.draw_many(rng, 1, skill)[0]

    def draw_many(self, rng: np.random.Generator, k: int, skill: float | None = None) -> list[Typist]:
        """``k`` new synthetic typists from the population, drawn together.

        ``skill`` is a z-score of speed (+1: one population SD faster); the other parameters are
        drawn from the population *given* that speed, so faster typists also get the holds, error
        rates and pauses that go with speed in the data, rather than scaled times.
        """
        R = self.population.corr
        if skill is None:
            z = self.population.normal_scores(rng, k)
            name = "synthetic"
        else:
            i = P["mu"]
            rest = np.r_[0:i, i + 1:len(PARAMS)]
            if isinstance(skill, bool) or not isinstance(skill, numbers.Real):  # "1.5" was a TypeError traceback
                raise HcisimError(f"skill must be a number (a speed z-score, -{SKILL_RANGE}..{SKILL_RANGE}), "
                                  f"not {type(skill).__name__}")
            if not -SKILL_RANGE <= skill <= SKILL_RANGE:  # NaN fails too
                raise HcisimError(f"skill {skill} is outside -{SKILL_RANGE}..{SKILL_RANGE} (population z-scores)")
            zi = -float(skill)  # faster = lower log interval
            ccov = R[np.ix_(rest, rest)] - np.outer(R[rest, i], R[i, rest])
            ccov = (ccov + ccov.T) / 2 + np.eye(len(rest)) * 1e-9
            z = np.empty((k, len(PARAMS)))
            z[:, i] = zi
            z[:, rest] = R[rest, i] * zi + rng.standard_normal((k, len(rest))) @ np.linalg.cholesky(ccov).T
            name = f"synthetic(skill={skill:+.2f})"
        theta = self.population.to_theta(z)
        theta[:, P["clock_ms"]] = np.asarray(CLOCKS)[rng.choice(len(CLOCKS), size=k, p=self.shared.clock_p)]
        return [Typist(name, t) for t in theta]

    def to_json(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION, "id": self.id, "layout": self.layout, "params": list(PARAMS),
            "population": {"mean": _r(self.mean), "cov": [_r(row) for row in self.cov],
                           "levels": _r(POP_LEVELS), "quantiles": [_r(q) for q in self.population.quantiles],
                           "corr": [_r(row) for row in self.population.corr]},
            "error_kinds": dict(zip(KINDS, _r(self.shared.kind_p))),
            "residual_shapes": {"levels": _r(QUANTILE_LEVELS), "speed_centres": _r(self.shared.shape_mu),
                                "interval": [_r(q) for q in self.shared.core_q],
                                "hold": [_r(q) for q in self.shared.hold_q]},
            "capture": {"clocks_ms": list(CLOCKS), "clock_shares": _r(self.shared.clock_p),
                        "integer_ms": bool(self.shared.integer_ms)},
            "max_interval_ms": float(self.shared.max_iki_ms),
            "backspace_hold_shape": None if self.shared.bksp_hold_q is None else _r(self.shared.bksp_hold_q),
            "pause_shape": _r(self.shared.pause_q),
            "class_spread": _r(self.shared.class_scale),
            "text_effects": None if self.shared.text_cov is None else [_r(r) for r in self.shared.text_cov],
            "error_spread_over_texts": float(self.shared.err_text_sd),
            "hold_spread_by_kind": None if self.shared.hold_scale is None else _r(self.shared.hold_scale),
            "digraph_offsets": self.shared.digraph_off or {},
            "key_hold_offsets": self.shared.key_hold_off or {},
            "backspace_autorepeat": None if self.shared.autorepeat is None else self.shared.autorepeat.to_json(),
            "place_pause_offsets": None if self.shared.place_pause_off is None else _r(self.shared.place_pause_off),
            "users": {u: _r(v) for u, v in self.user_params.items()},
            "metadata": self.metadata, "fit_stats": self.stats,
            **({"critic": self.critic.to_json()} if self.critic is not None else {}),
        }


def _r(v) -> list[float]:
    return [float(f"{x:.6g}") for x in np.asarray(v, float)]


def shipped_path(name: str) -> Path:
    return Path(str(resources.files("simulator.profiles") / f"typing_{name}.json"))


def load_profile(name_or_path: str | Path = "aalto") -> TypingProfile:
    """A shipped profile by name (``aalto``, ``freetext``) or a profile file written by ``hcisim fit typing``."""
    if isinstance(name_or_path, TypingProfile):
        return name_or_path
    s = str(name_or_path)
    if s in SHIPPED:
        path = shipped_path(s)
    else:
        path = Path(s)
        if not path.is_file():
            raise HcisimError(f"unknown typing profile {s!r}: not a shipped profile ({', '.join(SHIPPED)}) nor a file")
    raw = path.read_bytes()
    try:
        d = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HcisimError(f"{path}: not a typing profile (not JSON)") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise HcisimError(f"{path}: not a typing profile (format is not {FORMAT})")
    if d.get("version") != VERSION:
        raise HcisimError(f"{path}: typing profile version {d.get('version')} is not supported (this hcisim reads {VERSION})")
    if d.get("params") != list(PARAMS):
        raise HcisimError(f"{path}: typing profile parameters do not match this hcisim version; refit it")
    try:
        pop, shapes = d["population"], d["residual_shapes"]
        kinds = np.asarray([d["error_kinds"][k] for k in KINDS], float)
        clock_p = np.asarray(d["capture"]["clock_shares"], float)
        shared = Shared(kinds / kinds.sum(), np.asarray(shapes["interval"], float), np.asarray(shapes["hold"], float),
                        np.asarray(shapes["speed_centres"], float), clock_p / clock_p.sum(),
                        bool(d["capture"]["integer_ms"]), float(d["max_interval_ms"]),
                        None if d.get("backspace_hold_shape") is None else np.asarray(d["backspace_hold_shape"], float),
                        np.asarray(d["pause_shape"], float), np.asarray(d["class_spread"], float),
                        None if d.get("text_effects") is None else np.asarray(d["text_effects"], float),
                        float(d.get("error_spread_over_texts", 0.0)),
                        None if d.get("hold_spread_by_kind") is None else np.asarray(d["hold_spread_by_kind"], float),
                        {str(k): float(v) for k, v in d.get("digraph_offsets", {}).items()},
                        {str(k): float(v) for k, v in d.get("key_hold_offsets", {}).items()},
                        AutoRepeat.from_json(d["backspace_autorepeat"]) if d.get("backspace_autorepeat") else None,
                        None if d.get("place_pause_offsets") is None else np.asarray(d["place_pause_offsets"], float))
        population = Population(np.asarray(pop["quantiles"], float), np.asarray(pop["corr"], float))
        mean, cov = np.asarray(pop["mean"], float), np.asarray(pop["cov"], float)
        critic = Critic.from_json(d["critic"]) if d.get("critic") else None
        users = {str(u): np.asarray(v, float) for u, v in d.get("users", {}).items()}
        finite = [mean, cov, population.quantiles, *users.values()]
        if not all(np.all(np.isfinite(a)) for a in finite) or not shared.max_iki_ms > 0:
            raise ValueError("non-finite or out-of-range parameters")
        n = len(PARAMS)  # sizes that agree: a user's list cut short ended typing as them in an IndexError
        if (mean.shape != (n,) or cov.shape != (n, n) or population.corr.shape != (n, n)
                or population.quantiles.ndim != 2 or len(population.quantiles) != n
                or any(v.shape != (n,) for v in users.values())):
            raise ValueError("parameters of the wrong size")
        pid = d["id"]
        if not isinstance(pid, str) or not pid:
            raise ValueError("no id")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        raise HcisimError(f"{path}: typing profile is incomplete or damaged") from None
    return TypingProfile(
        id=pid, sha256=hashlib.sha256(raw).hexdigest(), layout=d.get("layout", "qwerty-us"),
        mean=mean, cov=cov, shared=shared, population=population, user_params=users,
        metadata=d.get("metadata", {}), stats=d.get("fit_stats", {}), path=path, critic=critic)


def save_profile(profile: TypingProfile, out: Path) -> Path:
    """Write atomically (temp file in the same folder, then rename) and return the path."""
    data = json.dumps(profile.to_json(), indent=1, sort_keys=False).encode()
    out = write_atomic(out, data)
    profile.sha256 = hashlib.sha256(data).hexdigest()
    profile.path = out
    return out
