"""Write a message in the rich text editor with a subject, bold text and a free-text body, then save it."""

from simulator.locate import label, role

APP = "web"
START = "/editor"


def run(s):
    f = s.fake
    s.type(label("Subject"), f.sentence(nb_words=5).rstrip("."))
    s.click(role("button", "Bold"))
    s.type(role("textbox", "Message"), f.paragraph(nb_sentences=2))
    s.click(role("button", "Bold"))
    s.click(role("button", "Save draft"))
    s.read(role("status"), words=6)
