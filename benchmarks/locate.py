"""Element re-targeting: correct / not found / wrong for hcisim's matcher and two baselines, and its speed.

``python benchmarks/locate.py [--seed 2024] [--cache /tmp/locate-demo.json] [--skip-timing]``

Data split. ``replay.locate.fit`` learns the weights from synthetic pages and site-like builds of
``SeedSequence(11).spawn(3)[0]`` and calibrates the score and threshold on other synthetic pages and
builds of ``spawn(3)[1]``. Nothing here uses those: the evaluation's synthetic pages and builds come
from ``--seed`` (2024), and the demo app's pages are never used for fitting or calibration. The
evaluation sets:

- **demo v1 -> v2**: every visible element of the demo app's seven pages, captured in Chromium on
  build v1 (targets: elements with an id or test id, so the truth is known) and v2 (candidates).
  v2 renames ids and some test ids, rewords labels, reorders form rows and removes one button.
- **demo v1 -> v2, no test ids / no ids**: the same with ``data-testid`` (and then ``id``) stripped
  from both sides: what is left for a page without QA's hooks.
- **demo mutations**: seeded builds of the v1 snapshots (renamed ids/classes, reworded text, moved,
  wrapped, reordered, removed elements, look-alikes, layout shifts; ``replay.locate.changes``).
- **synthetic, site-like builds**: synthetic pages of 80-500 elements changed as sites change between
  versions (``changes.realistic``: refactors, content releases, redesigns, framework migrations).
- **synthetic, stress mix**: the same pages with every kind of change at once (``changes.intensity``).

A target whose element is gone counts as *correct* when the answer is "not found" and *wrong* when
any candidate is returned. Baselines: absolute XPath equality, and a Similo-style matcher (Nass et
al., TOSEM 2023: fourteen attributes, weights 1.5 for the stable ones and 0.5 for the rest, exact
or Levenshtein similarity; it always returns its best candidate).

Timing: 1,000 targets over 100 pages of ~2,000 candidates through ``replay.locate.locate`` on one
core (the contract: well under a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, as the contract says
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402
from rapidfuzz import process  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from replay.locate import CANDIDATES_JS, locate, normalize  # noqa: E402
from replay.locate.changes import changed_pair, realistic  # noqa: E402
from replay.locate.synthetic import synthetic_page  # noqa: E402
from replay.locate.tree import Page, render, tree_from_snapshot  # noqa: E402

DEMO_PAGES = [("/login", None), ("/form", "form-language"), ("/search?q=garden", None),
              ("/detail?q=garden&r=7", None), ("/board", None), ("/dialog", "dialog-open"), ("/editor", None)]
V2_IDS = {"form-email": "emailAddress", "form-submit": "saveButton", "login-submit": "signInButton",
          "search-query": "q", "dialog-open": "openEventDialog", "editor-body": "richText"}
V2_TESTIDS = {"login-submit": "signin-submit", "form-phone": "form-telephone", "search-submit": "search-go",
              "column-done": "lane-done", "nav-editor": "nav-compose"}
EVAL_SEED = 2024


# -- demo app snapshots ------------------------------------------------------------------------------

def capture_demo() -> dict[str, list[dict]]:
    """Every visible element of each demo page on v1 and v2, as descriptors (keys 'v1 /path', 'v2 /path')."""
    from playwright.sync_api import sync_playwright

    from scenarios.apps.web.server import serve
    from simulator.drivers.browser import CAPTURE_JS, launch_chromium

    out: dict[str, list[dict]] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        ctx.add_init_script(CAPTURE_JS)
        page = ctx.new_page()
        for version in ("v1", "v2"):
            with serve(version) as srv:
                for path, opener in DEMO_PAGES:
                    page.goto(srv.url + path)
                    page.wait_for_load_state("networkidle")
                    if opener:
                        page.get_by_test_id(opener).click()
                        page.wait_for_timeout(200)
                    out[f"{version} {path}"] = page.evaluate(CANDIDATES_JS)
        browser.close()
    return out


def _camel(s: str) -> str:
    return re.sub(r"-([a-z0-9])", lambda m: m.group(1).upper(), s)


def demo_v1_v2(snap: dict[str, list[dict]], strip: tuple[str, ...] = ()) -> list[tuple[list, list, list]]:
    """Per page: v1 targets with a known v2 counterpart (or none: removed), v2 candidates, truth ids."""
    sets = []
    for path, _ in DEMO_PAGES:
        v1, v2 = snap[f"v1 {path}"], snap[f"v2 {path}"]
        by_testid = {d["attrs"].get("data-testid"): d["id"] for d in v2 if d["attrs"].get("data-testid")}
        by_id = {d["attrs"].get("id"): d["id"] for d in v2 if d["attrs"].get("id")}
        targets, truth = [], []
        for d in v1:
            t, i = d["attrs"].get("data-testid"), d["attrs"].get("id")
            if t:
                want = by_testid.get(V2_TESTIDS.get(t, t))
            elif i:
                want = by_id.get(V2_IDS.get(i, _camel(i)))
            else:
                continue
            targets.append(d)
            truth.append("c" + want if want else None)
        sets.append((_strip(targets, strip, "t"), _strip(v2, strip, "c"), truth))
    return sets


def _strip(descs: list[dict], attrs: tuple[str, ...], prefix: str) -> list[dict]:
    """Copies with the given attributes removed (and the paths that spell them), ids prefixed per side."""
    out = []
    for d in descs:
        d = json.loads(json.dumps(d))
        d["id"] = prefix + d["id"]
        for a in attrs:
            d["attrs"].pop(a, None)
            if a == "data-testid":
                d.pop("testid", None)
            if a == "id":
                d["idxpath"], d["css"] = d["xpath"], ""
        out.append(d)
    return out


# -- matchers ------------------------------------------------------------------------------------------

def hcisim_matcher(t, c):
    return [r.candidate_id for r in locate(t, c)]


def xpath_matcher(t, c):
    by = {d["xpath"]: d["id"] for d in c}
    return [by.get(d["xpath"]) for d in t]


SIMILO = {"tag": 1.5, "class": 0.5, "name": 1.5, "id": 1.5, "href": 0.5, "alt": 0.5, "xpath": 0.5,
          "idxpath": 0.5, "is_button": 0.5, "location": 0.5, "area": 0.5, "shape": 0.5, "visible_text": 1.5,
          "neighbor_text": 1.5}


def similo_matcher(t, c):
    """Similo-style: weighted sum of per-attribute similarities, best candidate always returned."""
    if not c:
        return [None] * len(t)
    T, C = [normalize(d) for d in t], [normalize(d) for d in c]
    S = np.zeros((len(T), len(C)))

    def eq(f):
        a = np.array([f(d) for d in T], dtype=object)
        b = np.array([f(d) for d in C], dtype=object)
        return ((a[:, None] == b[None, :]) & (a[:, None] != "")).astype(float)

    def lev(f):
        a, b = [f(d) for d in T], [f(d) for d in C]
        m = process.cdist(a, b, scorer=Levenshtein.normalized_similarity, workers=1)
        m[[i for i, s in enumerate(a) if not s]] = 0
        m[:, [j for j, s in enumerate(b) if not s]] = 0
        return m

    S += SIMILO["tag"] * eq(lambda d: d["tag"])
    S += SIMILO["class"] * eq(lambda d: d["attrs"].get("class", ""))
    S += SIMILO["name"] * eq(lambda d: d["attrs"].get("name", ""))
    S += SIMILO["id"] * eq(lambda d: d["attrs"].get("id", ""))
    S += SIMILO["href"] * eq(lambda d: d["attrs"].get("href", ""))
    S += SIMILO["alt"] * eq(lambda d: d["attrs"].get("alt", ""))
    S += SIMILO["xpath"] * lev(lambda d: d["xpath"])
    S += SIMILO["idxpath"] * lev(lambda d: d["idxpath"])
    S += SIMILO["is_button"] * eq(lambda d: "" if d["is_button"] is None else str(d["is_button"]))
    S += SIMILO["visible_text"] * lev(lambda d: d["visible_text"] or d["text"])
    S += SIMILO["neighbor_text"] * lev(lambda d: " ".join(sorted(v for v in d["neighbors"].values() if v)))
    tb = np.array([d["box"] or (np.nan,) * 4 for d in T], float)
    cb = np.array([d["box"] or (np.nan,) * 4 for d in C], float)
    dist = np.hypot(tb[:, None, 0] - cb[None, :, 0], tb[:, None, 1] - cb[None, :, 1])
    S += SIMILO["location"] * np.nan_to_num(np.maximum(0, 1 - dist / 100.0))
    ta, ca = tb[:, 2] * tb[:, 3], cb[:, 2] * cb[:, 3]
    S += SIMILO["area"] * np.nan_to_num(np.minimum(ta[:, None], ca[None]) / np.maximum(np.maximum(ta[:, None],
                                                                                                ca[None]), 1e-9))
    tr, cr = tb[:, 2] / np.maximum(tb[:, 3], 1e-9), cb[:, 2] / np.maximum(cb[:, 3], 1e-9)
    S += SIMILO["shape"] * np.nan_to_num(np.minimum(tr[:, None], cr[None]) / np.maximum(np.maximum(tr[:, None],
                                                                                               cr[None]), 1e-9))
    best = np.argmax(S, axis=1)
    return [C[j]["id"] for j in best]


MATCHERS = {"hcisim": hcisim_matcher, "absolute XPath": xpath_matcher, "Similo-style": similo_matcher}


def evaluate(sets, matcher) -> dict[str, int]:
    tally = {"targets": 0, "correct": 0, "not_found": 0, "wrong": 0, "removed": 0}
    for t, c, truth in sets:
        got = matcher(t, c)
        for g, want in zip(got, truth):
            tally["targets"] += 1
            tally["removed"] += want is None
            if g is None:
                tally["correct" if want is None else "not_found"] += 1
            else:
                tally["correct" if g == want else "wrong"] += 1
    return tally


def mutation_sets(bases: list[Page], ss: np.random.SeedSequence, builds: int, k: int, site_like: bool = False):
    sets = []
    for b, child in zip(bases, ss.spawn(len(bases))):
        rng = np.random.default_rng(child)
        for i in range(builds):
            sets.append(changed_pair(b, rng, k, realistic(rng) if site_like else None, tag=f"{b.key}.{i}."))
    return sets


def cheap_build(base: list[dict], rng: np.random.Generator, page: str, prefix: str) -> list[dict]:
    """A changed build of a rendered page by cloning with seeded edits (no tree work, so generating 100 pages
    of 2,000 elements takes about a second): ids and classes renamed, a layout shift, some words changed,
    a few elements dropped. Only for timing; accuracy is judged on the tree mutations above."""
    n = len(base)
    rename = rng.random(n) < 0.5
    reword = rng.random(n) < 0.05
    keep = rng.random(n) >= 0.02
    dy = float(rng.uniform(0, 120))
    out = []
    for i in np.nonzero(keep)[0]:
        d = dict(base[i])
        d["id"], d["page"] = f"{prefix}{i}", page
        if rename[i]:
            d["attrs"] = {**d["attrs"], **({"id": f"x{i}{prefix}"} if "id" in d["attrs"] else {}),
                          "class": f"css-{i % 97}"}
        if reword[i] and d.get("text"):
            d["text"] = d["visible_text"] = d["text"] + " now"
        if d.get("box"):
            d["box"] = {**d["box"], "y": d["box"]["y"] + dy}
        out.append(d)
    return out


def timing(seed: int, pages: int = 100, per_page: int = 10, size: int = 2000) -> dict[str, float]:
    """CPU seconds of ``locate`` alone for ``pages`` x ``per_page`` targets against pages of ~``size`` elements."""
    ss = np.random.SeedSequence([seed, 7])
    t_gen = time.process_time()
    base_n = 10
    bases = [render(synthetic_page(np.random.default_rng(s), f"/big{i}", size), "b")[0]
             for i, s in enumerate(ss.spawn(base_n))]
    T, C = [], []
    for i, s in enumerate(ss.spawn(pages)):
        rng = np.random.default_rng(s)
        base = bases[i % base_n]
        C += cheap_build(base, rng, f"/big{i}", f"p{i}.c")
        for k in rng.choice(len(base), size=per_page, replace=False):
            T.append({**base[k], "id": f"p{i}.t{k}", "page": f"/big{i}"})
    t_gen = time.process_time() - t_gen
    t0 = time.process_time()
    w0 = time.perf_counter()
    locate(T, C)
    return {"cpu_s": time.process_time() - t0, "wall_s": time.perf_counter() - w0, "targets": len(T),
            "candidates": len(C), "generation_cpu_s": t_gen}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=EVAL_SEED)
    ap.add_argument("--cache", type=Path, default=None, help="JSON file to keep the demo snapshots in")
    ap.add_argument("--builds", type=int, default=4, help="mutated builds per page")
    ap.add_argument("--synthetic", type=int, default=40, help="synthetic pages")
    ap.add_argument("--skip-timing", action="store_true")
    args = ap.parse_args(argv)
    if args.cache and args.cache.is_file():
        snap = json.loads(args.cache.read_text())
    else:
        snap = capture_demo()
        if args.cache:
            args.cache.write_text(json.dumps(snap))
    ss_demo, ss_syn = np.random.SeedSequence(args.seed).spawn(2)
    demo_bases = [tree_from_snapshot(snap[f"v1 {p}"], p.split("?")[0]) for p, _ in DEMO_PAGES]
    syn_bases = [synthetic_page(np.random.default_rng(s), f"/eval{i}", int(np.random.default_rng(s).integers(80, 500)))
                 for i, s in enumerate(ss_syn.spawn(args.synthetic))]
    evals = {
        "demo v1 -> v2": demo_v1_v2(snap),
        "demo v1 -> v2, no test ids": demo_v1_v2(snap, ("data-testid",)),
        "demo v1 -> v2, no test ids, no ids": demo_v1_v2(snap, ("data-testid", "id")),
        "demo mutations": mutation_sets(demo_bases, ss_demo, args.builds * 3, 15),
        "synthetic, site-like builds": mutation_sets(syn_bases, np.random.SeedSequence([args.seed, 1]), args.builds,
                                                     15, site_like=True),
        "synthetic, stress mix": mutation_sets(syn_bases, np.random.SeedSequence([args.seed, 2]), args.builds, 15),
    }
    print("| set | matcher | targets (removed) | correct | not found | wrong |")
    print("|---|---|---|---|---|---|")
    for name, sets in evals.items():
        for mname, fn in MATCHERS.items():
            r = evaluate(sets, fn)
            n = max(r["targets"], 1)
            print(f"| {name} | {mname} | {r['targets']} ({r['removed']}) | {100 * r['correct'] / n:.1f} % | "
                  f"{100 * r['not_found'] / n:.1f} % | {100 * r['wrong'] / n:.1f} % |", flush=True)
    if not args.skip_timing:
        r = timing(args.seed)
        print(f"\ntiming: {r['targets']} targets, {r['candidates']} candidates on 100 pages: locate {r['cpu_s']:.1f} s "
              f"CPU ({r['wall_s']:.1f} s wall, one core); generating the pages took {r['generation_cpu_s']:.1f} s")
    return 0


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
