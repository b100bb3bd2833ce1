"""Move cards across the team board by dragging them with the button held."""

from simulator.locate import css, role

APP = "web"
START = "/board"
TODO = ["Write report", "Fix login bug", "Update docs", "Plan sprint"]


def run(s):
    f = s.fake
    first, second = f.random_elements(TODO, length=2, unique=True)
    s.read(role("heading", "Team board"), words=15)
    s.drag(role("listitem", first), css("#column-doing"))
    s.drag(role("listitem", second), css("#column-done"))
    s.drag(role("listitem", "Review pull request"), css("#column-done"))
