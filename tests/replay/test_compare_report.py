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


def _browser_like(path, frame0: bytes = None):
    """A session as a live browser run has it: a blank screenshot before the app loads, the app's next, then
    the pointer moves."""
    import pyarrow as pa

    from simulator.dataset import DatasetWriter, Manifest
    from simulator.dataset.schema import EVENTS, FRAMES
    from tests.helpers import solid_png

    ev = [dict(session_id="s0", seq=i, t_ms=150.0 + 16 * i, device="mouse", type="move", x=5.0 + i, y=5.0 + i)
          for i in range(8)]
    fr = [dict(session_id="s0", frame_id=0, t_ms=0.0, action_id=0, kind="before", path="frames/s0/0.png"),
          dict(session_id="s0", frame_id=1, t_ms=100.0, action_id=1, kind="before", path="frames/s0/1.png")]
    with DatasetWriter(path, Manifest(driver="browser", coordinate_space="viewport_css_px")) as w:
        w.add_session("s0", events=pa.Table.from_pylist(ev, schema=EVENTS), frames=pa.Table.from_pylist(fr, FRAMES))
        w.add_file("frames/s0/0.png", frame0 or solid_png((255, 255, 255)))
        w.add_file("frames/s0/1.png", solid_png((0, 0, 255)))
    return path


def test_the_paths_are_drawn_over_the_app_not_the_blank_page_before_it(tmp_path):
    """A live browser session's first screenshot is the blank page before `goto`: the page drew the paths over
    white, though the docs promised the reference's screen."""
    import base64
    import io

    import matplotlib.image as mpimg

    ref = _browser_like(tmp_path / "ref")
    page = write_compare_report(ref, ref, compare(ref, ref), tmp_path / "c.html").read_text()
    png = mpimg.imread(io.BytesIO(base64.b64decode(re.search(r"base64,([^\"']+)", page).group(1))), format="png")
    blue = (png[..., 2] > 0.9) & (png[..., 0] < 0.1) & (png[..., 1] < 0.1)
    assert blue.mean() > 0.2
    assert "over the reference&#x27;s screen when its pointer first moved" in page


def test_without_screenshots_the_paths_are_on_screen_axes_the_right_way_up(tmp_path, monkeypatch):
    """With no screenshot, y = 0 was at the bottom (every path upside down) and the axes were hidden, so nothing
    said what the numbers were; a side without pointer moves still had its line in the legend."""
    from simulator.dataset import DatasetWriter, Manifest
    from tests.helpers import figures_saved

    typing_only = tmp_path / "typed"
    with DatasetWriter(typing_only, Manifest(driver="import", coordinate_space="screen_px")) as w:
        w.add_session("p1", events=[dict(session_id="p1", seq=0, t_ms=0.0, device="keyboard", type="key_down",
                                         key="a", code="KeyA")])
    figs = figures_saved(monkeypatch)
    page = write_compare_report(FIXTURE, typing_only, compare(FIXTURE, typing_only), tmp_path / "c.html").read_text()
    (ax,) = figs[0].axes
    assert ax.axison and ax.yaxis_inverted()
    assert ax.get_xlabel() == "x (CSS px of the viewport)" and ax.get_ylabel().startswith("y (CSS px")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("reference: ") and legend[0].endswith(" pointer moves")
    assert legend[1] == "candidate: no pointer moves"
    assert "(the reference has no screenshots)" in page


def test_a_damaged_screenshot_is_one_error_naming_it(tmp_path):
    import pytest

    from simulator.errors import HcisimError

    ref = _browser_like(tmp_path / "ref")
    (ref / "frames" / "s0" / "1.png").write_bytes(b"not a png")
    with pytest.raises(HcisimError, match=r"frames/s0/1.png: cannot read this screenshot .*hcisim validate"):
        write_compare_report(ref, ref, compare(ref, ref), tmp_path / "c.html")
    assert not (tmp_path / "c.html").exists()


def test_the_differences_are_listed_item_by_item_not_as_python_lists(tmp_path):
    """The scores table showed ``['type label=\\"Email\\"']`` and ``{'form.email': {'reference': ...}}`` in a
    cell: now each list is counted in the table and written out below it, and the final state's fields that
    differ are a table of their own."""
    from dataclasses import replace

    result = replace(compare(FIXTURE, FIXTURE), missing_steps=['type label="Email"', "click <b>Pay</b>"],
                     final_state_diff={"form.email": {"reference": "ann@x.org", "candidate": None}})
    page = write_compare_report(FIXTURE, FIXTURE, result, tmp_path / "c.html").read_text()
    scores = dict(re.findall(r"<tr><td class='text'>([a-z_0-9]+)</td><td[^>]*>([^<]*)</td>", page))
    assert scores["missing_steps"] == "2" and scores["extra_steps"] == "0" and scores["final_state_diff"] == "1"
    assert "[" not in "".join(scores.values()) and "{" not in "".join(scores.values())
    assert "<h3>missing steps (2)</h3><ul><li>type label=&quot;Email&quot;</li><li>click &lt;b&gt;Pay&lt;/b&gt;</li></ul>" \
        in page
    assert "<h3>extra steps" not in page  # nothing to list
    assert ("<tr><td class='text'>form.email</td><td class='text'>&#x27;ann@x.org&#x27;</td>"
            "<td class='text'>None</td></tr>") in page
