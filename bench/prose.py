"""Deterministic synthetic prose for the benchmarks: paragraphs of words, fixed seed."""

from __future__ import annotations

import random

_WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or "
    "his from at which but have an they you were her she there been one all we "
    "their has would when if so no more can will out up into what about time "
    "some them these could other then than people report agency article editor "
    "source correction claim enforcement community investigation immigration "
    "gang criminal organization federal department state public "
)
VOCABULARY = tuple(_WORDS.split())


def make_text(size: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(40, 160))]
        words[0] = words[0].capitalize()
        para = " ".join(words) + "."
        paragraphs.append(para)
        total += len(para) + 2
    return "\n\n".join(paragraphs)[:size]


def change_words(text: str, fraction: float, seed: int = 2) -> str:
    """Replace ``fraction`` of the words, spread evenly through the text."""
    rng = random.Random(seed)
    words = text.split(" ")
    count = max(1, int(len(words) * fraction))
    step = len(words) / count
    for k in range(count):
        i = int(k * step + step / 2)
        if "\n" not in words[i]:
            words[i] = rng.choice(VOCABULARY).upper()
    return " ".join(words)


def change_n_words(text: str, n: int, seed: int = 3) -> str:
    return change_words(text, n / max(1, len(text.split(" "))), seed)
