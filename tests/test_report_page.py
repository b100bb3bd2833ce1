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
