"""Fill the Tk desktop app's account form, pick an item from the list, use the Help menu, and submit."""

from simulator.locate import role

APP = "desktop"
START = "/"


def run(s):
    f = s.fake
    s.type(role("textbox", "Name"), f.name())
    s.type(role("textbox", "Email"), f.email())
    s.type(role("textbox", "Password"), f.password(length=10, special_chars=False))
    if f.boolean():
        s.click(role("checkbox", "Subscribe to the newsletter"))
    s.click(role("option", f"Item {f.random_int(1, 12):02d}", exact=False))
    s.click(role("menuitem", "Help"))
    s.click(role("menuitem", "About"))
    s.click(role("button", "OK"))
    s.click(role("button", "Submit"))
