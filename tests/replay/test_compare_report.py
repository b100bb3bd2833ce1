"""`hcisim compare`'s page: one self-contained file with the paths and every score."""

import re
from dataclasses import fields
from pathlib import Path

from replay.compare import Comparison, compare
from replay.compare_report import write_compare_report

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline"


def test_the_page_lists_every_score_and_embeds_the_paths(tmp_path):
    result = compare(FIXTURE, FIXTURE)
    out = write_compare_report(FIXTURE, FIXTURE, result, tmp_path / "c.html")
    page = out.read_text()
    scores = dict(re.findall(r"<tr><td class='text'>([a-z_0-9]+)</td><td[^>]*>([^<]*)</td>", page))
    assert set(scores) == {f.name for f in fields(Comparison)}
    assert scores["step_success_rate"] == f"{result.step_success_rate:.3f}"
    assert "data:image/png;base64," in page and page.endswith("</html>")
    assert [p.name for p in tmp_path.iterdir()] == ["c.html"]


def test_the_page_draws_the_sessions_compared_not_each_first(tmp_path, monkeypatch):
    """`compare --session s2 --candidate-session s2 --out` drew both datasets' first sessions."""
    import replay.compare_report as page_module

    drawn = []
    real_path = page_module._path
    monkeypatch.setattr(page_module, "_path", lambda ds, sid: drawn.append(sid) or real_path(ds, sid))
    from simulator.dataset import read_dataset
    first, second = read_dataset(FIXTURE).sessions[:2]
    result = compare(FIXTURE, FIXTURE, ref_session=second, cand_session=first)
    page = write_compare_report(FIXTURE, FIXTURE, result, tmp_path / "c.html", ref_session=second,
                                cand_session=first).read_text()
    assert drawn == [second, first]
    assert f"(session {second})" in page and f"(session {first})" in page
