"""Replay with real git: two clones of one store, each recording from the same head.

A correction disjoint from the remote's changes is replayed onto the remote's tip with
the same changes, notes, author, date, summary and reason (offsets moved), names its
original, and passes verify; an overlap writes nothing and hands back the three versions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from servers import bare
from sync_helpers import DOC, Desk
from sync_helpers import record as edit_and_record

from tracker import porcelain
from tracker.audit.since import verify_since
from tracker.audit.verify import verify
from tracker.errors import ConcurrentEditError, SyncRefusedError
from tracker.git.journal import EVENT_PREFIX, JOURNAL_REF
from tracker.model import NoteInput
from tracker.notes import REPLAY_TRAILER, replay_of, with_replay_trailer
from tracker.porcelain import log_json, show
from tracker.recording import add_later_note, add_review, init_store, record
from tracker.store import Store
from tracker.sync.refs import original_ref
from tracker.sync.replay import replay_onto

from conftest import ANN, BOB, git, run_cli_ok

TEXT = "Prices rose 5 percent in May. The mayor said so. Rents rose 5 percent too.\n"
REMOTE = "refs/tracker/remotes/origin/heads/main"


def at(minute: int) -> str:
    return f"2025-06-05T10:{minute:02d}:00+01:00"


def write_record(store: Store, text: str, summary: str, who, minute: int, notes=None) -> str:
    (store.root / "doc.txt").write_text(text)
    return record(store, "doc.txt", summary, "Why: " + summary, notes, identity=who,
                  date=at(minute))  # fmt: skip


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Store, Store]:
    """Ann's store (the remote) and Bob's clone of it, both at the same baseline."""
    ann = init_store(tmp_path / "ann", ANN, at(0))
    write_record(ann, TEXT, "Add the article", ANN, 1)
    git(tmp_path, "clone", "-q", str(ann.root), "bob")
    bob = Store.open(tmp_path / "bob")
    git(bob.root, "fetch", "-q", "origin", f"+{JOURNAL_REF}:{JOURNAL_REF}")
    return ann, bob


def fetch(bob: Store, ann: Store) -> str:
    git(bob.root, "fetch", "-q", str(ann.root), f"+refs/heads/main:{REMOTE}",
        f"+{JOURNAL_REF}:refs/tracker/remotes/origin/journal")  # fmt: skip
    bob.refresh()
    return bob.ref(REMOTE) or ""


def refs(store: Store) -> str:
    return git(store.root, "for-each-ref", "--format=%(refname) %(objectname)")


def move_refs_as_sync_does(bob: Store, pairs: list[tuple[str, str]], before: str) -> None:
    """What sync does after a replay (the agreed design): the branch, the originals and
    the journal (joined with the remote's, carrying the sync event) in one transaction."""
    after = pairs[-1][1]
    event = {"v": 1, "event": "sync", "remote": "origin", "ref": "refs/heads/main",
             "commit": after, "previous": before, "refs": {},
             "replayed": [{"original": o, "commit": n} for o, n in pairs]}  # fmt: skip
    ours, theirs = bob.ref(JOURNAL_REF), bob.ref("refs/tracker/remotes/origin/journal")
    empty = git(bob.root, "mktree", input=b"").strip()
    message = f"sync {after[:12]}\n\n{EVENT_PREFIX}{json.dumps(event, sort_keys=True)}\n"
    journal = git(bob.root, "commit-tree", empty, "-p", ours, "-p", theirs,
                  input=message.encode()).strip()  # fmt: skip
    lines = [f"update refs/heads/main {after} {before}", f"update {JOURNAL_REF} {journal} {ours}"]
    lines += [f"create {original_ref(o)} {o}" for o, _ in pairs]
    git(bob.root, "update-ref", "--stdin", input=("\n".join(lines) + "\n").encode())
    git(bob.root, "reset", "-q", "--hard", after)
    bob.refresh()


def test_a_disjoint_correction_is_replayed_faithfully_and_passes_verify(clones):
    ann, bob = clones
    write_record(ann, TEXT.replace("Prices rose 5 percent in May. ", ""), "Drop May", ANN, 2,
                 {1: NoteInput("Unsourced figure", "sourcing")})  # fmt: skip
    note = NoteInput("It was the governor", "factual", "https://x.example")
    mine = write_record(bob, TEXT.replace("mayor", "governor"), "Governor", BOB, 3, {1: note})
    before = bob.head() or ""
    base = git(bob.root, "rev-parse", f"{mine}^").strip()
    onto = fetch(bob, ann)
    untouched = refs(bob)
    pairs = replay_onto(bob, [mine], onto, ANN)
    assert refs(bob) == untouched  # objects only: sync moves the refs
    [(original, new)] = pairs
    assert original == mine
    assert bob.text_at(new, "doc.txt") == "The governor said so. Rents rose 5 percent too.\n"
    assert git(bob.root, "rev-parse", f"{new}^").strip() == onto
    was, now = bob.revision(mine), bob.revision(new)
    assert (now.author, now.date, now.summary, now.reason, now.document) == (
        was.author, was.date, was.summary, was.reason, was.document,
    )  # fmt: skip
    assert now.replay_of == mine and was.replay_of is None
    assert [(c.index, c.kind, c.old.text, c.new.text, c.note) for c in now.changes] == [
        (c.index, c.kind, c.old.text, c.new.text, c.note) for c in was.changes
    ]
    assert (now.changes[0].old.start, was.changes[0].old.start) == (4, 34)  # moved only
    # The committer is the editor who synced; the trailer sits in the trailer paragraph.
    assert git(bob.root, "log", "-1", "--format=%cn", new).strip() == "Ann Editor"
    message = git(bob.root, "log", "-1", "--format=%B", new)
    assert f"\n\n{REPLAY_TRAILER}{mine}\nTracker-Document: doc.txt\nTracker-Record: " in message
    assert (
        message.split("\n\n")[:3]
        == git(bob.root, "log", "-1", "--format=%B", mine).split("\n\n")[:3]
    )
    move_refs_as_sync_does(bob, pairs, before)
    report = verify(bob)
    assert report.findings == []
    assert report.checked_revisions == 3
    # And verify --since the shared baseline: the replay is new, its original is not lost.
    assert verify_since(bob, base).findings == []


def test_the_diff_match_patch_case_is_refused_with_the_three_versions(clones):
    ann, bob = clones
    theirs = write_record(ann, TEXT.replace("Prices rose 5 percent in May. ", ""), "Drop May",
                          ANN, 2, {1: NoteInput("Unsourced figure", "sourcing")})  # fmt: skip
    mine = write_record(bob, TEXT.replace("5", "7", 1), "Seven", BOB, 3,
                        {1: NoteInput("Seven, per the release", "factual")})  # fmt: skip
    onto = fetch(bob, ann)
    untouched = refs(bob)
    with pytest.raises(ConcurrentEditError) as caught:
        replay_onto(bob, [mine], onto, BOB)
    assert refs(bob) == untouched
    error = caught.value
    assert "doc.txt" in error.message and "¶1" in error.message and "\n" not in error.one_line()
    three = error.three_way
    assert (three.base_text, three.ours_text) == (TEXT, TEXT.replace("5", "7", 1))
    assert three.theirs_text == bob.text_at(theirs, "doc.txt")
    assert (three.ours_rev, three.theirs_rev) == (mine, onto)
    assert [(c.old.text, c.new.text, c.note.text) for c in three.ours_changes] == [
        ("5", "7", "Seven, per the release")
    ]
    assert [(c.old.text, c.new.text, c.note.text) for c in three.theirs_changes] == [
        ("Prices rose 5 percent in May. ", "", "Unsourced figure")
    ]
    assert three.overlaps == ((1, 1),)


def test_a_chain_with_a_new_document_and_later_notes_and_reviews_carried(clones):
    ann, bob = clones
    write_record(ann, TEXT.replace("Rents", "Wages"), "Wages", ANN, 2)
    first = write_record(bob, TEXT.replace("mayor", "governor"), "Governor", BOB, 3)
    (bob.root / "new.txt").write_text("A new piece.\n")
    added = record(bob, "new.txt", "Add a piece", identity=BOB, date=at(4))
    second = write_record(bob, TEXT.replace("mayor", "governor").replace("May", "June"),
                          "June", BOB, 5)  # fmt: skip
    add_later_note(bob, first, 1, NoteInput("Confirmed with the office", "factual"), ANN, at(6))
    add_review(bob, second, "approved", identity=ANN, date=at(7))
    onto = fetch(bob, ann)
    pairs = replay_onto(bob, [first, added, second], onto, BOB)
    assert [o for o, _ in pairs] == [first, added, second]
    tip = pairs[-1][1]
    assert bob.text_at(tip, "doc.txt") == TEXT.replace("mayor", "governor").replace(
        "May", "June"
    ).replace("Rents", "Wages")
    assert bob.text_at(tip, "new.txt") == "A new piece.\n"
    assert bob.revision(pairs[1][1], "new.txt").initial
    # Notes and reviews written on the originals read on the replays (offsets moved).
    replayed = show(bob, pairs[0][1])
    assert replayed.changes[0].note.text == "Confirmed with the office"
    assert replayed.changes[0].note.origin == "later"
    assert show(bob, pairs[2][1]).review.approved
    before = bob.head() or ""
    move_refs_as_sync_does(bob, pairs, before)
    logged = json.loads("".join(log_json(bob, document="doc.txt")))["revisions"]
    assert [r.get("replay_of") for r in logged] == [second, first, None, None]
    assert logged[1]["changes"][0]["note"]["text"] == "Confirmed with the office"
    assert logged[0]["review"]["status"] == "approved"
    assert verify(bob).findings == []
    shown = run_cli_ok("show", pairs[0][1], cwd=bob.root).out
    assert f"replays {first[:12]}" in shown and "Confirmed with the office" in shown


def test_the_same_document_added_on_both_sides_is_refused(clones):
    ann, bob = clones
    (ann.root / "new.txt").write_text("Ann's piece.\n")
    record(ann, "new.txt", "Ann adds", identity=ANN, date=at(2))
    (bob.root / "new.txt").write_text("Bob's piece.\n")
    mine = record(bob, "new.txt", "Bob adds", identity=BOB, date=at(3))
    onto = fetch(bob, ann)
    with pytest.raises(ConcurrentEditError) as caught:
        replay_onto(bob, [mine], onto, BOB)
    assert "new.txt" in caught.value.message
    assert caught.value.three_way.theirs_text == "Ann's piece.\n"


def test_a_move_replays_only_where_the_remote_left_the_document_alone(clones, tmp_path):
    ann, bob = clones
    paragraphs = "\n\n".join(f"Paragraph {n} says something about item {n}." for n in range(6))
    write_record(ann, paragraphs + "\n", "Paragraphs", ANN, 2)
    onto = fetch(bob, ann)
    git(bob.root, "reset", "-q", "--hard", onto)
    bob.refresh()
    parts = paragraphs.split("\n\n")
    moved = "\n\n".join([parts[1], parts[0], *parts[2:]]) + "\n"
    mine = write_record(bob, moved, "Move", BOB, 3)
    assert any(c.is_move for c in bob.revision(mine).changes)
    (ann.root / "other.txt").write_text("Elsewhere.\n")
    record(ann, "other.txt", "Other", identity=ANN, date=at(4))
    [(_o, new)] = replay_onto(bob, [mine], fetch(bob, ann), BOB)
    assert bob.text_at(new, "doc.txt") == moved
    write_record(ann, paragraphs.replace("item 5", "item five") + "\n", "Five", ANN, 5)
    with pytest.raises(ConcurrentEditError, match="moves a paragraph"):
        replay_onto(bob, [mine], fetch(bob, ann), BOB)


def test_a_commit_made_with_plain_git_is_not_replayed(clones):
    ann, bob = clones
    write_record(ann, TEXT.replace("Rents", "Wages"), "Wages", ANN, 2)
    (bob.root / "doc.txt").write_text(TEXT.replace("mayor", "governor"))
    git(bob.root, "commit", "-qam", "plain edit")
    onto = fetch(bob, ann)
    with pytest.raises(SyncRefusedError, match="not recorded by the tracker"):
        replay_onto(bob, [bob.head() or ""], onto, BOB)


def test_verify_names_a_replay_no_sync_event_vouches_for(clones):
    ann, bob = clones
    write_record(ann, TEXT.replace("Rents", "Wages"), "Wages", ANN, 2)
    mine = write_record(bob, TEXT.replace("mayor", "governor"), "Governor", BOB, 3)
    before = bob.head() or ""
    onto = fetch(bob, ann)
    [(original, new)] = replay_onto(bob, [mine], onto, BOB)
    # A forged "replay": the message names an original but changes another word.
    message = git(bob.root, "log", "-1", "--format=%B", new)
    forged_text = bob.text_at(new, "doc.txt").replace("said", "claimed")
    blob = git(bob.root, "hash-object", "-w", "--stdin", input=forged_text.encode()).strip()
    tree = git(bob.root, "mktree", input=f"100644 blob {blob}\tdoc.txt\n".encode()).strip()
    config = git(bob.root, "rev-parse", f"{new}:.tracker").strip()
    tree = git(bob.root, "mktree",
               input=f"100644 blob {blob}\tdoc.txt\n040000 tree {config}\t.tracker\n".encode()
               ).strip()  # fmt: skip
    forged = git(bob.root, "commit-tree", tree, "-p", onto, input=message.encode()).strip()
    move_refs_as_sync_does(bob, [(original, forged)], before)
    kinds = {(f.kind, f.revision) for f in verify(bob).findings}
    assert ("replay", forged) in kinds
    assert not any(kind == "rewritten" for kind, _ in kinds)
    subprocess.run(["git", "update-ref", "-d", original_ref(original)], cwd=bob.root, check=True)
    messages = [f.message for f in verify(bob).findings if f.kind == "replay"]
    assert any("is not kept at" in m for m in messages)


def test_only_the_trailer_paragraph_names_an_original():
    original = "ab" * 20
    quoted = f"Summary\n\nA reason that ends quoting it:\n{REPLAY_TRAILER}{original}\n\n"
    record = 'Tracker-Document: doc.txt\nTracker-Record: {"v": 1, "reason": "", "changes": []}\n'
    assert replay_of(quoted + record) is None
    replayed = with_replay_trailer(quoted + record, original, {"v": 1, "changes": []})
    assert replay_of(replayed) == original
    again = with_replay_trailer(replayed, "cd" * 20, {"v": 1, "changes": []})
    assert replay_of(again) == "cd" * 20 and again.count(REPLAY_TRAILER) == 2  # one quoted


def test_a_replay_is_never_committed_before_its_new_parent(clones):
    # Ann's clock runs three minutes ahead (within the skew recording allows).
    from datetime import datetime, timedelta

    ahead = (datetime.now().astimezone() + timedelta(minutes=3)).isoformat(timespec="seconds")
    ann, bob = clones
    (ann.root / "doc.txt").write_text(TEXT.replace("Rents", "Wages"))
    record(ann, "doc.txt", "Wages", identity=ANN, date=ahead)
    mine = write_record(bob, TEXT.replace("mayor", "governor"), "Governor", BOB, 3)
    onto = fetch(bob, ann)
    [(_o, new)] = replay_onto(bob, [mine], onto, BOB)
    times = git(bob.root, "log", "-2", "--format=%ct", new).split()
    assert int(times[0]) >= int(times[1])
    assert git(bob.root, "log", "-1", "--format=%aI", new).strip() == at(3)


def test_an_overlap_through_sync_changes_nothing_here_or_on_the_remote(tmp_path):
    remote = bare(tmp_path, "remote.git")
    desk = Desk(tmp_path, remote.as_uri())
    ann, bob = desk.first("ann"), desk.join("bob")
    edit_and_record(ann, "5 percent higher", "markedly higher", note="the figure is disputed")
    porcelain.sync(ann)
    mine = edit_and_record(bob, "5 percent", "7 percent", note="the census says 7")
    before_bob, before_remote = desk.refs("bob"), git(remote, "for-each-ref")
    text_before = (bob.root / DOC).read_text()
    with pytest.raises(ConcurrentEditError) as caught:
        porcelain.sync(bob)
    assert desk.refs("bob") == before_bob and git(remote, "for-each-ref") == before_remote
    assert (bob.root / DOC).read_text() == text_before
    three = caught.value.three_way
    assert three.ours_rev == mine and "¶2" in caught.value.message
    assert [c.note.text for c in three.ours_changes] == ["the census says 7"]
    assert [c.note.text for c in three.theirs_changes] == ["the figure is disputed"]
