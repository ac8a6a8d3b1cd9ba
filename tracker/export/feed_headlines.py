"""Provides the headlines the corrections feed titles its notices with: each document's
title at the branch tip (``tracker.notices.headline``, the rule the HTML report's markup
uses), so a reader sees "Correction: Storm hits coast", not a file name.

The store's reader finds the documents' blobs at the tip and one ``git cat-file
--batch`` reads those not read before: headlines are kept by blob id beside the feed's
snapshot (``feed-headlines-v1.json``; feed_cache.py's rules), so a run after a publish
reads nothing and a run after new revisions reads only the documents they changed.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Collection
from typing import IO, Any

from tracker import __version__
from tracker.export.feed_cache import CACHE_VERSION, FeedCache, is_oid
from tracker.git import cmd as gitcmd
from tracker.notices import headline
from tracker.store import Store

# A title is near the top: a document's first 8 KB are looked at for it, front matter
# and all, so the work per document stays bounded however long the document is.
_HEAD_BYTES = 1 << 13
_BATCH = 500  # requests written at a time (the writer's own thread waits on the pipe)


def document_headlines(store: Store, documents: Collection[str]) -> dict[str, str]:
    """``{document: headline}`` at the branch tip for those of ``documents`` that have one
    (a document gone from the tip, binary, or without words has none)."""
    head = store.head()
    if head is None or not documents:
        return {}
    cache = None if store._grafted() else HeadlineCache(store.git_dir)
    kept = cache.load() if cache is not None else None
    if kept is not None and kept[0] == head and all(d in kept[1] for d in documents):
        # Nothing moved since: no git process at all.
        return _named(documents, kept[1], kept[2])
    blobs = store.file_blobs(head)
    known = dict(kept[2]) if kept is not None else {}
    wanted = {document: blobs[document] for document in documents if document in blobs}
    missing = sorted(set(wanted.values()) - known.keys())
    if missing:
        known.update(_read_headlines(store, missing))
    if cache is not None:
        # Only the blobs the tip still holds (the file stays the size of the store), and
        # only those git answered: one it failed to give is asked again next time.
        answered = {blob: known[blob] for blob in set(wanted.values()) if blob in known}
        cache.save(head, {d: b for d, b in wanted.items() if b in answered}, answered)
    return _named(documents, wanted, known)


def _named(
    documents: Collection[str], blobs: dict[str, str], headlines: dict[str, str]
) -> dict[str, str]:
    found = {}
    for document in documents:
        title = headlines.get(blobs.get(document, ""), "")
        if title:
            found[document] = title
    return found


def _read_headlines(store: Store, blobs: list[str]) -> dict[str, str]:
    """``{blob: headline}`` for the ``blobs`` git answered, read by one ``git cat-file
    --batch``. The requests are written by a thread of their own while the answers are
    read here (so neither side can wait on the other with a full pipe), and of each blob
    only the first ``_HEAD_BYTES`` are kept: the rest is read past in pieces, so a store
    of huge documents costs memory for none of them."""
    found: dict[str, str] = {}
    try:
        proc = subprocess.Popen(
            gitcmd.git_argv(["cat-file", "--batch"]),
            cwd=store.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=gitcmd.hardened_env(store.root),
        )
    except OSError:
        return found  # git could not start: the feed falls back to names
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def ask() -> None:
        # Closing the pipe ends git's input; a git that went away is seen by the reader.
        with contextlib.suppress(OSError), stdin:
            for start in range(0, len(blobs), _BATCH):
                stdin.write("".join(f"{b}\n" for b in blobs[start : start + _BATCH]).encode())

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    complete = False
    try:
        for blob in blobs:
            header = stdout.readline().split()
            if not header:
                break  # git went away mid-way: what was read stands
            if len(header) != 3:
                continue  # "<id> missing": gone from a damaged repository
            size = int(header[2])
            body = stdout.read(min(size, _HEAD_BYTES))
            _skip(stdout, size - len(body) + 1)  # the rest, and git's newline
            # A NUL: a binary file, which has no title ("" is kept, so it is not read
            # again: a blob id always names the same bytes).
            text = header[1] == b"blob" and b"\x00" not in body
            found[blob] = headline(body.decode("utf-8", "replace")) if text else ""
        else:
            complete = True
    except (OSError, ValueError):
        pass  # git's answer ended early: what was read stands, the rest keep their names
    finally:
        with contextlib.suppress(OSError):
            stdout.close()
        if not complete:
            proc.kill()  # it may still wait to write answers nobody reads now
        proc.wait()
        asking.join()
    return found


def _skip(stream: IO[bytes], count: int) -> None:
    while count > 0:
        piece = stream.read(min(count, 1 << 16))
        if not piece:
            raise ValueError("git's answer ended early")
        count -= len(piece)


class HeadlineCache:
    """The headlines found at a tip, kept by blob id (``feed-headlines-v1.json``)."""

    def __init__(self, git_dir: Any) -> None:
        self.files = FeedCache(git_dir)
        if self.files.path is not None:
            self.files.path = self.files.folder / f"feed-headlines-v{CACHE_VERSION}.json"

    def load(self) -> tuple[str, dict[str, str], dict[str, str]] | None:
        """(tip, {document: blob}, {blob: headline}), or None (none kept, or not to trust)."""
        data = self.files.read()
        if not isinstance(data, dict) or data.get("v") != CACHE_VERSION:
            return None
        if data.get("tracker") != __version__:  # a newer rule may find other titles
            return None
        head, blobs, headlines = data.get("head"), data.get("blobs"), data.get("headlines")
        if not is_oid(head) or not isinstance(blobs, dict) or not isinstance(headlines, dict):
            return None
        if set(map(type, blobs.values())) - {str} or set(map(type, headlines.values())) - {str}:
            return None
        return head, blobs, headlines

    def save(self, head: str, blobs: dict[str, str], headlines: dict[str, str]) -> None:
        self.files.write(
            {"v": CACHE_VERSION, "tracker": __version__, "head": head, "blobs": blobs,
             "headlines": headlines}
        )  # fmt: skip
