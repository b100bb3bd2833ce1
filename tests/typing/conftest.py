from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def aalto_dir() -> Path:
    d = DATA / "aalto-typing" / "files"
    if not d.is_dir():
        pytest.fail(f"recorded data not found at {d}: clone the project beside shared/")
    return d


@pytest.fixture(scope="session")
def freetext_dir() -> Path:
    d = DATA / "typing-free-text"
    if not d.is_dir():
        pytest.fail(f"recorded data not found at {d}: clone the project beside shared/")
    return d


SENTENCES = [
    "The results were expected back Tuesday.",
    "See you in Enron House when I get back.",
    "However, he's still expected to start in the 49ers next game on Oct. 12!",
    "I hope that you find these communications informative.",
    "Please call me at 555-0199 (after 5 pm) or e-mail me: \"jo@example.com\".",
    "what a LOVELY day it was\nsee you soon",
    "Quick brown foxes JUMP over lazy dogs; zebras quietly vex them?",
]
