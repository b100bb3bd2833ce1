from replay.locate import THRESHOLD, best_match

BUTTON = {"role": "button", "name": "Submit", "label": None, "id": "submit", "testid": "form-submit",
          "css": "#submit", "text": "Submit", "box": [100, 500, 80, 30], "tag": "button"}


def cand(**kw):
    base = {"role": "button", "name": "Other", "label": None, "id": None, "testid": None, "css": "div > button",
            "text": "Other", "box": [600, 100, 80, 30], "tag": "button"}
    return {**base, **kw}


def test_test_id_wins_even_when_moved_and_renamed():
    m = best_match(BUTTON, [cand(name="Cancel", text="Cancel"), cand(name="Save", text="Save", testid="form-submit")])
    assert m.found and m.candidate["name"] == "Save" and m.strategy == "testid"


def test_renamed_label_found_by_fuzzy_name_and_position():
    field = {"role": "textbox", "name": "E-mail", "label": "E-mail", "id": "email", "testid": None,
             "css": "#email", "text": None, "box": [100, 200, 200, 24], "tag": "input"}
    cands = [cand(role="textbox", name="Email address", label="Email address", id="mail", css="#mail",
                  text=None, tag="input", box=[120, 210, 200, 24]),
             cand(role="textbox", name="Phone", label="Phone", id="phone", css="#phone", text=None, tag="input",
                  box=[100, 260, 200, 24])]
    m = best_match(field, cands)
    assert m.found and m.candidate["id"] == "mail"
    assert m.strategy in ("label", "role_name")


def test_removed_element_is_not_matched_to_something_else():
    m = best_match(BUTTON, [cand(name="Cancel", text="Cancel", box=[100, 500, 80, 30]),
                            cand(role="link", name="Help", text="Help")])
    assert not m.found and m.score < THRESHOLD


def test_an_element_on_another_page_is_no_counterpart():
    """Replay's final-value check asks for a field typed on the login page after the session moved on:
    the same-looking field of another page is not it (the contract matches within a page key only)."""
    field = {"id": "t", "page": "/login", "tag": "input", "attrs": {"type": "text", "name": "user"},
             "role": "textbox", "name": "Username", "label": "Username", "box": {"x": 100, "y": 200, "w": 200, "h": 24}}
    elsewhere = {**field, "id": "c", "page": "/form"}
    assert not best_match(field, [elsewhere]).found
    assert best_match(field, [elsewhere, {**field, "id": "c2"}]).candidate["id"] == "c2"
