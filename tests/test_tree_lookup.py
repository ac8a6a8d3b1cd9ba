"""A note's entry is found in a tree's bytes without parsing the other entries
(``tracker/git/read.py``, ``_child``): checked against the full parse on random trees,
including names built to contain the name looked for, and ids that hold its bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.git.read import TreeEntry, _child, parse_tree

HEX = "0123456789abcdef"
TARGET = b"ab" * 19  # a 38-digit note name in a fan-out folder


def _tree(entries: list[tuple[bytes, bytes, bytes]]) -> bytes:
    return b"".join(mode + b" " + name + b"\x00" + oid for mode, name, oid in entries)


names = st.one_of(
    st.text(HEX, min_size=2, max_size=40).map(str.encode),
    # Names that hold the one looked for after octal digits and a space: a match inside
    # another entry's name must not count.
    st.sampled_from([b"100644 " + TARGET, b"40000 " + TARGET, b"7 " + TARGET, b"x" + TARGET]),
    st.binary(min_size=1, max_size=12).filter(lambda b: b"\x00" not in b and b"/" not in b),
)
oids = st.one_of(
    st.binary(min_size=20, max_size=20),
    st.just(b" " + TARGET[:18] + b"\x00"),  # an id that holds part of the needle
)
entries = st.lists(
    st.tuples(st.sampled_from([b"100644", b"100755", b"40000", b"120000"]), names, oids),
    max_size=12,
    unique_by=lambda e: e[1],
)


@settings(max_examples=300, deadline=None)
@given(
    entries,
    st.booleans(),
    st.sampled_from([b"100644", b"40000"]),
    st.binary(min_size=20, max_size=20),
)
def test_child_finds_what_the_full_parse_finds(listed, include, mode, oid) -> None:
    if include and all(name != TARGET for _m, name, _o in listed):
        listed = [*listed, (mode, TARGET, oid)]
    data = _tree(listed)
    expected = next((e for e in parse_tree(data, 20) if e.name == TARGET), None)
    assert _child(data, TARGET, 20) == expected
    for entry in parse_tree(data, 20):
        assert _child(data, entry.name, 20) == entry


def test_a_damaged_tree_yields_nothing_rather_than_a_guess() -> None:
    good = _tree([(b"100644", TARGET, b"\x01" * 20)])
    assert _child(good, TARGET, 20) == TreeEntry(b"100644", TARGET, "01" * 20)
    assert _child(b"garbage" + good, TARGET, 20) is None
    assert _child(good[:-1], TARGET, 20) is None  # its id is cut short
