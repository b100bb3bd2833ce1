from __future__ import annotations

from pathlib import Path

import pytest

def _recorded(shared_data: Path, folder: str) -> Path:
    d = shared_data / folder
    if not d.is_dir():
        pytest.fail(f"recorded data not found at {d}: clone the project beside shared/")
    return d


@pytest.fixture(scope="session")
def aalto_dir(shared_data: Path) -> Path:
    return _recorded(shared_data, "aalto-typing/files")


@pytest.fixture(scope="session")
def freetext_dir(shared_data: Path) -> Path:
    return _recorded(shared_data, "typing-free-text")


SENTENCES = [
    "The results were expected back Tuesday.",
    "See you in Enron House when I get back.",
    "However, he's still expected to start in the 49ers next game on Oct. 12!",
    "I hope that you find these communications informative.",
    "Please call me at 555-0199 (after 5 pm) or e-mail me: \"jo@example.com\".",
    "what a LOVELY day it was\nsee you soon",
    "Quick brown foxes JUMP over lazy dogs; zebras quietly vex them?",
]
