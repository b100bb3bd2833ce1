"""Pairwise evidence between the targets and the candidates of one page, as arrays.

Each feature is a matrix ``(n_targets, n_candidates)`` of values in [-1, 1]:
+1 the two agree, -1 they disagree, 0 one of them does not say (a missing
field is no evidence either way, so old or sparse descriptors never crash and
never count against a candidate). The matcher weighs agreement and
disagreement of each feature separately (:mod:`replay.locate.match`): a
regenerated id is weak evidence against a candidate, different words on a
button are strong evidence -- a different button in the same slot is a
different element.

Words are mapped asymmetrically: wordings that share little ("Search" and
"Clear" are 55 % alike by edit ratio) are full disagreement, not "half
similar", because unrelated short labels always share a few letters. String similarity is computed with
rapidfuzz's ``process.cdist`` over the *unique* strings of each side, so a page
of a few thousand candidates costs a handful of C-level matrix calls.

Paths are compared step by step: every distinct step (``div[2]``) of the page
becomes one character, so a normalised Levenshtein similarity of the encoded
strings is the edit distance between the paths in steps (Healenium-style path
similarity, but over whole matrices at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from replay.locate.descriptor import SIDES

FEATURES = ("tag", "role", "is_button", "attr_id", "attr_testid", "attr_name", "attr_class", "attr_href",
            "attrs_other", "testid_unique", "id_unique", "text", "visible_text", "name", "label", "prose", "text_exact",
            "text_missing", "xpath", "tagpath", "idxpath", "css", "position", "spot", "size", "neighbors", "neighbors_exact")
_OWN_ATTRS = ("id", "data-testid", "name", "class", "href")
_NOISE_ATTRS = ("style",)
_STEP = re.compile(r"\[\d+\]")
_ANCHOR = re.compile(r"^\*\[@id='(.*)'\]$")
_DIGITS = re.compile(r"\d+")


def _norm_text(s: str) -> str:
    """Lower case, hyphens/underscores dropped ("E-mail" -> "email"), other punctuation as spaces."""
    s = re.sub(r"[-_]", "", s.lower())
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def _norm_ident(s: str) -> str:
    """Identifiers compare across naming styles: form-email, form_email, formEmail -> formemail."""
    return re.sub(r"[^0-9a-z]", "", s.lower())


@dataclass
class Columns:
    """One side (targets or candidates) of a page, field by field."""

    n: int
    tag: np.ndarray
    role: np.ndarray
    is_button: np.ndarray  # float: 1, 0, or nan when unknown
    strings: dict[str, list[str]]
    paths: dict[str, list[list[str]]]
    box: np.ndarray  # (n, 4), nan when unknown
    neighbors: dict[str, list[str]]


def columns(descs: list[dict]) -> Columns:
    """Canonical descriptors -> the columns the features are computed from."""
    n = len(descs)
    strings: dict[str, list[str]] = {k: [] for k in ("attr_id", "attr_testid", "attr_name", "attr_class", "attr_href",
                                                     "attrs_other", "text", "visible_text", "name", "label",
                                                     "prose")}
    paths: dict[str, list[list[str]]] = {k: [] for k in ("xpath", "tagpath", "idxpath", "css")}
    box = np.full((n, 4), np.nan)
    for i, d in enumerate(descs):
        a = d["attrs"]
        strings["attr_id"].append(_norm_ident(a.get("id", "")))
        strings["attr_testid"].append(_norm_ident(a.get("data-testid", "")))
        strings["attr_name"].append(_norm_ident(a.get("name", "")))
        strings["attr_class"].append(" ".join(sorted(set(a.get("class", "").lower().split()))))
        strings["attr_href"].append(a.get("href", "").lower())
        strings["attrs_other"].append(" ".join(sorted(f"{k}={_norm_text(v)}" for k, v in a.items()
                                                      if k not in _OWN_ATTRS and k not in _NOISE_ATTRS and v)))
        for k in ("text", "visible_text", "name", "label"):
            strings[k].append(_norm_text(d[k]))
        strings["prose"].append(_norm_text(d["name"] or d["visible_text"] or d["text"] or d["label"]
                                           or a.get("aria-label", "") or a.get("placeholder", "")
                                           or a.get("title", "") or a.get("alt", "") or a.get("value", "")))
        xp = [s for s in d["xpath"].split("/") if s]
        paths["xpath"].append(xp)
        paths["tagpath"].append([_STEP.sub("", s) for s in xp])
        # the anchor id in the same spelling as attr_id, so a restyled id (nav-editor -> navEditor) still agrees
        paths["idxpath"].append([_ANCHOR.sub(lambda m: f"#{_norm_ident(m.group(1))}", s)
                                 for s in d["idxpath"].split("/") if s])
        paths["css"].append([s.strip() for s in d["css"].split(">") if s.strip()])
        if d["box"] is not None:
            box[i] = d["box"]
    return Columns(
        n=n, tag=np.array([d["tag"] for d in descs], dtype=object), role=np.array([d["role"] for d in descs],
                                                                                  dtype=object),
        is_button=np.array([np.nan if d["is_button"] is None else float(d["is_button"]) for d in descs]),
        strings=strings, paths=paths, box=box,
        neighbors={s: [_norm_text(d["neighbors"][s]) for d in descs] for s in SIDES})


def _unique(values: list[str]) -> tuple[list[str], np.ndarray]:
    uniq: dict[str, int] = {}
    inv = np.fromiter((uniq.setdefault(v, len(uniq)) for v in values), dtype=np.int64, count=len(values))
    return list(uniq), inv


def string_sim(a: list[str], b: list[str], scorer=fuzz.ratio) -> np.ndarray:
    """Similarity in [0, 1] of every a x b pair; nan where either string is empty."""
    ua, ia = _unique(a)
    ub, ib = _unique(b)
    m = process.cdist(ua, ub, scorer=scorer, dtype=np.float32, workers=1) / 100.0 if scorer is not Levenshtein \
        else process.cdist(ua, ub, scorer=Levenshtein.normalized_similarity, dtype=np.float32, workers=1)
    m = m.astype(np.float64)
    m[[i for i, s in enumerate(ua) if not s], :] = np.nan
    m[:, [j for j, s in enumerate(ub) if not s]] = np.nan
    return m[ia][:, ib]


def _encode_paths(a: list[list[str]], b: list[list[str]]) -> tuple[list[str], list[str]]:
    vocab: dict[str, str] = {}

    def enc(p: list[str]) -> str:
        return "".join(vocab.setdefault(s, chr(0x4E00 + len(vocab))) for s in p)

    return [enc(p) for p in a], [enc(p) for p in b]


def path_sim(a: list[list[str]], b: list[list[str]]) -> np.ndarray:
    """Step-level normalised edit similarity of every pair of paths; nan where a path is unknown."""
    ea, eb = _encode_paths(a, b)
    return string_sim(ea, eb, scorer=Levenshtein)


def ident_sim(a: list[str], b: list[str]) -> np.ndarray:
    """Fuzzy similarity of identifiers, but 0 when both carry numbers and the numbers differ:
    ``result-26`` and ``result-8`` are different rows however alike the strings look."""
    sim = string_sim(a, b, fuzz.ratio)
    da = np.array([" ".join(_DIGITS.findall(s)) for s in a], dtype=object)
    db = np.array([" ".join(_DIGITS.findall(s)) for s in b], dtype=object)
    clash = (da[:, None] != db[None, :]) & (da != "")[:, None] & (db != "")[None, :]
    return np.where(clash & ~np.isnan(sim), 0.0, sim)


def _agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """+1 equal, -1 different, 0 when either is empty."""
    eq = (a[:, None] == b[None, :]).astype(np.float64) * 2.0 - 1.0
    known = (a != "")[:, None] & (b != "")[None, :]
    return np.where(known, eq, 0.0)


def _unique_equal(a: list[str], b: list[str]) -> np.ndarray:
    """1 where the two (non-empty) strings are equal and the candidate's value occurs once on its page."""
    bb = np.array(b, dtype=object)
    vals, inv, counts = np.unique(bb.astype(str), return_inverse=True, return_counts=True)
    once = (counts[inv] == 1) & (bb != "")
    aa = np.array(a, dtype=object)
    return ((aa[:, None] == bb[None, :]) & once[None, :]).astype(np.float64)


def _signed(sim: np.ndarray) -> np.ndarray:
    return np.nan_to_num(2.0 * sim - 1.0, nan=0.0)


WORDS_SAME = 0.7  # wording similarity at which the evidence changes sign
WORDS_APART = 0.15  # below WORDS_SAME by this much: full disagreement


def _prose(a: list[str], b: list[str]) -> np.ndarray:
    """Wording evidence in [-1, 1] (nan unknown): the better of character-level and word-set similarity
    ("User name" ~ "Username", "E-mail" ~ "Email address"), mapped so that unrelated wording is -1."""
    sim = np.fmax(string_sim(a, b, fuzz.ratio), string_sim(a, b, fuzz.token_set_ratio))
    return np.where(sim >= WORDS_SAME, (sim - WORDS_SAME) / (1.0 - WORDS_SAME),
                    np.maximum((sim - WORDS_SAME) / WORDS_APART, -1.0))


POSITION_SCALE_PX = 250.0
SPOT_SCALE_PX = 20.0  # "the very same spot": tells apart look-alike rows 40 px apart when the layout held


def position_sim(tb: np.ndarray, cb: np.ndarray, shift: np.ndarray | None = None,
                 scale: float = POSITION_SCALE_PX) -> np.ndarray:
    """exp(-centre distance / scale) in [0, 1]; nan where a box is unknown. ``shift`` moves the targets first."""
    tc = tb[:, :2] + tb[:, 2:] / 2.0
    if shift is not None:
        tc = tc + shift
    cc = cb[:, :2] + cb[:, 2:] / 2.0
    d = np.hypot(tc[:, None, 0] - cc[None, :, 0], tc[:, None, 1] - cc[None, :, 1])
    return np.exp(-d / scale)


def size_sim(tb: np.ndarray, cb: np.ndarray) -> np.ndarray:
    w = np.minimum(tb[:, None, 2], cb[None, :, 2]) / np.maximum(np.maximum(tb[:, None, 2], cb[None, :, 2]), 1e-9)
    h = np.minimum(tb[:, None, 3], cb[None, :, 3]) / np.maximum(np.maximum(tb[:, None, 3], cb[None, :, 3]), 1e-9)
    return np.sqrt(np.clip(w, 0, 1) * np.clip(h, 0, 1))


def neighbor_sim(t: Columns, c: Columns) -> np.ndarray:
    total = np.zeros((t.n, c.n))
    count = np.zeros((t.n, c.n))
    for side in SIDES:
        s = string_sim(t.neighbors[side], c.neighbors[side], fuzz.ratio)
        known = ~np.isnan(s)
        total += np.where(known, s, 0.0)
        count += known
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def neighbor_exact(t: Columns, c: Columns) -> np.ndarray:
    """Mean over the sides both know of +1 (the very same words beside it) / -1: which row of a list it is in."""
    total = np.zeros((t.n, c.n))
    count = np.zeros((t.n, c.n))
    for side in SIDES:
        a = np.array(t.neighbors[side], dtype=object)
        b = np.array(c.neighbors[side], dtype=object)
        known = (a != "")[:, None] & (b != "")[None, :]
        total += np.where(known, np.where(a[:, None] == b[None, :], 1.0, -1.0), 0.0)
        count += known
    return total / np.maximum(count, 1)


def features(t: Columns, c: Columns, shift: np.ndarray | None = None) -> np.ndarray:
    """All features, shape (len(FEATURES), n_targets, n_candidates), each in [-1, 1]."""
    out = np.zeros((len(FEATURES), t.n, c.n))
    f = {name: i for i, name in enumerate(FEATURES)}
    out[f["tag"]] = _agree(t.tag, c.tag)
    out[f["role"]] = _agree(t.role, c.role)
    known = ~np.isnan(t.is_button)[:, None] & ~np.isnan(c.is_button)[None, :]
    out[f["is_button"]] = np.where(known, np.where(t.is_button[:, None] == c.is_button[None, :], 1.0, -1.0), 0.0)
    for k in ("attr_id", "attr_testid", "attr_name", "attr_href"):
        out[f[k]] = _signed(ident_sim(t.strings[k], c.strings[k]))
    # the same test id / HTML id, and the only element of the new page with it: QA's contract (and HTML's
    # promise of unique ids) make this close to proof, unlike a test id shared by every row of a list
    for k, name in (("attr_testid", "testid_unique"), ("attr_id", "id_unique")):
        out[f[name]] = _unique_equal(t.strings[k], c.strings[k])
    out[f["attr_class"]] = _signed(string_sim(t.strings["attr_class"], c.strings["attr_class"],
                                              fuzz.token_set_ratio))
    out[f["attrs_other"]] = _signed(string_sim(t.strings["attrs_other"], c.strings["attrs_other"],
                                               fuzz.token_set_ratio))
    for k in ("text", "visible_text", "name", "label", "prose"):
        out[f[k]] = np.nan_to_num(_prose(t.strings[k], c.strings[k]), nan=0.0)
    # the same words exactly: in a list of look-alike rows ("Spanish", "Danish") nearly-equal is not equal
    out[f["text_exact"]] = _agree(np.array(t.strings["text"], dtype=object), np.array(c.strings["text"], dtype=object))
    # the target said something and the candidate says nothing at all: an icon, a wrapper, another element
    tp = np.array([bool(x) for x in t.strings["prose"]])
    cp = np.array([bool(x) for x in c.strings["prose"]])
    out[f["text_missing"]] = -(tp[:, None] & ~cp[None, :]).astype(np.float64)
    for k in ("xpath", "tagpath", "idxpath", "css"):
        out[f[k]] = _signed(path_sim(t.paths[k], c.paths[k]))
    out[f["position"]] = _signed(position_sim(t.box, c.box, shift))
    out[f["spot"]] = np.maximum(_signed(position_sim(t.box, c.box, shift, SPOT_SCALE_PX)), 0.0)
    out[f["size"]] = _signed(size_sim(t.box, c.box))
    out[f["neighbors"]] = _signed(neighbor_sim(t, c))
    out[f["neighbors_exact"]] = neighbor_exact(t, c)
    return out
