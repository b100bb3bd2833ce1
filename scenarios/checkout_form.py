"""Sign in, then fill the long order form (text, native and custom dropdowns, radio, checkboxes, card) and submit."""

from simulator.locate import label, role

APP = "web"
START = "/login"
COUNTRIES = ["Australia", "Brazil", "Canada", "France", "Germany", "Italy", "Japan", "Spain", "Sweden",
             "United Kingdom", "United States"]
LANGUAGES = ["English", "Spanish", "French", "German", "Japanese", "Italian", "Dutch", "Korean", "Swedish"]


def run(s):
    f = s.fake
    s.type(label("Username"), f.user_name())
    s.type(label("Password"), f.password(length=12))
    s.check(label("Remember me"))
    s.click(role("button", "Log in"))
    s.read(role("heading", "Order form"), words=12)
    s.type(label("Full name"), f.name())
    s.type(label("E-mail"), f.email())
    s.type(label("Phone number"), f.numerify("555-###-####"))
    s.type(label("Street"), f.street_address())
    s.type(label("City"), f.city())
    s.type(label("ZIP code"), f.postcode())
    s.select(label("Country"), f.random_element(COUNTRIES))
    s.select(role("combobox", "Language"), f.random_element(LANGUAGES))
    # exact: "Letter" is also in "Subscribe to the newsletter", and a locator matching two elements is an error
    s.click(label(f.random_element(["Phone call", "Text message", "Letter"]), exact=True))
    if f.boolean():
        s.check(label("Subscribe to the newsletter"))
    s.check(label("I accept the terms and conditions"))
    s.type(label("Card number"), f.credit_card_number(card_type="visa16"))
    s.type(label("Delivery notes"), f.sentence(nb_words=8))
    s.click(role("button", "Submit"))
    s.read(role("status"), words=30)
