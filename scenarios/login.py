"""Sign in with a generated user name and password, sometimes ticking "Remember me"."""

from simulator.locate import label, role

APP = "web"
START = "/login"


def run(s):
    f = s.fake
    s.type(label("Username"), f.user_name())
    s.type(label("Password"), f.password(length=14))
    if f.boolean():
        s.check(label("Remember me"))
    s.click(role("button", "Log in"))
    s.read(role("heading", "Order form"), words=10)
