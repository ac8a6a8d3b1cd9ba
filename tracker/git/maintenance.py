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
