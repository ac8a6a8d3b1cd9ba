"""Builds a large tracker-format store quickly (one git fast-import) for the benchmarks.

Each revision changes a few words of the document and carries the tracker's commit
message with a note on every change, exactly as ``tracker record`` writes it.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prose import VOCABULARY, make_text  # noqa: E402

from tracker.diff import diff_texts  # noqa: E402
from tracker.model import Note  # noqa: E402
from tracker.notes import compose_message  # noqa: E402

CATEGORIES = ["factual", "sourcing", "balance", "clarity", "style"]


def build(path: Path, revisions: int, size: int, seed: int = 7) -> Path:
    if (path / ".git").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(path)], check=True)
    rng = random.Random(seed)
    text = make_text(size, seed)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=path, stdin=subprocess.PIPE
    )
    out = proc.stdin
    assert out is not None
    when = 1_700_000_000
    config = b'{"v": 1, "require_notes": true}\n'
    for number in range(revisions):
        if number:
            words = text.split(" ")
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(words))
                if "\n" not in words[i]:
                    words[i] = rng.choice(VOCABULARY)
            new = " ".join(words)
            if new == text:
                new = text + " more"
            changes = [
                c.with_note(Note(f"Reason {number}.{c.index}", rng.choice(CATEGORIES)))
                for c in diff_texts(text, new)
            ]
            message = compose_message(
                f"Revision {number}", f"Why revision {number}.", "doc.txt", changes
            )
            text = new
        else:
            message = compose_message("Add doc.txt", "", "doc.txt", [], initial=True)
        data = text.encode("utf-8")
        msg = message.encode("utf-8")
        when += 60
        out.write(b"commit refs/heads/main\n")
        out.write(f"author Ann Editor <ann@example.org> {when} +0000\n".encode())
        out.write(f"committer Ann Editor <ann@example.org> {when} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        if number == 0:
            out.write(
                b"M 100644 inline .tracker/config.json\ndata %d\n%s\n" % (len(config), config)
            )
        out.write(b"M 100644 inline doc.txt\ndata %d\n%s\n" % (len(data), data))
    out.write(b"done\n")
    out.close()
    proc.wait()
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True)
    _journal(path)
    return path


def _journal(path: Path) -> None:
    """Write the tracker's journal for the imported history, as recording would have.

    (One fast-import again: the commit ids are only known once the history exists.)
    """
    commits = subprocess.run(
        ["git", "rev-list", "--reverse", "--first-parent", "main"],
        cwd=path, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=path,
                            stdin=subprocess.PIPE)  # fmt: skip
    out = proc.stdin
    assert out is not None
    previous = None
    for number, commit in enumerate(commits):
        event = "setup" if number == 0 else "record"
        record = (
            f'{{"commit": "{commit}", "document": "doc.txt", "event": "{event}", '
            f'"previous": {f"{chr(34)}{previous}{chr(34)}" if previous else "null"}, '
            f'"ref": "refs/heads/main", "v": 1}}'
        )
        msg = f"{event} {commit[:12]} on refs/heads/main\n\nTracker-Event: {record}\n".encode()
        out.write(b"commit refs/tracker/journal\n")
        out.write(
            f"committer Ann Editor <ann@example.org> {1_700_000_000 + number} +0000\n".encode()
        )
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        if number == 0:
            out.write(b"deleteall\n")
        previous = commit
    out.write(b"done\n")
    out.close()
    proc.wait()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    build(target, int(sys.argv[2]), int(sys.argv[3]))
    print(target)
