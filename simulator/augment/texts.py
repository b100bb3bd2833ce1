"""New texts of the same kind as recorded ones: faker words, matched in length and character mix.

Nothing of a recorded text is reused -- not its words, not their order -- only its length and the
shares of capitals, digits, punctuation and spaces (`TextMix`), so what people wrote privately never
reaches an augmented dataset. Faker is seeded from the session's ``content`` stream.
"""

from __future__ import annotations

import numpy as np
from faker import Faker

from simulator.augment.tasks import TextMix
from simulator.typing.context import FREQUENT_WORDS

_PUNCT = ",.?!'-"
FREQUENT_SHARE = 0.45
"""Share of running English text made of its ~150 most frequent words (which people type as practised
bursts); faker's word list alone has too few of them, and typing rhythm follows the words."""
_FREQUENT = sorted(FREQUENT_WORDS)


def new_faker() -> Faker:
    return Faker("en_US")


def matched_text(length: int, mix: TextMix, fake: Faker, rng: np.random.Generator) -> str:
    """A text of about ``length`` characters (never more) whose character mix follows ``mix``."""
    length = max(int(length), 1)
    fake.seed_instance(int(rng.integers(2**62)))
    words: list[str] = []
    total = 0
    sentence_left = 0
    # words per space: a text with few spaces (an e-mail, a handle) gets long run-together "words"
    join = 1 if mix.spaces <= 0 else max(1, int(round(1 / max(mix.spaces, 1e-3) / 6)))
    while total < length:
        w = "".join(_FREQUENT[int(rng.integers(len(_FREQUENT)))] if rng.random() < FREQUENT_SHARE else fake.word()
                    for _ in range(join))
        if w == "i" and mix.upper > 0:
            w = "I"
        if mix.upper <= 0:
            w = w.lower()
        if mix.digits > 0 and rng.random() < min(1.0, mix.digits * 5):
            w = str(int(rng.integers(0, 10 ** int(rng.integers(1, 5)))))
        if sentence_left == 0:
            sentence_left = int(rng.integers(4, 13))
            if mix.upper > 0 and w[:1].isalpha():
                w = w[:1].upper() + w[1:]
        elif mix.upper > 0.3 and rng.random() < mix.upper:
            w = w.capitalize()
        sentence_left -= 1
        if mix.punct > 0:
            if sentence_left == 0:
                w += "." if rng.random() < 0.8 else "?!"[int(rng.integers(2))]
            elif rng.random() < min(0.5, mix.punct * 4):
                w += _PUNCT[int(rng.integers(len(_PUNCT)))] if rng.random() < 0.3 else ","
        words.append(w)
        total += len(w) + (1 if mix.spaces > 0 else 0)
    text = (" " if mix.spaces > 0 else "").join(words)
    if len(text) > length:
        cut = text.rfind(" ", 0, length + 1)
        text = text[:cut] if cut >= max(1, length // 2) else text[:length]
    return text.strip() or text[:length] or "a"
