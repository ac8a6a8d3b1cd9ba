"""The texts the diff engine's speed is measured on (issue 9), each an (old, new) pair.

* ``redraft(words)``: an article of real paragraphs from the shared System Design Primer
  corpus, then the same article redrafted: paragraphs shuffled, some cut or merged, and
  about a quarter of their words replaced by other words of the same article (same
  vocabulary, paragraphs reorganised). ``one_line=True`` joins it into one line, the
  worst case for anchoring.
* ``synthetic_repro()``: the repro from issue 9: 40 paragraphs of 7 words from a
  2,000-word vocabulary; the new text changes each paragraph's first word and inserts 22
  paragraphs of 11 words after each (1.5 KB -> 54 KB).
* ``distant(name)``: two distant revisions of a long document: the first and last of
  ``markdown_history()``, or of a shared corpus.

All are deterministic (fixed seeds). Without ../shared the corpus cases are unavailable
(``SHARED`` is absent); the synthetic ones always work.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import subprocess
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpora"


@cache
def records(name: str) -> list[dict]:
    with gzip.open(SHARED / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@cache
def _prose_paragraphs() -> list[str]:
    """The last System Design Primer's paragraphs that read as prose (15+ words)."""
    text = records("system-design-primer.README")[-1]["text"]
    out = []
    for block in re.split(r"\n\s*\n", text):
        words = block.split()
        if len(words) >= 15 and not block.lstrip().startswith(("|", "```", "<", "!")):
            out.append(" ".join(words))
    return out


def redraft(words: int, seed: int = 9, one_line: bool = False) -> tuple[str, str]:
    """An article of about ``words`` words, and the same article redrafted."""
    rng = random.Random(seed)
    source = _prose_paragraphs()
    paragraphs: list[str] = []
    total = 0
    while total < words:
        para = source[rng.randrange(len(source))]
        paragraphs.append(para)
        total += len(para.split())
    vocabulary = sorted({w for p in paragraphs for w in p.split()})
    redrafted: list[str] = []
    for para in rng.sample(paragraphs, len(paragraphs)):
        tokens = para.split()
        for k in range(len(tokens)):
            if rng.random() < 0.25:
                tokens[k] = rng.choice(vocabulary)
        roll = rng.random()
        if roll < 0.1:
            continue  # a paragraph cut
        if roll < 0.25 and redrafted:
            redrafted[-1] += " " + " ".join(tokens)  # two paragraphs merged
        else:
            redrafted.append(" ".join(tokens))
    sep = " " if one_line else "\n\n"
    return sep.join(paragraphs) + "\n", sep.join(redrafted) + "\n"


def synthetic_repro(seed: int = 40) -> tuple[str, str]:
    """Issue 9's repro: 1.5 KB -> 54 KB, every paragraph's first word changed."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = sorted(
        {"".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(2100)}
    )[:2000]
    old_paras = [[rng.choice(vocabulary) for _ in range(7)] for _ in range(40)]
    new_paras = []
    for para in old_paras:
        new_paras.append(" ".join([rng.choice(vocabulary), *para[1:]]))
        for _ in range(22):
            new_paras.append(" ".join(rng.choice(vocabulary) for _ in range(11)))
    old = "\n\n".join(" ".join(p) for p in old_paras) + "\n"
    return old, "\n\n".join(new_paras) + "\n"


def distant(name: str, first: int = 0) -> tuple[str, str]:
    """Revision ``first`` and the last revision of a shared corpus, or of the 660
    revisions of ``markdown_history()`` (``name="markdown"``)."""
    if name == "markdown":
        from histories import markdown_history

        repo, doc = markdown_history()

        def show(rev: str) -> str:
            out = subprocess.run(
                ["git", "show", f"{rev}:{doc}"], cwd=repo, capture_output=True, check=True
            )
            return out.stdout.decode("utf-8")

        root = subprocess.run(
            ["git", "rev-list", "--max-parents=0", "main"],
            cwd=repo,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split()[0]
        return show(root), show("main")
    revisions = records(name)
    return revisions[first]["text"], revisions[-1]["text"]


def word_count(text: str) -> int:
    return len(text.split())
