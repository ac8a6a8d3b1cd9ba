"""Blame's backward walk agrees with a plain forward replay, character by character."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.audit.blame import attribute, units
from tracker.diff import diff_texts
from tracker.model import Revision

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
    found = attribute(history_of(versions), spans)
    got = [int(found[n][0].rev[1:]) for n in range(len(spans))]
    newest_text, cuts = forward_oracle(versions, spans)
    # Blame never credits a sentence to a revision older than the newest that wrote one
    # of its characters; a newer one only for text cut inside it (a pure deletion).
    assert all(g >= n for g, n in zip(got, newest_text, strict=True))
    if not cuts:
        assert got == newest_text
