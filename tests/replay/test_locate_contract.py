"""The re-targeting contract: ``replay.locate.locate`` and ``hcisim locate`` (issue 11)."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import numpy as np

from replay.locate import locate
from replay.locate.changes import Intensity, changed_pair
from replay.locate.synthetic import synthetic_page

ROOT = Path(__file__).resolve().parents[2]
HCISIM = ROOT / ".venv" / "bin" / "hcisim"


def el(i, page="/p", **kw):
    base = {"id": i, "page": page, "tag": "button", "attrs": {}, "text": "", "visible_text": "", "role": "button",
            "name": "", "label": "", "xpath": "", "idxpath": "", "css": "", "box": None, "neighbors": {},
            "is_button": True}
    return {**base, **kw}


def filler(prefix, page="/p"):
    """A page's other elements: links and headings with their own words, spread over the page."""
    words = ["Home", "Pricing", "Blog", "About us", "Careers", "Contact", "Docs", "Status"]
    return [el(f"{prefix}{k}", page, tag="a", role="link", is_button=False, text=w, visible_text=w, name=w,
               attrs={"href": f"/{w.lower()}"}, xpath=f"/html[1]/body[1]/nav[1]/a[{k + 1}]",
               box={"x": 20 + 120 * k, "y": 10, "w": 100, "h": 24}) for k, w in enumerate(words)]


def test_every_attribute_changed_but_text_and_position_is_found():
    old = el("t1", tag="button", text="Place order", visible_text="Place order", name="Place order",
             attrs={"id": "checkout-submit", "class": "btn btn-primary", "data-testid": "place-order"},
             xpath="/html[1]/body[1]/main[1]/form[1]/button[1]", css="#checkout-submit",
             idxpath="//*[@id='checkout-submit']", box={"x": 600, "y": 700, "w": 140, "h": 40})
    new = el("c1", tag="button", text="Place order", visible_text="Place order", name="Place order",
             attrs={"id": "x9f3k2", "class": "sc-a81kq sc-bb2", "data-testid": "submit-v2"},
             xpath="/html[1]/body[1]/div[3]/div[1]/button[2]", css="#x9f3k2", idxpath="//*[@id='x9f3k2']",
             box={"x": 604, "y": 702, "w": 138, "h": 40})
    other = el("c2", text="Cancel", visible_text="Cancel", name="Cancel", attrs={"id": "cancel"},
               xpath="/html[1]/body[1]/div[3]/div[1]/button[1]", box={"x": 440, "y": 702, "w": 120, "h": 40})
    [r] = locate([old], [other, new] + filler("f"))
    assert r.candidate_id == "c1" and 0.0 <= r.score <= 1.0


def test_a_removed_element_is_not_found_and_never_matched_to_something_else():
    gone = el("t1", text="Delete account", visible_text="Delete account", name="Delete account",
              attrs={"id": "delete-account", "class": "danger"}, xpath="/html[1]/body[1]/main[1]/button[3]",
              box={"x": 100, "y": 500, "w": 160, "h": 36})
    kept = el("t2", text="Save", visible_text="Save", name="Save", attrs={"id": "save"},
              xpath="/html[1]/body[1]/main[1]/button[1]", box={"x": 100, "y": 400, "w": 80, "h": 36})
    # the new build: Save is still there; where Delete account was, another button now sits
    cands = [el("c1", text="Save", visible_text="Save", name="Save", attrs={"id": "save"},
                xpath="/html[1]/body[1]/main[1]/button[1]", box={"x": 100, "y": 400, "w": 80, "h": 36}),
             el("c2", text="Export data", visible_text="Export data", name="Export data", attrs={"id": "export"},
                xpath="/html[1]/body[1]/main[1]/button[2]", box={"x": 100, "y": 500, "w": 160, "h": 36})]
    res = locate([gone, kept], cands + filler("f"))
    assert res[0].target_id == "t1" and res[0].candidate_id is None
    assert res[1].candidate_id == "c1"


def test_missing_fields_never_crash():
    bare_targets = [{"id": "t1", "page": "/p"}, {"id": "t2", "page": "/p", "box": None, "text": None, "attrs": None},
                    {"id": "t3", "page": "/p", "attrs": {}, "neighbors": None, "box": {"x": 1}},
                    {"id": "t4", "page": "/nowhere", "text": "Save"}]
    bare_cands = [{"id": "c1", "page": "/p"}, {"id": "c2", "page": "/p", "tag": "a", "text": "Save", "box": None},
                  {"id": "c3", "page": "/p", "attrs": {"id": 5, "class": None}, "box": [1, 2, 3, 4]}]
    res = locate(bare_targets, bare_cands)
    assert [r.target_id for r in res] == ["t1", "t2", "t3", "t4"]
    assert all(0.0 <= r.score <= 1.0 for r in res)
    assert res[3].candidate_id is None  # no candidates on its page
    assert locate([], bare_cands) == [] and locate(bare_targets, [])[0].candidate_id is None


def test_two_targets_with_identical_text_go_to_the_right_candidates():
    """Two "Delete" buttons in rows that swapped places: the rows' texts beside them say which is which."""
    def row(i, y, name, prefix, k):
        return el(f"{prefix}{k}", text="Delete", visible_text="Delete", name="Delete", attrs={"class": "del"},
                  xpath=f"/html[1]/body[1]/table[1]/tr[{i}]/td[2]/button[1]", box={"x": 400, "y": y, "w": 80, "h": 30},
                  neighbors={"left": name})
    targets = [row(1, 100, "Invoice March", "t", 1), row(2, 140, "Invoice April", "t", 2)]
    cands = [row(1, 100, "Invoice April", "c", 1), row(2, 140, "Invoice March", "c", 2)]
    res = locate(targets, cands + filler("f"))
    assert [r.candidate_id for r in res] == ["c2", "c1"]


def test_generated_changes_are_mostly_found_and_rarely_wrong():
    """Not a benchmark: a sanity check that the shipped weights work on changes from a fresh seed."""
    ss = np.random.SeedSequence(99)
    right = wrong = total = 0
    for child in ss.spawn(4):
        rng = np.random.default_rng(child)
        page = synthetic_page(rng, "/t", 150)
        t, c, truth = changed_pair(page, rng, 12, Intensity(rename_id=1.0, rename_class=1.0, reword=0.1,
                                                          wrap=0.05, move=0.0, reorder=0.0, remove=0.05,
                                                          decoys=0.0, layout_shift=0.0))
        for r, want in zip(locate(t, c), truth):
            total += 1
            right += r.candidate_id == want
            wrong += r.candidate_id is not None and r.candidate_id != want
    assert right / total >= 0.7 and wrong / total <= 0.05, (right, wrong, total)


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(HCISIM), "locate", *args], capture_output=True, text=True, timeout=120)


def test_cli_writes_one_row_per_target_in_input_order(tmp_path):
    t = _write(tmp_path / "t.jsonl", [el("b", text="Save", name="Save", box={"x": 10, "y": 10, "w": 50, "h": 20}),
                                      el("a", page="/q", text="Go")])
    c = _write(tmp_path / "c.jsonl", [el("x", text="Save", name="Save", box={"x": 12, "y": 10, "w": 50, "h": 20}),
                                      *filler("f")])
    out = tmp_path / "out.csv"
    r = _cli("--targets", str(t), "--candidates", str(c), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["target_id", "candidate_id", "score"]
    assert [x[0] for x in rows[1:]] == ["b", "a"]
    assert rows[1][1] == "x" and rows[2][1] == ""
    assert all(0.0 <= float(x[2]) <= 1.0 for x in rows[1:])


def test_cli_malformed_json_line_is_one_clear_error_and_no_output(tmp_path):
    t = _write(tmp_path / "t.jsonl", [el("t1", text="Save"), '{"id": "t2", "page": "/p", ', el("t3")])
    c = _write(tmp_path / "c.jsonl", [el("c1", text="Save")])
    out = tmp_path / "out.csv"
    r = _cli("--targets", str(t), "--candidates", str(c), "--out", str(out))
    assert r.returncode != 0
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "t.jsonl:2" in lines[0] and "Traceback" not in r.stderr, r.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))


def test_cli_keeps_an_existing_output_when_the_candidates_are_bad(tmp_path):
    t = _write(tmp_path / "t.jsonl", [el("t1", text="Save")])
    c = _write(tmp_path / "c.jsonl", [el("c1"), "[1, 2]"])
    out = tmp_path / "out.csv"
    previous = "target_id,candidate_id,score\nt0,c0,0.9000\n"  # an earlier result, which a good run replaces
    out.write_text(previous)
    r = _cli("--targets", str(t), "--candidates", str(c), "--out", str(out))
    assert r.returncode != 0 and "c.jsonl:2" in r.stderr
    assert out.read_text() == previous


def test_cli_takes_one_file_of_many_pages_whose_ids_repeat_across_pages(tmp_path):
    """capture.js names elements by XPath, which repeats from page to page (the nav is the same): one file
    of several pages is what docs/format.md describes; an id twice on one page is still refused."""
    nav = "/html[1]/body[1]/nav[1]"
    t = _write(tmp_path / "t.jsonl", [el(nav, page="/a", text="Save", name="Save"),
                                      el(nav, page="/b", text="Send", name="Send")])
    c = _write(tmp_path / "c.jsonl", [el(nav, page="/a", text="Save", name="Save"), *filler("f", "/a"),
                                      el(nav, page="/b", text="Send", name="Send"), *filler("f", "/b")])
    out = tmp_path / "out.csv"
    r = _cli("--targets", str(t), "--candidates", str(c), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert [x[:2] for x in list(csv.reader(out.open()))[1:]] == [[nav, nav], [nav, nav]]
    dup = _write(tmp_path / "d.jsonl", [el("x", page="/a"), el("x", page="/a")])
    r = _cli("--targets", str(dup), "--candidates", str(c), "--out", str(tmp_path / "o2.csv"))
    assert r.returncode != 0 and "d.jsonl:2: id 'x' is used twice on page '/a'" in r.stderr
