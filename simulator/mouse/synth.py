"""Synthesis: many pointing movements at once, and the ``hcisim synth-moves`` file contract."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from simulator.atomic import PARQUET, atomic_path, check_file_out, profile_read
from simulator.chunks import chunks_in_order
from simulator.errors import HcisimError
from simulator.critic import candidates_for, choose
from simulator.mouse.device import NAMED_DEVICES, capture
from simulator.mouse.features import features
from simulator.mouse.motor import plan_motor
from simulator.mouse.profile import SHIPPED, Device, MouseProfile, MouseUser, load_profile
from simulator.mouse.shape import cond_mean, cond_vars, sample
from simulator.provenance import with_provenance
from simulator.readers.common import MAX_COORD_PX, MIN_DIST_PX, numbers, refuse_non_text, typed_ids
from simulator.rng import check_rng, rng_for

SD_PER_WIDTH = 1 / 4.133
"""Endpoint scatter per target width: Fitts' effective width We = 4.133 sd, ~4 % misses (ISO 9241-9)."""
PERSON_BLOCK = 20
"""synth-moves treats each block of this many pairs as one new synthetic person's session."""
MIN_SIZE_PX = 0.01
"""The smallest target side accepted: a Fitts difficulty of hundreds of bits planned an endless movement, and a box
thinner than a float's step at its place holds no press point."""
CHUNK_PAIRS = 500
"""synth-moves makes this many pairs at a time (a multiple of PERSON_BLOCK: a person's pairs stay together);
with 32 draws each, ~170 MB."""


@dataclass
class MoveBatch:
    """N movements: flat samples with CSR ``offsets`` (movement i is ``offsets[i]:offsets[i+1]``) and labels."""

    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    missed: np.ndarray
    n_submovements: np.ndarray
    press_x: np.ndarray
    press_y: np.ndarray
    user: list[str]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def take(self, idx: np.ndarray) -> MoveBatch:
        """The movements ``idx`` (in that order) as a new batch."""
        idx = np.asarray(idx, np.int64)
        lens = np.diff(self.offsets)[idx]
        offsets = np.r_[0, np.cumsum(lens)].astype(np.int64)
        rows = np.repeat(self.offsets[idx] - offsets[:-1], lens) + np.arange(offsets[-1])
        return MoveBatch(self.t_ms[rows], self.x[rows], self.y[rows], offsets, self.missed[idx],
                         self.n_submovements[idx], self.press_x[idx], self.press_y[idx],
                         [self.user[i] for i in idx])

    @staticmethod
    def concat(parts: Sequence[MoveBatch]) -> MoveBatch:
        """The batches' movements one after another."""
        ends = np.cumsum([p.offsets[-1] for p in parts])[:-1]
        offsets = np.concatenate([parts[0].offsets] + [p.offsets[1:] + e for p, e in zip(parts[1:], ends)])
        cat = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        return MoveBatch(cat("t_ms"), cat("x"), cat("y"), offsets, cat("missed"), cat("n_submovements"),
                         cat("press_x"), cat("press_y"), [u for p in parts for u in p.user])

    def one(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.t_ms[a:b], self.x[a:b], self.y[a:b]


def person(profile: MouseProfile | str, rng: np.random.Generator, user: str | MouseUser | None = None) -> MouseUser:
    """Who moves the mouse: the profile's user ``user``, or a new person drawn from the population."""
    profile = load_profile(profile)
    if isinstance(user, MouseUser):
        return user
    if user is not None:
        return profile.user(str(user))
    return profile.draw(rng)


def resolve_device(profile: MouseProfile, device: str | Device | None, fallback: Device) -> Device:
    """A device by name: the named ones (usb125, raf60), a profile's fitted one, or the person's own."""
    if device is None:
        return fallback
    if isinstance(device, Device):
        return device
    if device in NAMED_DEVICES:
        return NAMED_DEVICES[device]
    if device in ("sapimouse", "balabit"):
        return _device_mix(load_profile(device))
    raise HcisimError(f"unknown mouse device {device!r} (known: {', '.join([*NAMED_DEVICES, 'sapimouse', 'balabit'])})")


def _device_mix(profile: MouseProfile) -> Device:
    """A profile's typical capture: the pooled device of its largest capture regime."""
    devs, share = profile.new_person_devices()
    return devs[int(np.argmax(share))]


def draw_params(profile: MouseProfile, alphas: np.ndarray, sx, sy, ex, ey, rng: np.random.Generator,
                width=None, height=None, log_scales: np.ndarray | None = None) -> np.ndarray:
    """Per-movement vectors [log T, path coefs, speed coefs]: a new draw of the learned law given the
    task's distance and direction, plus the person's offset; a known target size slows the movement
    by the Fitts slope per bit of difficulty (relative to a reference target)."""
    sx, sy, ex, ey = (np.asarray(v, float) for v in (sx, sy, ex, ey))
    dx, dy = ex - sx, ey - sy
    D = np.maximum(np.hypot(dx, dy), 1.0)
    # the law was learned on movements of >= 20 px (the cut rule); a smaller nudge is drawn as a
    # 20 px movement (shape and timing) and scaled down to its distance
    logD = np.clip(np.log(D), np.log(MIN_DIST_PX), np.log(4000.0))
    X = cond_vars(logD, np.arctan2(dy, dx))
    z = sample(profile.shape.cond, X, rng)
    if log_scales is not None:  # the person's own spread about the law's conditional mean
        m = cond_mean(profile.shape.cond, X)
        z = m + (z - m) * np.exp(log_scales)
    z = z + alphas
    if profile.shape.bounds is not None:
        z = np.clip(z, profile.shape.bounds[0], profile.shape.bounds[1])
    if width is not None:
        D = np.exp(logD)
        w = np.fmin(np.asarray(width, float), np.asarray(height, float) if height is not None else np.inf)
        known = np.isfinite(w) & (w > 0)
        wref = float(profile.extras.get("w_ref_px", 40.0))
        slope = float(profile.extras.get("fitts_log_T_per_bit", 0.12))
        id_ = np.log2(D / np.where(known, w, wref) + 1)
        z[:, 0] += np.where(known, slope * (id_ - np.log2(D / wref + 1)), 0.0)
    return z


def _aim(x1, y1, width, height, rng: np.random.Generator, integer: np.ndarray):
    """Where the press lands: aim with Fitts scatter; a miss gets a corrected point inside the box."""
    n = len(x1)
    w = np.asarray(width, float) if width is not None else np.full(n, np.nan)
    h = np.asarray(height, float) if height is not None else np.full(n, np.nan)
    known = np.isfinite(w) & np.isfinite(h) & (w > 0) & (h > 0)
    ww, hh = np.where(known, w, 1.0), np.where(known, h, 1.0)
    ax = x1 + rng.normal(0, 1, n) * SD_PER_WIDTH * ww
    ay = y1 + rng.normal(0, 1, n) * SD_PER_WIDTH * hh

    def inside(px, py):
        lo_x, hi_x = x1 - ww / 2, x1 + ww / 2
        lo_y, hi_y = y1 - hh / 2, y1 + hh / 2
        px = np.where(integer, np.rint(px), px)
        py = np.where(integer, np.rint(py), py)
        # half-open, as browsers hit-test: a press on the right or bottom edge is the next element's
        return px, py, (px >= lo_x) & (px < hi_x) & (py >= lo_y) & (py < hi_y)

    ax, ay, ok = inside(ax, ay)
    missed = known & ~ok
    cx = x1 + np.clip(rng.normal(0, 1, n) * ww / 8, -ww / 2 + 0.5, ww / 2 - 0.5)
    cy = y1 + np.clip(rng.normal(0, 1, n) * hh / 8, -hh / 2 + 0.5, hh / 2 - 0.5)
    cx, cy, ok2 = inside(cx, cy)
    # a box narrower than a pixel: press at its centre
    cx = np.where(ok2, cx, x1)
    cy = np.where(ok2, cy, y1)
    ex = np.where(known, ax, x1)
    ey = np.where(known, ay, y1)
    fx = np.where(missed, cx, np.nan)
    fy = np.where(missed, cy, np.nan)
    return ex, ey, fx, fy, missed


def synth_moves(x0, y0, x1, y1, width=None, height=None, *, profile: MouseProfile | str = "sapimouse",
                rng: np.random.Generator, user: str | MouseUser | Sequence | None = None,
                device: str | Device | None = None, candidates: int | None = None) -> MoveBatch:
    """N pointing movements from (x0, y0) to targets centred at (x1, y1), vectorised.

    ``user``: None draws one new synthetic person for the batch, a user id or
    `MouseUser` moves "as that user", a sequence gives one per movement.
    ``width``/``height`` (NaN = unknown) make the press land inside the target,
    with Fitts scatter: an aim outside is labelled ``missed`` and corrected.
    ``candidates``: draws per movement among which the profile's realism critic
    picks one (simulator/critic.py); None: the critic's own number, 1: the law alone.
    """
    profile = load_profile(profile)
    check_rng(rng)
    cols = _task_arrays(x0, y0, x1, y1, width, height)
    x0, y0, x1, y1 = cols["x0"], cols["y0"], cols["x1"], cols["y1"]
    width, height = cols.get("width"), cols.get("height")
    n = len(x0)
    if n == 0:
        z = np.zeros(0)
        return MoveBatch(z, z, z, np.zeros(1, np.int64), np.zeros(0, bool), np.zeros(0, int), z, z, [])
    uniq, who = _people(profile, user, n, rng)
    devs, dev_of = _devices(profile, uniq, who, device)
    integer = np.array([d.integer_px for d in devs])[dev_of]
    # where the press lands (and whether the first aim misses) is drawn once per movement: the
    # critic chooses how the hand gets there, never the Fitts scatter or the miss rate
    aim = _aim(x1, y1, width, height, rng, integer)
    alphas = np.stack([p.alpha for p in uniq])[who]
    scales = None
    if any(p.log_scale is not None for p in uniq):
        scales = np.stack([p.log_scale if p.log_scale is not None else np.zeros(len(p.alpha)) for p in uniq])[who]
    k = candidates_for(profile.critic, candidates)
    if k == 1:
        return _draw(profile, x0, y0, *aim, width, height, alphas, scales, devs, dev_of, [uniq[j].id for j in who], rng)
    # k draws of each movement and the critic's choice, CHUNK_PAIRS movements at a time: the draws of
    # 20,000 movements at once held 3 GB
    parts = []
    for a in range(0, n, CHUNK_PAIRS):
        rep = np.repeat(np.arange(a, min(a + CHUNK_PAIRS, n)), k)
        batch = _draw(profile, x0[rep], y0[rep], *(v[rep] for v in aim),
                      *(None if v is None else v[rep] for v in (width, height)), alphas[rep],
                      None if scales is None else scales[rep], devs, dev_of[rep], [uniq[j].id for j in who[rep]], rng)
        F = features(batch.t_ms, batch.x, batch.y, batch.offsets)
        parts.append(batch.take(choose(profile.critic, F, [uniq[j].tilt for j in who[rep]], k, rng)))
    return parts[0] if len(parts) == 1 else MoveBatch.concat(parts)


def _people(profile: MouseProfile, user, n: int, rng: np.random.Generator) -> tuple[list[MouseUser], np.ndarray]:
    """The distinct people moving and, per movement, which of them (an index into the list)."""
    if isinstance(user, np.ndarray) and user.ndim == 0:
        user = user.item()
    if user is None or isinstance(user, (str, bytes, int, float, np.integer, np.floating, MouseUser)):
        return [person(profile, rng, user)], np.zeros(n, np.int64)
    if isinstance(user, (set, frozenset, dict)) or not hasattr(user, "__len__"):
        # (a set, an iterator or a range was taken for one user id: "no user '<list_iterator object at 0x...>'")
        raise HcisimError(f"user must be one id, a MouseUser, None, or one of those per movement in order "
                          f"(a list, a tuple, an array, a pandas Series), not {type(user).__name__}")
    user = list(user)
    if len(user) != n:
        raise HcisimError(f"{len(user)} users given for {n} movements")
    # the same person object repeats (synth-moves: one per block of pairs): resolve each once
    # (ids by value, MouseUser objects by identity -- the sequence holds them -- and None: a new person each)
    seen: dict = {}
    uniq: list[MouseUser] = []
    who = np.empty(n, np.int64)
    for i, u in enumerate(user):
        key = ("id", str(u)) if isinstance(u, (str, int, np.integer)) else ("new", i) if u is None else id(u)
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(uniq)
            uniq.append(person(profile, rng, u))
        who[i] = j
    return uniq, who


def _devices(profile: MouseProfile, uniq: list[MouseUser], who: np.ndarray,
             device: str | Device | None) -> tuple[list[Device], np.ndarray]:
    """The distinct capture devices and, per movement, which of them records it."""
    devs: list[Device] = []
    dev_key: dict[int, int] = {}
    dev_of_person = np.empty(len(uniq), np.int64)
    for j, p in enumerate(uniq):
        dv = resolve_device(profile, device, p.device)
        dev_of_person[j] = dev_key.setdefault(id(dv), len(devs))
        if dev_of_person[j] == len(devs):
            devs.append(dv)
    return devs, dev_of_person[who]


def _draw(profile: MouseProfile, x0, y0, ex, ey, fx, fy, missed, width, height, alphas: np.ndarray,
          scales: np.ndarray | None, devs: list[Device], dev_of: np.ndarray, users: list[str],
          rng: np.random.Generator) -> MoveBatch:
    """One draw of the law per movement towards its aimed point (and correction), captured by its device."""
    z = draw_params(profile, alphas, x0, y0, ex, ey, rng, width, height, scales)
    plan = plan_motor(z, profile.shape, x0, y0, ex, ey, rng, profile.extras, fx, fy)
    px = np.where(missed, fx, ex)
    py = np.where(missed, fy, ey)
    cap = capture(plan, dev_of, devs, x0, y0, px, py, rng)
    return MoveBatch(cap.t_ms, cap.x, cap.y, cap.offsets, missed, plan.n_sub.astype(int), px, py, users)


# -- checking the tasks ------------------------------------------------------------

REQUIRED = ("pair_id", "x0", "y0", "x1", "y1")


def task_problem(cols: dict[str, np.ndarray]) -> tuple[str, int, str] | None:
    """The first thing wrong with pointing tasks given as columns (x0, y0, x1, y1 and optional width, height:
    NaN is an unknown size): (column, index, what), column "" for a row's sizes together; None when fine.
    One rule for the file contract and the Python API (a NaN start made a numpy traceback there)."""
    for c in ("x0", "y0", "x1", "y1", "width", "height"):
        a = cols.get(c)
        if a is None:
            continue
        if c in ("width", "height"):
            for odd, what in ((np.isinf(a), "an infinite size"), (a <= 0, "a non-positive target size"),
                              (a < MIN_SIZE_PX, f"a target size under {MIN_SIZE_PX} px")):
                if odd.any():
                    return c, int(np.argmax(odd)), what
        elif not np.all(np.isfinite(a)):
            row = int(np.argmax(~np.isfinite(a)))
            return c, row, "an infinite value" if np.isinf(a[row]) else "empty/NaN values"
        far = np.abs(np.nan_to_num(a)) > MAX_COORD_PX
        if far.any():
            return c, int(np.argmax(far)), f"a value beyond {MAX_COORD_PX:,.0f} px"
    if "width" in cols and "height" in cols:
        half = np.isnan(cols["width"]) != np.isnan(cols["height"])
        if half.any():
            return "", int(np.argmax(half)), "gives only one of width and height (both, or neither for an unknown size)"
    return None


def _task_arrays(x0, y0, x1, y1, width, height) -> dict[str, np.ndarray]:
    """The API's tasks as float64 columns of one length, checked as the file contract checks them."""
    cols: dict[str, np.ndarray] = {}
    for name, v in (("x0", x0), ("y0", y0), ("x1", x1), ("y1", y1)):
        try:
            a = np.atleast_1d(np.asarray(v, float))
        except (TypeError, ValueError):
            raise HcisimError(f"{name} must be numbers") from None
        if a.ndim != 1:
            raise HcisimError(f"{name} must be one number per movement (a 1-D array), not shape {a.shape}")
        cols[name] = a
    n = len(cols["x0"])
    if any(len(cols[c]) != n for c in ("y0", "x1", "y1")):
        raise HcisimError("x0, y0, x1, y1 must have the same length")
    if (width is None) != (height is None):
        raise HcisimError(f"{'height' if width is not None else 'width'} is missing: a target size needs both "
                          f"width and height (NaN for an unknown one)")
    for name, v in (("width", width), ("height", height)):
        if v is None:
            continue
        try:
            a = np.asarray(v, float)
            cols[name] = np.array(np.broadcast_to(a, (n,)))
        except (TypeError, ValueError):
            raise HcisimError(f"{name} must be one size per movement ({n}) or one for all") from None
    bad = task_problem(cols)
    if bad is not None:
        c, i, what = bad
        raise HcisimError(f"movement {i}: " + (f"{c} has {what}" if c else what))
    return cols


# -- the file contract ------------------------------------------------------------


def read_pairs(path: Path) -> tuple[pa.Array, dict[str, np.ndarray], list[str | None] | None]:
    """Pair ids, the numeric columns, and the optional ``user`` column (text: ``01`` stays ``01``; empty: a new
    synthetic person) or None without one."""
    path = Path(path)
    if not path.is_file():
        raise HcisimError(f"{path}: no such pairs file" + (" (it is a folder)" if path.is_dir() else ""))
    refuse_non_text(path, "a pairs CSV")
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        header = [c.strip() for c in next(csv.reader(f), [])]  # "pair_id, x0, ..." as typed by hand
    # only columns read: pandas writes an unnamed index of two levels as ",,pair_id,...", which read as
    # "column(s)  appear more than once"
    twice = sorted({c for c in header if header.count(c) > 1 and c in (*REQUIRED, "width", "height", "user")})
    if twice:
        raise HcisimError(f"{path}: column(s) {', '.join(twice)} appear more than once in the header")
    try:
        # every column as text; only an empty field is empty ("NA" is a user id, "nan" a NaN): user ids as the
        # data set writes them, pair ids typed as pandas types them (`typed_ids`), coordinates parsed as pandas
        # parses numbers (`numbers`: pyarrow's own inference took 0x10 for 16)
        tab = pacsv.read_csv(path, read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
                             convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                                  null_values=[""], strings_can_be_null=True))
    except pa.ArrowInvalid as e:
        msg = str(e).splitlines()[0]
        if "Empty CSV" in msg or path.stat().st_size == 0 or not header:
            raise HcisimError(f"{path}: empty pairs file (expected header pair_id,x0,y0,x1,y1)") from None
        if "invalid UTF8" in msg:
            raise HcisimError(f"{path}: not UTF-8 text") from None
        raise HcisimError(f"{path}: not a readable CSV ({msg})") from None
    if any(pa.types.is_binary(f.type) for f in tab.schema):
        raise HcisimError(f"{path}: not UTF-8 text")
    missing = [c for c in REQUIRED if c not in tab.column_names]
    if missing:
        raise HcisimError(f"{path}: missing column(s) {', '.join(missing)} (need pair_id,x0,y0,x1,y1[,width,height])")
    if tab.num_rows == 0:
        raise HcisimError(f"{path}: no pairs (the file has a header but no rows)")
    cols = {}
    for c in ("x0", "y0", "x1", "y1", "width", "height"):
        if c not in tab.column_names:
            continue
        cols[c] = numbers(tab[c].to_pylist())
        if cols[c] is None:
            raise HcisimError(f"{path}: column {c} is not numeric")
    if ("width" in cols) != ("height" in cols):
        raise HcisimError(f"{path}: column {'height' if 'width' in cols else 'width'} is missing: a target size "
                          f"needs both width and height")
    bad = task_problem(cols)
    if bad is not None:
        c, row, what = bad
        raise HcisimError(f"{path}: " + (f"column {c} has {what} (row {row + 2})" if c else f"row {row + 2} {what}")
                          + ("; leave it empty for an unknown size" if "infinite size" in what else ""))
    if tab["pair_id"].null_count or any(not i.strip() for i in tab["pair_id"].to_pylist()):
        raise HcisimError(f"{path}: column pair_id has empty values")
    users = None
    if "user" in tab.column_names:
        users = [u.strip() if u and u.strip() else None for u in tab["user"].to_pylist()]
    return typed_ids(tab["pair_id"].to_pylist()), cols, users


def synth_moves_file(pairs_csv: Path, out: Path, profile: str | Path = "sapimouse", seed: int = 0,
                     progress=None, candidates: int | None = None, device: str | None = None,
                     workers: int = 1) -> int:
    """``hcisim synth-moves``: one movement per pair, rows grouped by pair in input order; returns rows written.

    Each block of PERSON_BLOCK pairs is moved by a new synthetic person drawn
    from the population, so a file of pairs covers many people, as recorded data does; a pair whose
    optional ``user`` column names one of the profile's users is moved as that user.
    Pairs are made CHUNK_PAIRS at a time, each chunk from its own branch of the seed's
    RNG tree, and written as one row group: memory stays bounded (~170 MB a chunk:
    32 candidates per movement) however long the file, and the bytes do not depend
    on how much memory the machine has. ``progress(done, total)`` is told after each chunk.
    ``candidates``: draws per movement the realism critic chooses among (`synth_moves`). ``device``: one
    capture device for every movement (`resolve_device`: usb125, raf60, sapimouse, balabit) instead of each
    person's own. ``workers``: processes making chunks side by side (`simulator.chunks`); the bytes are the same.
    """
    if not Path(pairs_csv).is_file():  # before the output check, which would call a folder "the pairs file"
        read_pairs(pairs_csv)
    check_file_out(out, {"pairs file being read": pairs_csv, **profile_read(profile, SHIPPED)}, replaces=PARQUET)
    prof = load_profile(profile)
    if device is not None:
        resolve_device(prof, device, NAMED_DEVICES["raf60"])  # an unknown name fails before any reading
    ids, c, named = read_pairs(pairs_csv)
    n = len(ids)
    people = prof.draw_many(rng_for(seed, "synth-moves"), -(-n // PERSON_BLOCK))
    who = [people[i // PERSON_BLOCK] for i in range(n)]
    for i, u in enumerate(named or []):
        if u is not None:
            try:
                who[i] = prof.user(u).id  # moved "as that user" (ids are resolved once per chunk)
            except HcisimError as e:
                raise HcisimError(f"pair {ids[i].as_py()!r}: {e}") from None
    schema = with_provenance(
        pa.schema([("pair_id", ids.type), ("t_ms", pa.float64()), ("x", pa.float64()), ("y", pa.float64())]),
        "synth-moves", prof.id, prof.sha256, prof.meta, seed=seed, candidates=candidates, device=device)
    job = _MoveChunks(prof, c, who, seed, candidates, device)
    rows = 0
    with atomic_path(out) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for part, (counts, t_ms, x, y) in chunks_in_order(job, n, CHUNK_PAIRS, workers):
            writer.write_table(pa.table([ids.take(pa.array(np.repeat(np.arange(part.start, part.stop), counts))),
                                         pa.array(t_ms, pa.float64()), pa.array(x, pa.float64()),
                                         pa.array(y, pa.float64())], schema=schema))
            rows += int(counts.sum())
            if progress:
                progress(part.stop, n)
    return rows


@dataclass
class _MoveChunks:
    """Chunk ``k`` of a synth-moves file: its pairs' movements as (samples per pair, t_ms, x, y)."""

    profile: MouseProfile
    cols: dict[str, np.ndarray]
    who: list
    seed: int
    candidates: int | None
    device: str | None

    def __call__(self, k: int, part: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        c = {key: v[part] for key, v in self.cols.items()}
        batch = synth_moves(c["x0"], c["y0"], c["x1"], c["y1"], c.get("width"), c.get("height"),
                            profile=self.profile, rng=rng_for(self.seed, "synth-moves", k), user=self.who[part],
                            candidates=self.candidates, device=self.device)
        return np.diff(batch.offsets), batch.t_ms, batch.x, batch.y
