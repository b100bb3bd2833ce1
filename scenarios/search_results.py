"""Search the catalogue (after clearing a first try), scroll the long result list with the wheel, open a result and go back."""

from simulator.locate import label, role

APP = "web"
START = "/search"
QUERIES = ["garden", "coffee", "bicycle", "camping", "photography", "baking", "chess", "pottery"]
ASPECTS = ["basics", "for beginners", "tips", "guide", "history", "news", "prices", "reviews", "tools", "ideas",
           "questions", "forum"]
SOURCES = ["Wiki", "Journal", "Daily", "Review", "Archive"]


def result_title(query: str, n: int) -> str:
    """The demo app's title of result number ``n`` (1..60) for ``query``."""
    return f"{query.capitalize()} {ASPECTS[(n - 1) % 12]} ({SOURCES[(n - 1) // 12]})"


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
    s.scroll(to=role("link", result_title(query, n)))
    s.click(role("link", result_title(query, n)))
    s.read(role("heading"), words=40)
    s.click(role("link", "Back to results"))
