"""Recorded pages moved to another build's address: the app's folder moves, everything else keeps its path."""

import pytest

from replay.urls import app_folder, rebase, recorded_start, relative_ref


@pytest.mark.parametrize("url, folder", [
    ("http://h:1/login", "http://h:1/"), ("http://h/app/login", "http://h/app/"), ("http://h/app/", "http://h/app/"),
    ("http://h", "http://h/"), ("http://h/v2", "http://h/"), ("/login", "/"), ("http://h/a/b.html?q=1#x", "http://h/a/"),
])
def test_an_apps_folder_is_where_a_relative_link_of_the_page_resolves(url, folder):
    assert app_folder(url) == folder


@pytest.mark.parametrize("recorded, start, new, expected", [
    ("http://a:1/login", "http://a:1/login", "http://b:2/v2/", "http://b:2/v2/login"),
    ("http://a:1/search?q=chess#r", "http://a:1/login", "http://b/v2/login", "http://b/v2/search?q=chess#r"),
    ("http://a/app/detail", "http://a/app/login", "http://b:3/", "http://b:3/detail"),
    ("http://a/elsewhere", "http://a/app/login", "http://b/v2/", "http://b/elsewhere"),  # outside the app
    ("http://a/app", "http://a/app/login", "http://b/v2/", "http://b/v2/"),  # the folder without its slash
    ("/form", "/login", "http://b:4/x/", "http://b:4/x/form"),  # a generated session holds paths
])
def test_a_recorded_page_moves_with_the_apps_folder(recorded, start, new, expected):
    assert rebase(recorded, app_folder(start), app_folder(new)) == expected


def test_a_relative_reference_never_reads_as_a_scheme():
    assert relative_ref("http://a/mailto:x", "http://a/") == "./mailto:x"


def test_the_start_is_the_first_navigation_with_somewhere_to_go():
    acts = [{"kind": "click", "params": None, "step": "click"},
            {"kind": "navigate", "params": "{}", "step": "navigate"},
            {"kind": "navigate", "params": None, "step": "goto /login"},
            {"kind": "navigate", "params": '{"url": "http://h/x"}', "step": "navigate"}]
    assert recorded_start(acts) == "/login"
    assert recorded_start(acts[:2]) == "/"


def test_a_private_field_s_value_is_taken_out_of_the_urls_a_recording_keeps():
    """A search box marked --sensitive sent by GET put its words into the next page's URL, which the recording
    kept twice (the navigate action, the page's navigate_away)."""
    from replay.convert import _without_private_queries

    desc = {"sensitive": True, "attrs": {"name": "q", "id": "search-query"}}
    records = [{"type": "keydown", "t": 1.0, "key": "•", "desc": desc},
               {"type": "navigate", "t": 2.0, "url": "http://h/search?q=garden+tools&page=2"},
               {"type": "navigate_away", "t": 3.0, "target": "http://h/search?page=2&q=garden"},
               {"type": "navigate", "t": 4.0, "url": "http://h/item?id=7"},
               # a result link carries the query that found it (it was kept in clear)
               {"type": "mousedown", "t": 5.0, "desc": {"attrs": {"href": "/detail?q=garden&r=9", "class": "hit"}}}]
    got = _without_private_queries(records)
    assert [r.get("url") or r.get("target") for r in got[1:4]] == [
        "http://h/search?q=•&page=2", "http://h/search?page=2&q=•", "http://h/item?id=7"]
    assert got[4]["desc"]["attrs"] == {"href": "/detail?q=•&r=9", "class": "hit"}
    assert "garden" not in repr(got) and records[1]["url"].endswith("garden+tools&page=2")  # the input untouched
    public = [{**r, "desc": {"attrs": {"name": "q"}}} if "desc" in r else r for r in records]
    assert _without_private_queries(public) == public  # a field nobody marked private keeps its query
