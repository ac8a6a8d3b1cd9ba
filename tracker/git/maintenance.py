"""Keeps reads fast on big histories: the commit-graph, with changed-path Bloom filters,
which ``git log -- PATH`` uses to skip commits that did not touch the path without
reading their trees; and, in a big store, the documents' index (docindex.py) that
``tracker log`` reads instead of walking the branch."""

from __future__ import annotations

from pathlib import Path

from tracker.git import cmd as gitcmd
from tracker.git.docindex import DocumentIndex, big
from tracker.git.repo import Repository


def write_commit_graph(store: Repository) -> None:
    """Add the commits written since the last graph as a new layer (``--split``: cheap
    after each record), with Bloom filters. A failure only leaves reads slower."""
    gitcmd.run(
        store.root,
        "commit-graph",
        "write",
        "--reachable",
        "--changed-paths",
        "--split",
        check=False,
    )
    git_dir = getattr(store, "git_dir", None) or Path(store.root) / ".git"
    if big(git_dir):
        head = store.ref("HEAD")
        if head is not None:
            # Best effort, like the graph: a log that finds it behind catches it up.
            DocumentIndex(store.root, git_dir).update(head)


# A record writes the commit-graph once this many revisions lack it: a layer per record
# would cost every record a git process, and up to 15 commits outside the graph cost a
# log nothing it would notice (they are walked without Bloom filters).
RECORDS_PER_LAYER = 16


def keep_commit_graph(store: Repository, now: bool = False) -> None:
    """After a record: write the commit-graph (``write_commit_graph``) when ``now`` (a new
    store), when the repository has none, or once RECORDS_PER_LAYER records lack it.
    Counted in the private area (``.git/tracker/graph-pending``); best effort."""
    from tracker.git.docindex import common_git_dir

    git_dir = getattr(store, "git_dir", None) or Path(store.root) / ".git"
    counter = common_git_dir(git_dir) / "tracker" / "graph-pending"
    try:
        pending = int(counter.read_text(encoding="ascii")) + 1
    except (OSError, ValueError):
        pending = RECORDS_PER_LAYER  # never counted here (a new store, a fresh clone)
    info = common_git_dir(git_dir) / "objects" / "info"
    if not (info / "commit-graph").exists() and not (info / "commit-graphs").exists():
        pending = RECORDS_PER_LAYER
    if now or pending >= RECORDS_PER_LAYER:
        write_commit_graph(store)
        pending = 0
    try:
        if counter.parent.is_symlink() or counter.is_symlink():
            return  # a planted link must not make the tracker write elsewhere
        counter.parent.mkdir(parents=True, exist_ok=True)
        counter.write_text(f"{pending}\n", encoding="ascii")
    except OSError:
        pass
