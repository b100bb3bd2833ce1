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
