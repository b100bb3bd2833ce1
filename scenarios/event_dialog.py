"""Create an event in a modal dialog, then open it again and close it with Escape."""

from simulator.locate import label, role

APP = "web"
START = "/dialog"


def run(s):
    f = s.fake
    s.click(role("button", "Open dialog"))
    s.type(label("Event name"), f.catch_phrase(), clear=True)
    s.type(label("Guests"), str(f.random_int(3, 40)), clear=True)
    s.check(label("Notify attendees"))
    s.click(role("button", "Confirm"))
    s.read(role("status"), words=8)
    s.click(role("button", "Open dialog"))
    s.wait(f.random_int(400, 1500))
    s.press("Escape")
