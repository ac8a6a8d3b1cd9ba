"""Joining two clones' later notes and reviews without loss (issue 10, section 2).

Two editors write notes and reviews in their own clones; sync joins the notes refs with
``merge_notes_ref``: a union of every revision's entries, one merge commit, the same
result whichever clone merges. Entries written without seeing each other are shown as a
conflict until a newer entry resolves them; verify names a hand merge that lost or
broke entries.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import porcelain
from tracker.entry_ids import canonical
from tracker.errors import SyncRefusedError
from tracker.notes import NOTES_REF, compose_later
from tracker.recording import init_store
from tracker.reviews import REVIEWS_REF
from tracker.store import Store
from tracker.sync.notes_merge import (
    UnreadableDocument,
    conflicting_entries,
    merge_documents,
    merge_notes_ref,
    parse_document,
)

from conftest import ANN, BOB, git

DATE = "2025-06-05T10:00:00+01:00"
SHARED_REFSPECS = ("+refs/notes/*:refs/notes/*", "+refs/tracker/*:refs/tracker/*")


# -- the document union, property-tested ---------------------------------------------------

ENTRY = st.fixed_dictionaries(
    {
        "text": st.sampled_from(["a", "b", "c", "é", "5 → 7"]),
        "author": st.sampled_from(["Ann <a@x>", "Bob <b@x>"]),
        "date": st.sampled_from(
            ["2025-01-01T10:00:00+01:00", "2025-01-01T09:30:00+00:00", "2025-01-02T00:00:00Z"]
        ),
    }
)
LISTS = st.lists(ENTRY, max_size=5)


def _doc(entries: list) -> bytes:
    return compose_later(entries).encode()


def _keys(entries: list) -> Counter:
    return Counter(canonical(e) for e in entries)


@settings(max_examples=60, deadline=None)
@given(base=LISTS, ours_new=LISTS, theirs_new=LISTS)
def test_union_is_exact_ordered_symmetric_and_idempotent(base, ours_new, theirs_new):
    ours, theirs = base + ours_new, base + theirs_new
    merged = parse_document(merge_documents(_doc(base), _doc(ours), _doc(theirs)))
    # Exactly the union as multisets: nothing lost, nothing added.
    assert _keys(merged) == _keys(ours) | _keys(theirs)
    # The same bytes whichever clone merges.
    assert merge_documents(_doc(base), _doc(theirs), _doc(ours)) == merge_documents(
        _doc(base), _doc(ours), _doc(theirs)
    )
    # The base's entries keep their place and order at the start.
    assert [canonical(e) for e in merged[: len(base)]] == [canonical(e) for e in base]
    # Merging again changes nothing, from either side.
    again = merge_documents(_doc(base), _doc(merged), _doc(theirs))
    assert parse_document(again) == merged
    assert merge_documents(_doc(base), _doc(ours), _doc(merged)) == _doc(merged)


def test_side_that_holds_everything_is_kept_byte_for_byte():
    base = [{"text": "a", "date": "1"}]
    ours = _doc(base + [{"text": "b", "date": "2"}])
    assert merge_documents(_doc(base), ours, _doc(base)) is ours
    assert merge_documents(None, None, ours) is ours


def test_new_entries_sorted_by_moment_not_by_how_the_date_is_written():
    late = {"text": "late", "author": "A", "date": "2025-01-01T10:00:00+00:00"}
    early = {"text": "early", "author": "B", "date": "2025-01-01T10:30:00+01:00"}
    merged = parse_document(merge_documents(None, _doc([late]), _doc([early])))
    assert [e["text"] for e in merged] == ["early", "late"]


@pytest.mark.parametrize(
    "data",
    [b"{", b'{"v":1}\n{"v":1}', b"[]", b'{"entries": {}}', b'{"v": 9, "entries": []}', b"\xff"],
)
def test_unreadable_side_is_refused_and_named(data):
    with pytest.raises(UnreadableDocument) as error:
        merge_documents(None, data, _doc([]))
    assert error.value.side == "ours"
    with pytest.raises(UnreadableDocument) as error:
        merge_documents(None, _doc([]), data)
    assert error.value.side == "theirs"


OPS = st.lists(
    st.tuples(st.sampled_from(["write", "sync"]), st.integers(0, 2), st.integers(0, 2)),
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(ops=OPS)
def test_conflicts_are_found_exactly_for_entries_written_without_seeing_each_other(ops):
    """Three clones write notes on three changes and sync pairwise at random. An entry's
    causal past is everything its clone held when it was written; the conflicting entries
    are exactly those of a change that are in no other entry's past, when there are two
    or more (every wording here differs)."""
    from tracker.notes import current_ids

    docs: list[list[dict]] = [[], [], []]
    past: dict[str, set[str]] = {}  # an entry's text -> the texts its writer held
    for number, (op, clone, other) in enumerate(ops):
        if op == "write":
            target = other
            mine = [e for e in docs[clone] if e["change"] == target]
            entry = {"change": target, "old": [target, target], "new": [target, target],
                     "text": f"w{number}", "author": f"c{clone}",
                     "date": f"2025-01-01T00:00:{number:02}+00:00",
                     "seen": current_ids(mine)}  # fmt: skip
            past[entry["text"]] = {e["text"] for e in docs[clone]}
            docs[clone] = docs[clone] + [entry]
        else:
            joined = parse_document(merge_documents(None, _doc(docs[clone]), _doc(docs[other])))
            docs[clone] = docs[other] = joined
    for doc in docs:
        expected = 0
        for target in range(3):
            texts = {e["text"] for e in doc if e["change"] == target}
            latest = [t for t in texts if not any(t in past[o] for o in texts)]
            expected += len(latest) if len(latest) > 1 else 0
        assert conflicting_entries(doc, reviews=False) == expected


def test_conflicts_only_for_concurrent_disagreeing_entries_on_one_target():
    from tracker.entry_ids import entry_id

    one = {"change": 1, "old": [0, 1], "new": [0, 1], "text": "x", "seen": []}
    two = {"change": 1, "old": [0, 1], "new": [0, 1], "text": "y", "seen": []}
    other = {"change": 2, "old": [5, 6], "new": [5, 6], "text": "z", "seen": []}
    assert conflicting_entries([one, other], reviews=False) == 0
    assert conflicting_entries([one, two, other], reviews=False) == 2
    fix = {**one, "text": "w", "seen": sorted([entry_id(one), entry_id(two)])}
    assert conflicting_entries([one, two, other, fix], reviews=False) == 0
    # Written without "seen" (before sync existed): it follows every entry before it.
    old_style = {k: v for k, v in one.items() if k != "seen"}
    assert conflicting_entries([one, two, {**old_style, "text": "v"}], False) == 0
    approve = {"status": "approved", "seen": []}
    flag = {"status": "flagged", "comment": "no", "seen": []}
    assert conflicting_entries([approve, flag], reviews=True) == 2
    # Two approvals that did not see each other agree: no conflict.
    assert conflicting_entries([approve, {**approve, "author": "B"}], reviews=True) == 0


# -- two clones of one bare remote ---------------------------------------------------------


def _clone(remote: Path, where: Path) -> Store:
    git(where.parent, "clone", "-q", str(remote), where.name)
    git(where, "fetch", "-q", "origin", *SHARED_REFSPECS)
    return Store.open(where)


def _push(root: Path, *refs: str) -> None:
    git(root, "push", "-q", "origin", *(f"{ref}:{ref}" for ref in refs))


@pytest.fixture
def clones(tmp_path) -> tuple[Store, Store, str]:
    """Ann's store and Bob's clone of it through a bare remote; the revision both see."""
    ann = init_store(tmp_path / "ann", ANN, DATE)
    (ann.root / "a.txt").write_text("The rate rose 5 percent in May.\n")
    porcelain.add_document(ann, str(ann.root / "a.txt"), author=str(ANN), date=DATE)
    (ann.root / "a.txt").write_text("The rate rose 7 percent in May.\n")
    rev = porcelain.record_revision(
        ann, "a.txt", "Fix the rate", author=str(ANN), date="2025-06-05T11:00:00+01:00"
    ).rev
    porcelain.note(
        ann, rev, 1, "Base", "factual", author=str(ANN), date="2025-06-05T12:00:00+01:00"
    )
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    git(ann.root, "remote", "add", "origin", str(remote))
    _push(ann.root, "refs/heads/main", NOTES_REF, "refs/tracker/journal")
    bob = _clone(remote, tmp_path / "bob")
    return Store.open(ann.root), bob, rev


def _join(store: Store, ref: str) -> tuple[str | None, int]:
    """What sync does for one notes ref: fetch the remote's, join, move the local ref."""
    incoming = f"refs/tracker/incoming/{ref.removeprefix('refs/')}"
    git(store.root, "fetch", "-q", "origin", f"+{ref}:{incoming}")
    ours = store.ref(ref)
    result, conflicts = merge_notes_ref(
        store, ref, ours, store.ref(incoming), BOB, "2025-06-05T15:00:00+01:00"
    )
    if result != ours:
        git(store.root, "update-ref", ref, result, ours or "")
    store.refresh()
    return result, conflicts


def test_concurrent_corrections_join_in_one_merge_commit_and_show_as_conflict(clones):
    ann, bob, rev = clones
    porcelain.note(ann, rev, 1, "Ann: 7 per the May report", author=str(ANN),
                   date="2025-06-05T13:00:00+01:00")  # fmt: skip
    porcelain.note(bob, rev, 1, "Bob: 7 per the ministry", author=str(BOB),
                   date="2025-06-05T13:05:00+01:00")  # fmt: skip
    _push(bob.root, NOTES_REF)
    ours = ann.ref(NOTES_REF)
    merged, conflicts = _join(ann, NOTES_REF)
    assert conflicts == 2
    parents = git(ann.root, "rev-list", "--parents", "-n", "1", merged).split()[1:]
    assert parents == [ours, bob.ref(NOTES_REF)]
    entries = json.loads(git(ann.root, "notes", f"--ref={NOTES_REF}", "show", rev))["entries"]
    assert [e["text"] for e in entries] == [
        "Base", "Ann: 7 per the May report", "Bob: 7 per the ministry"
    ]  # fmt: skip
    # Bob joins the same way (a fast-forward to Ann's merge, once she pushed it).
    _push(ann.root, NOTES_REF)
    assert _join(bob, NOTES_REF) == (merged, 2)


def test_fast_forward_and_nothing_new(clones):
    ann, bob, rev = clones
    before = ann.ref(NOTES_REF)
    assert merge_notes_ref(ann, NOTES_REF, before, before, BOB, DATE) == (before, 0)
    porcelain.note(bob, rev, 1, "Bob's", author=str(BOB), date="2025-06-05T13:00:00+01:00")
    _push(bob.root, NOTES_REF)
    result, conflicts = _join(ann, NOTES_REF)
    assert (result, conflicts) == (bob.ref(NOTES_REF), 0)
    # The other way round: the remote is behind, the local ref stays.
    assert merge_notes_ref(bob, NOTES_REF, bob.ref(NOTES_REF), before, ANN, DATE) == (
        bob.ref(NOTES_REF), 0
    )  # fmt: skip


def test_unreadable_remote_document_refuses_naming_revision_and_ref(clones):
    ann, bob, rev = clones
    porcelain.note(ann, rev, 1, "Ann's", author=str(ANN), date="2025-06-05T13:00:00+01:00")
    git(bob.root, "notes", f"--ref={NOTES_REF}", "add", "-f", "-m", "not json {", rev)
    _push(bob.root, NOTES_REF)
    before = ann.ref(NOTES_REF)
    with pytest.raises(SyncRefusedError) as error:
        _join(ann, NOTES_REF)
    assert rev[:12] in error.value.message and NOTES_REF in error.value.message
    assert "on the remote" in error.value.message
    assert ann.ref(NOTES_REF) == before


def test_concurrent_approval_and_flag_join_as_a_conflict(clones):
    ann, bob, rev = clones
    porcelain.review(ann, rev, "approved", author=str(ANN), date="2025-06-05T13:00:00+01:00")
    porcelain.review(bob, rev, "flagged", "the May figure is unsourced", author=str(BOB),
                     date="2025-06-05T13:01:00+01:00")  # fmt: skip
    _push(bob.root, REVIEWS_REF)
    merged, conflicts = _join(ann, REVIEWS_REF)
    assert conflicts == 2
    entries = json.loads(git(ann.root, "notes", f"--ref={REVIEWS_REF}", "show", rev))["entries"]
    assert [e["status"] for e in entries] == ["approved", "flagged"]
    assert all(e["seen"] == [] for e in entries)  # neither saw the other


def test_a_remote_hand_merged_with_cat_sort_uniq_is_refused_even_as_a_fast_forward(clones):
    ann, bob, rev = clones
    porcelain.note(ann, rev, 1, "Ann's", author=str(ANN), date="2025-06-05T13:00:00+01:00")
    _push(ann.root, NOTES_REF)
    porcelain.note(bob, rev, 1, "Bob's", author=str(BOB), date="2025-06-05T13:01:00+01:00")
    git(bob.root, "fetch", "-q", "origin", f"{NOTES_REF}:refs/notes/theirs")
    git(bob.root, "notes", f"--ref={NOTES_REF}", "merge", "-q", "-s", "cat_sort_uniq",
        "refs/notes/theirs")  # fmt: skip
    git(bob.root, "push", "-q", "origin", f"{NOTES_REF}:{NOTES_REF}")
    before = ann.ref(NOTES_REF)
    with pytest.raises(SyncRefusedError) as error:
        _join(ann, NOTES_REF)
    assert f"revision {rev[:12]} in {NOTES_REF} on the remote are not readable" in (
        error.value.message
    )
    assert ann.ref(NOTES_REF) == before


# -- reading a joined store: the conflict is shown until a new entry resolves it -------------


def test_show_and_history_mark_concurrent_notes_until_a_new_note_resolves_them(clones, cli):
    ann, bob, rev = clones
    porcelain.note(ann, rev, 1, "Ann: 7 per the May report", author=str(ANN),
                   date="2025-06-05T13:00:00+01:00")  # fmt: skip
    porcelain.note(bob, rev, 1, "Bob: 7 per the ministry", author=str(BOB),
                   date="2025-06-05T13:05:00+01:00")  # fmt: skip
    _push(bob.root, NOTES_REF)
    _join(ann, NOTES_REF)
    note = porcelain.show(Store.open(ann.root), rev).changes[0].note
    assert note.text == "Bob: 7 per the ministry"  # the newest, but not alone:
    assert [(c.text, c.author) for c in note.conflict] == [("Ann: 7 per the May report", str(ANN))]
    assert [h.text for h in note.history] == ["Base"]
    shown = cli("show", rev, cwd=ann.root).out
    assert "⚠ conflicting notes (2)" in shown
    assert "also: [factual] Ann: 7 per the May report" in shown
    assert "by Ann Editor <ann@example.org> 2025-06-05T13:00:00+01:00" in shown
    assert "Bob: 7 per the ministry" in shown
    history = porcelain.notes_history(Store.open(ann.root), rev)
    assert [(h["text"], h.get("conflict", False)) for h in history] == [
        ("Base", False),
        ("Ann: 7 per the May report", True),
        ("Bob: 7 per the ministry", True),
    ]  # the merge commit added no entry of its own
    assert cli("notes-history", rev, cwd=ann.root).out.count("⚠ conflicting") == 2
    # A new note, written after seeing both, resolves it.
    porcelain.note(ann, rev, 1, "7 percent: report and ministry agree", author=str(ANN),
                   date="2025-06-05T16:00:00+01:00")  # fmt: skip
    note = porcelain.show(Store.open(ann.root), rev).changes[0].note
    assert note.text.startswith("7 percent") and note.conflict == ()
    assert [h.text for h in note.history][-2:] == [
        "Ann: 7 per the May report", "Bob: 7 per the ministry"
    ]  # fmt: skip
    assert "conflicting" not in cli("show", rev, cwd=ann.root).out


def test_log_and_show_mark_an_approval_and_a_flag_that_did_not_see_each_other(clones, cli):
    ann, bob, rev = clones
    porcelain.review(ann, rev, "approved", author=str(ANN), date="2025-06-05T13:00:00+01:00")
    porcelain.review(bob, rev, "flagged", "unsourced", author=str(BOB),
                     date="2025-06-05T13:01:00+01:00")  # fmt: skip
    _push(bob.root, REVIEWS_REF)
    _join(ann, REVIEWS_REF)
    review = porcelain.show(Store.open(ann.root), rev).review
    assert (review.status, review.approved) == ("flagged", False)
    assert [(r.status, r.author) for r in review.conflict] == [("approved", str(ANN))]
    log = cli("log", cwd=ann.root).out
    assert "⚠ conflicting reviews: flagged by Bob Checker" in log
    assert "approved by Ann Editor <ann@example.org> 2025-06-05T13:00:00+01:00" in log
    assert "unsourced" in log and "a new review resolves it" in log
    # Still awaiting a decision: listed by log --unreviewed.
    assert rev[:10] in cli("log", "--unreviewed", cwd=ann.root).out
    porcelain.review(ann, rev, "approved", "source found", author=str(ANN),
                     date="2025-06-05T14:00:00+01:00")  # fmt: skip
    review = porcelain.show(Store.open(ann.root), rev).review
    assert review.approved and review.conflict == () and review.history == 2
    assert "conflicting" not in cli("log", cwd=ann.root).out


# -- verify: hand merges and hand edits of the notes refs are named ---------------------------


def _concurrent_notes(clones) -> tuple[Store, Store, str]:
    ann, bob, rev = clones
    porcelain.note(ann, rev, 1, "Ann: 7 per the May report", author=str(ANN),
                   date="2025-06-05T13:00:00+01:00")  # fmt: skip
    porcelain.note(bob, rev, 1, "Bob: 7 per the ministry", author=str(BOB),
                   date="2025-06-05T13:05:00+01:00")  # fmt: skip
    _push(bob.root, NOTES_REF)
    git(ann.root, "fetch", "-q", "origin", f"{NOTES_REF}:refs/notes/theirs")
    return ann, bob, rev


def _findings(store: Store, *kinds: str) -> list[tuple[str, str | None, str]]:
    report = porcelain.verify(Store.open(store.root))
    return [(f.kind, f.revision, f.message) for f in report.findings if f.kind in kinds]


@pytest.mark.parametrize("strategy", ["cat_sort_uniq", "union"])
def test_verify_names_a_hand_merge_with_git_notes_merge(clones, strategy):
    ann, _bob, rev = _concurrent_notes(clones)
    git(ann.root, "notes", f"--ref={NOTES_REF}", "merge", "-q", "-s", strategy, "refs/notes/theirs")
    with pytest.raises(UnreadableDocument):
        parse_document(git(ann.root, "notes", f"--ref={NOTES_REF}", "show", rev).encode())
    found = _findings(ann, "notes-unreadable", "notes-merge")
    assert [(kind, revision) for kind, revision, _ in found] == [("notes-unreadable", rev)]
    assert "git notes merge -s cat_sort_uniq or -s union" in found[0][2]


def test_verify_passes_a_merge_made_by_merge_notes_ref(clones):
    ann, _bob, rev = _concurrent_notes(clones)
    ours = ann.ref(NOTES_REF)
    merged, _ = merge_notes_ref(ann, NOTES_REF, ours, ann.ref("refs/notes/theirs"), ANN, DATE)
    git(ann.root, "update-ref", NOTES_REF, merged, ours)
    assert _findings(ann, "notes-unreadable", "notes-merge", "notes-edited") == []


def test_verify_names_a_merge_that_lost_or_invented_an_entry(clones):
    ann, _bob, rev = _concurrent_notes(clones)
    ours, theirs = ann.ref(NOTES_REF), ann.ref("refs/notes/theirs")
    entries = json.loads(git(ann.root, "notes", f"--ref={NOTES_REF}", "show", rev))["entries"]
    forged = [*entries[:1], {**entries[1], "text": "Invented"}]  # Bob's dropped, one changed
    blob = git(ann.root, "hash-object", "-w", "--stdin", input=compose_later(forged).encode())
    tree = git(ann.root, "mktree", input=f"100644 blob {blob.strip()}\t{rev}\n".encode()).strip()
    merge = git(ann.root, "commit-tree", tree, "-p", ours, "-p", theirs, "-m", "hand").strip()
    git(ann.root, "update-ref", NOTES_REF, merge, ours)
    found = _findings(ann, "notes-merge")
    messages = " | ".join(message for _kind, _rev, message in found)
    assert {revision for _kind, revision, _ in found} == {rev}
    assert f"lost 1 entry of its later notes that parent {ours[:12]} had" in messages
    assert f"lost 1 entry of its later notes that parent {theirs[:12]} had" in messages
    assert "holds 1 entry of its later notes that no parent had ('Invented'" in messages


def test_verify_names_a_hand_edited_entry(clones):
    ann, _bob, rev = clones
    text = git(ann.root, "notes", f"--ref={NOTES_REF}", "show", rev)
    edited = text.replace('"Base"', '"Base, quietly reworded"')
    git(ann.root, "notes", f"--ref={NOTES_REF}", "add", "-f", "-m", edited, rev)
    found = _findings(ann, "notes-edited")
    assert len(found) == 1 and found[0][1] == rev
    assert "changed or removed 1 entry of its later notes ('Base' by Ann Editor" in found[0][2]


def test_verify_names_an_unreadable_review_document(clones):
    ann, _bob, rev = clones
    git(ann.root, "notes", f"--ref={REVIEWS_REF}", "add", "-m", "approved!", rev)
    found = _findings(ann, "notes-unreadable")
    assert [(kind, revision) for kind, revision, _ in found] == [("notes-unreadable", rev)]
    assert f"its reviews in {REVIEWS_REF}" in found[0][2]


def test_both_faces_word_a_conflict_from_present_with_untrusted_text_made_visible():
    from tracker import present
    from tracker.model import Note, Review

    other = Note("Ann's \x1b[31mwording", "factual", "", "Ann <a@x>", "2025-06-05T13:00:00+01:00")
    note = Note("Bob's wording", "factual", "", "Bob <b@x>", "2025-06-05T13:05:00+01:00",
                "later", conflict=(other,))  # fmt: skip
    text = "\n".join(present.plain(line) for line in present.note_lines(note))
    assert "⚠ conflicting notes (2): written without seeing each other" in text
    assert "also: [factual] Ann's" in text and "\x1b" not in text
    assert "by Ann <a@x> 2025-06-05T13:00:00+01:00" in text
    flag = Review("flagged", "no source", "Bob <b@x>", "2025-06-05T13:01:00+01:00")
    review = Review("approved", "", "Ann <a@x>", "2025-06-05T13:02:00+01:00", conflict=(flag,))
    assert not review.approved
    assert present.plain(present.review_badge(review)) == "⚠ conflicting reviews "
    detail = present.plain(present.review_detail(review))
    assert "✓ approved by Ann <a@x>" in detail and "⚑ flagged by Bob <b@x>" in detail
    assert "no source" in detail and "a new review resolves it" in detail
    assert review.to_json()["conflict"][0]["status"] == "flagged"
