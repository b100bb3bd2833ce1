"""The shared HTML pieces: cells read right, pages are whole and written atomically."""

import numpy as np

from simulator.report.page import cell, table, write_page


def test_cells_format_numbers_and_escape_text():
    assert cell(None) == "–" and cell(0.12345) == "0.123" and cell(np.float32(2)) == "2.000"
    assert cell(float("inf")) == "inf" and cell(float("nan")) == "nan" and cell(7) == "7"
    assert cell("<b>&") == "&lt;b&gt;&amp;"


def test_tables_align_numbers_right_and_words_left():
    t = table([["auc", 0.61, None], ["path", "/tmp/x", 3]], ["measure", "value", "n"])
    assert t.count("<th>") == 3 and t.count("<tr>") == 3
    assert "<td class='text'>auc</td><td>0.610</td><td>–</td>" in t
    assert "<td class='text'>/tmp/x</td><td>3</td>" in t
    assert "<th>" not in table([["a", 1]], None)


def test_a_page_is_one_whole_document(tmp_path):
    out = write_page(tmp_path / "r.html", "a <title>", "<p>body</p>", ".x{color:red}")
    doc = out.read_text()
    assert doc.startswith("<!doctype html>") and doc.endswith("</html>")
    assert "<h1>a &lt;title&gt;</h1><p>body</p>" in doc and ".x{color:red}" in doc
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_report_replaces_an_earlier_report_and_nothing_else(tmp_path):
    """`hcisim compare REF CAND --out REF/manifest.json` turned the reference's manifest into HTML."""
    import pytest

    from simulator.errors import HcisimError
    from simulator.report.page import STYLE

    out = write_page(tmp_path / "r.html", "first", "<p>1</p>")
    write_page(out, "second", "<p>2</p>")
    assert "<p>2</p>" in out.read_text()
    old = tmp_path / "old.html"  # written before reports carried the generator marker
    old.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>x</title><style>{STYLE}</style>")
    write_page(old, "third", "<p>3</p>")
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"driver": "offline"}\n')
    with pytest.raises(HcisimError, match="manifest.json exists and is not an hcisim report; choose another output"):
        write_page(manifest, "x", "")
    assert manifest.read_text() == '{"driver": "offline"}\n'


def test_compare_keeps_the_reference_it_is_asked_to_write_over(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    ref = tmp_path / "ref"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "checkout_form-offline", ref)
    before = (ref / "manifest.json").read_bytes()
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "compare", str(ref), str(ref), "--out",
                        str(ref / "manifest.json")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == (f"error: {ref / 'manifest.json'} is inside the reference "
                                                      f"dataset being read ({ref}); choose another output")
    assert (ref / "manifest.json").read_bytes() == before
