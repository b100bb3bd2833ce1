"""Search the catalogue (after clearing a first try), scroll the long result list with the wheel, open a result and go back."""

from simulator.locate import label, role, testid

APP = "web"
START = "/search"
QUERIES = ["garden", "coffee", "bicycle", "camping", "photography", "baking", "chess", "pottery"]


def run(s):
    f = s.fake
    query, first_try = f.random_elements(QUERIES, length=2, unique=True)
    s.type(label("Search terms"), first_try)
    s.click(role("button", "Clear"))  # changed their mind
    s.type(label("Search terms"), query)
    if f.boolean():
        s.press("Enter")
    else:
        s.click(role("button", "Search"))
    s.read(role("status"), words=6)
    n = f.random_int(20, 60)
    result = testid(f"result-{n}-link")  # the n-th result of whatever was searched
    s.scroll(to=result)
    s.click(result)
    s.read(role("heading"), words=40)
    s.click(role("link", "Back to results"))
