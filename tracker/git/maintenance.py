"""Keeps reads fast on big histories: the commit-graph, with changed-path Bloom filters,
which ``git log -- PATH`` (and so ``tracker log``) uses to skip commits that did not touch
the path without reading their trees."""

from __future__ import annotations

from tracker.git import cmd as gitcmd
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
