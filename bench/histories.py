"""The histories the speed targets are measured on, built once into bench/out/.

* ``corpus(name)``: a shared corpus (../shared/corpora/NAME.jsonl.gz) rebuilt as a plain
  git repository by one ``git fast-import``: real histories the tracker did not write.
* ``markdown_history()``: 660 revisions of a ~130 KB Markdown document with code blocks,
  headings, lists and links, edited a few words to a paragraph at a time; also written
  by fast-import, so it is a history the tracker did not write either.

Both are deterministic (fixed seeds); a built repository is reused while its marker file
says it is complete.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from datetime import datetime
from pathlib import Path

from prose import VOCABULARY
from timing import plain_git_env

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SHARED = HERE.parent.parent / "shared" / "corpora"
DONE = ".built"


def _stamp(iso: str) -> str:
    when = datetime.fromisoformat(iso)
    offset = when.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{int(when.timestamp())} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def _commit(who: str, when: str, message: str, doc: str, text: str) -> bytes:
    msg = message.encode("utf-8")
    body = text.encode("utf-8")
    return b"".join(
        (
            b"commit refs/heads/main\n",
            f"author {who} {_stamp(when)}\ncommitter {who} {_stamp(when)}\n".encode(),
            b"data %d\n" % len(msg) + msg + b"\n",
            f"deleteall\nM 100644 inline {doc}\n".encode(),
            b"data %d\n" % len(body) + body + b"\n\n",
        )
    )


def _fast_import(repo: Path, stream: bytes) -> Path:
    env = plain_git_env()
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True, env=env)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True, env=env)
    (repo / ".git" / DONE).write_text("ok\n")
    return repo


def corpus(name: str) -> tuple[Path, str]:
    """(repository, document) for a shared corpus, e.g. ``system-design-primer.README``."""
    repo = OUT / f"corpus-{name}"
    with gzip.open(SHARED / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    doc = records[-1]["path"]  # the name it has now (a corpus may follow a rename)
    if (repo / ".git" / DONE).exists():
        return repo, doc
    stream = b"".join(
        _commit(
            f"{r['author_name']} <{r['author_email']}>",
            r["author_date"],
            r["subject"] + ("\n\n" + r["body"] if r.get("body") else "") + "\n",
            r["path"],
            r["text"],
        )
        for r in records
    )
    return _fast_import(repo, stream), doc


def _paragraph(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(30, 90))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _block(rng: random.Random, index: int) -> str:
    kind = index % 7
    if kind == 0:
        return f"## Section {index}: {rng.choice(VOCABULARY)} {rng.choice(VOCABULARY)}"
    if kind == 3:
        lines = [f"    value_{i} = compute({rng.choice(VOCABULARY)!r}, {i})" for i in range(6)]
        body = "\n".join(lines)
        return f"```python\ndef step_{index}():\n{body}\n```"
    if kind == 5:
        return "\n".join(
            f"* [{rng.choice(VOCABULARY)}](https://example.org/{index}/{i}) {_paragraph(rng)[:60]}"
            for i in range(4)
        )
    return _paragraph(rng)


def markdown_history(revisions: int = 660, size: int = 130_000) -> tuple[Path, str]:
    """(repository, document): a long Markdown guide edited ``revisions`` times."""
    repo = OUT / f"markdown-{revisions}"
    doc = "GUIDE.md"
    if (repo / ".git" / DONE).exists():
        return repo, doc
    rng = random.Random(660)
    blocks: list[str] = []
    while sum(len(b) + 2 for b in blocks) < size:
        blocks.append(_block(rng, len(blocks)))
    stream = []
    authors = [f"Editor {n} <editor{n}@example.org>" for n in range(12)]
    for number in range(revisions):
        if number:
            at = rng.randrange(len(blocks))
            roll = rng.random()
            if roll < 0.6:  # a few words in one paragraph
                words = blocks[at].split(" ")
                for _ in range(rng.randint(1, 4)):
                    words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
                blocks[at] = " ".join(words)
            elif roll < 0.8:  # a paragraph rewritten
                blocks[at] = _block(rng, at)
            elif roll < 0.9:  # a paragraph added
                blocks.insert(at, _paragraph(rng))
            else:  # a paragraph removed
                del blocks[at]
        stamp = datetime.fromisoformat("2024-01-01T00:00:00+00:00").timestamp() + number * 3600
        iso = datetime.fromtimestamp(stamp).astimezone().isoformat()
        message = f"Edit {number}: {rng.choice(VOCABULARY)}\n"
        text = "\n\n".join(blocks) + "\n"
        stream.append(_commit(authors[number % len(authors)], iso, message, doc, text))
    return _fast_import(repo, b"".join(stream)), doc


if __name__ == "__main__":
    for built in (markdown_history(), corpus("system-design-primer.README"), corpus("pep-0008")):
        print(*built)
