"""One JSON Lines reader: strict for data files, tolerant of a killed writer's last line for journals."""

import pytest

from simulator.errors import HcisimError
from simulator.jsonl import read_jsonl


def test_values_of_non_blank_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n\n  \n[2, 3]\n"x"\n')
    assert read_jsonl(p) == [{"a": 1}, [2, 3], "x"]


def test_a_bad_line_is_named(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n{"a": \n{"a": 3}\n')
    with pytest.raises(HcisimError, match=r"a\.jsonl:2: not valid JSON"):
        read_jsonl(p)


def test_a_journal_keeps_what_came_before_a_line_cut_short(tmp_path):
    p = tmp_path / "journal.jsonl"
    p.write_text('{"t": 1}\n{"t": 2}\n{"t": 3, "ty')
    assert read_jsonl(p, cut_short_ok=True) == [{"t": 1}, {"t": 2}]


def test_binary_is_not_text(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_bytes(b'{"a": 1}\n\xff\xfe\x00garbage\n')
    with pytest.raises(HcisimError, match="not UTF-8 text"):
        read_jsonl(p)


def test_line_numbers_count_blank_lines(tmp_path):
    """Readers that check each value (locate's descriptors) name the file's own line numbers."""
    from simulator.jsonl import numbered_lines

    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n\n{"a": 2}\n')
    assert list(numbered_lines(p)) == [(1, {"a": 1}), (3, {"a": 2})]
