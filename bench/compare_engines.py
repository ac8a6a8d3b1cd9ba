"""Does the engine give the same changes as another version of it, on real histories?

    python bench/compare_engines.py [REV]        (default REV: main)

Loads ``tracker/diff.py`` as it is at git revision REV beside the working copy's, and
diffs every adjacent pair of revisions of the shared corpora (System Design Primer, PEP
8), the PEP 8 fixture and ``markdown_history()`` with both. Prints, per history, how many
pairs gave different changes, and the first few. A faster engine that changes answers
here is a bug (issue 9).
"""

from __future__ import annotations

import importlib.util
import json
import lzma
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import diffcases  # noqa: E402
from histories import markdown_history  # noqa: E402

from tracker import diff as ours  # noqa: E402


def _load(rev: str, path: str, name: str):  # type: ignore[no-untyped-def]
    source = subprocess.run(
        ["git", "show", f"{rev}:{path}"],
        cwd=HERE.parent,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    file = HERE / "out" / f"{name}_at_{rev.replace('/', '_')}.py"
    file.parent.mkdir(exist_ok=True)
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"{name}_at_{rev}", file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_engine(rev: str):  # type: ignore[no-untyped-def]
    """``tracker/diff.py`` at ``rev`` with the tokenizer it had then, as modules of
    their own (the rest of the tracker is the working copy's)."""
    tokens = _load(rev, "tracker/text/tokens.py", "tokens")
    engine = _load(rev, "tracker/diff.py", "diff")
    engine.tokenize = tokens.tokenize
    engine.is_word = tokens.is_word
    return engine


def histories() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    fixture = HERE.parent / "tests" / "fixtures" / "pep-0008.cut.jsonl.xz"
    with lzma.open(fixture, "rt", encoding="utf-8") as handle:
        out["pep8-fixture"] = [json.loads(line)["text"] for line in handle]
    if diffcases.SHARED.is_dir():
        for name in ("system-design-primer.README", "pep-0008"):
            out[name] = [r["text"] for r in diffcases.records(name)]
    repo, doc = markdown_history()
    revs = subprocess.run(
        ["git", "rev-list", "--reverse", "main"], cwd=repo, capture_output=True, text=True
    ).stdout.split()
    blobs = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="".join(f"{r}:{doc}\n" for r in revs).encode(),
        capture_output=True,
        check=True,
    ).stdout
    texts, pos = [], 0
    while pos < len(blobs):
        header_end = blobs.index(b"\n", pos)
        size = int(blobs[pos:header_end].split()[2])
        texts.append(blobs[header_end + 1 : header_end + 1 + size].decode("utf-8"))
        pos = header_end + 1 + size + 1
    out["markdown-660"] = texts
    return out


def shape(changes: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(c.kind, c.old.start, c.old.end, c.new.start, c.new.end) for c in changes]


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "main"
    theirs = load_engine(rev)
    for name, texts in histories().items():
        differ, pairs, t_ours, t_theirs = [], 0, 0.0, 0.0
        for k in range(1, len(texts)):
            old, new = texts[k - 1], texts[k]
            if old == new:
                continue
            pairs += 1
            start = time.perf_counter()
            a = shape(theirs.diff_texts(old, new))
            t_theirs += time.perf_counter() - start
            start = time.perf_counter()
            b = shape(ours.diff_texts(old, new))
            t_ours += time.perf_counter() - start
            if a != b:
                differ.append((k, len(a), len(b)))
        print(
            f"{name:<30} {pairs:4d} pairs, {len(differ):3d} differ "
            f"(ours {t_ours:6.2f} s, {rev} {t_theirs:6.2f} s) {differ[:5]}",
            flush=True,
        )


if __name__ == "__main__":
    main()
