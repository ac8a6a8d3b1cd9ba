"""Blame's backward walk agrees with a plain forward replay, character by character."""

from __future__ import annotations

import itertools
import subprocess

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.audit.blame import attribute, blame, units
from tracker.diff import diff_texts
from tracker.model import Revision
from tracker.region import changed_region, changes_between
from tracker.store import Store

words = st.sampled_from(
    ["alpha", "beta", "gamma", "delta", "one", "two", ".", ",", " ", " ", "\n\n"]
)
texts = st.lists(words, min_size=1, max_size=25).map("".join)


def history_of(versions: list[str]) -> list[Revision]:
    """Revisions newest first, each with its changes against the one before."""
    revisions = [Revision("r0", None, "a", "d", "s0", "", initial=True)]
    for number in range(1, len(versions)):
        changes = tuple(diff_texts(versions[number - 1], versions[number]))
        revisions.append(Revision(f"r{number}", f"r{number - 1}", "a", "d", f"s{number}", "",
                                  changes=changes, recorded=True))  # fmt: skip
    return list(reversed(revisions))


def forward_oracle(versions: list[str], spans) -> tuple[list[int], bool]:
    """Replay every revision forward, each character remembering the revision that wrote
    it; return each span's newest character origin, and whether any revision only cut
    text (a pure deletion leaves no character to remember it by)."""
    origin = [0] * len(versions[0])
    cuts = False
    for number in range(1, len(versions)):
        new_origin: list[int] = []
        old_pos = 0
        for change in diff_texts(versions[number - 1], versions[number]):
            new_origin += origin[old_pos : change.old.start]
            new_origin += [number] * (change.new.end - change.new.start)
            cuts |= change.new.end == change.new.start
            old_pos = change.old.end
        origin = new_origin + origin[old_pos:]
    return [max(origin[start:end], default=0) for start, end in spans], cuts


@settings(max_examples=400, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6))
def test_backward_blame_matches_forward_replay(versions):
    spans = units(versions[-1], "sentence")
    found = attribute(history_of(versions), versions[-1])
    got = [int(found[n][0].rev[1:]) for n in range(len(spans))]
    newest_text, cuts = forward_oracle(versions, spans)
    # Blame never credits a sentence to a revision older than the newest that wrote one
    # of its characters; a newer one only for text cut inside it (a pure deletion).
    assert all(g >= n for g, n in zip(got, newest_text, strict=True))
    if not cuts:
        assert got == newest_text


# Texts with repeated lines, every line ending git knows, and no final newline, where the
# shortcut's line reasoning could go wrong.
lines = st.sampled_from(
    ["alpha beta.\n", "alpha beta.\n", "gamma.\r\n", "one\r", "\n", "two delta", "beta\u2028"]
)
line_texts = st.lists(lines, max_size=12).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(texts, line_texts), st.one_of(texts, line_texts))
# A swap of two lines that the move finder reads as the three shared lines moving: the
# move's paragraph reaches into the shared first line, outside the region.
@example(
    "alpha beta.\ngamma.\r\nalpha beta.\nalpha beta.\nalpha beta.\n",
    "alpha beta.\nalpha beta.\nalpha beta.\ngamma.\r\nalpha beta.\n",
)
def test_diff_of_the_changed_region_is_the_diff_of_the_texts(old, new):
    """``changes_between`` diffs only the lines between the common first and last
    lines, and must give exactly ``diff_texts``; without moves every change lies in
    ``changed_region``. Moves are found on the whole texts, because a paragraph is a
    unit of the whole text (region.py), so a move's span can reach outside it."""
    assert changes_between(old, new) == diff_texts(old, new)
    if old != new:
        start, end = changed_region(old, new)
        changes = diff_texts(old, new)
        if any(change.is_move for change in changes):
            # With a move, every change's places follow the rebuild rule of whole texts
            # (a cut is placed after the moved paragraph): only equality holds.
            return
        for change in changes:
            assert start <= change.new.start <= change.new.end <= end


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(texts, line_texts), min_size=1, max_size=6))
@example(["two delta", "two"])
def test_blame_of_a_plain_git_history_matches_the_full_replay(tmp_path_factory, versions):
    """The store walk (revisions not recorded: diffed only where a unit is still pending)
    gives what ``attribute`` gives with every revision diffed."""
    root = tmp_path_factory.mktemp("plain")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    for number, text in enumerate(versions):
        (root / "doc.txt").write_bytes(text.encode("utf-8"))
        subprocess.run(["git", "add", "doc.txt"], cwd=root, check=True)
        subprocess.run(
            ["git", "-c", "user.name=P", "-c", "user.email=p@e.org", "commit", "-q",
             "--allow-empty", "-m", f"r{number}"],
            cwd=root, check=True,
        )  # fmt: skip
    store = Store.open(root)
    for by in ("sentence", "line"):
        text, found = blame(store, "doc.txt", by)
        expected = attribute(list(store.log("doc.txt")), text, by)
        assert [(u.revision.rev if u.revision else None, u.change) for u in found] == [
            (expected[n][0].rev, expected[n][1]) if n in expected else (None, None)
            for n in range(len(found))
        ]


def test_region_diff_on_every_small_text_of_repeated_lines():
    """Every pair of texts of up to three pieces: repeats make the common start and end
    overlap, which random texts rarely hit (an insertion of a line already there)."""
    pieces = ["X\n", "a", "\n", "X", "\r"]
    small = sorted(
        {"".join(combo) for n in range(4) for combo in itertools.product(pieces, repeat=n)}
    )
    wrong = [(a, b) for a in small for b in small if changes_between(a, b) != diff_texts(a, b)]
    assert not wrong, wrong[:5]
