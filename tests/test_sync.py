"""``tracker sync`` between clones of one bare remote (file://): what each editor gets,
what is pushed, what is refused, and that ``verify`` passes on every clone afterwards.

The transports are in test_sync_transports.py, the hostile remotes and repositories in
test_sync_adversarial.py.
"""

from __future__ import annotations

import json

import pytest
from servers import bare
from sync_helpers import DOC, Desk, edit, plain_clone, record

from tracker import porcelain
from tracker.errors import ConcurrentEditError, SyncRefusedError
from tracker.git.journal import read_journal
from tracker.model import SyncStep
from tracker.store import Store
from tracker.sync import transfer

from conftest import BOB, git, run_cli, snapshot


@pytest.fixture
def desk(tmp_path) -> Desk:
    remote = bare(tmp_path, "remote.git")
    return Desk(tmp_path, remote.as_uri())


def verified(store: Store) -> None:
    report = porcelain.verify(Store.open(store.root))
    assert report.ok, [f"{f.kind}: {f.message}" for f in report.findings]


def test_editors_take_each_others_revisions_notes_and_reviews(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    assert (bob.root / DOC).read_text() == (ann.root / DOC).read_text()
    verified(bob)  # a fresh git clone plus a sync is a store verify really checks

    rev = record(ann, "5 percent", "7 percent", note="the census figure")
    result = porcelain.sync(ann)
    assert (result.sent, result.taken, result.pushed) == (1, 0, True)

    result = porcelain.sync(bob)
    assert (result.taken, result.pushed) == (1, False)
    assert "7 percent" in (bob.root / DOC).read_text()  # the work tree came along
    assert git(bob.root, "status", "--porcelain") == ""  # and the index
    porcelain.note(bob, rev, 1, "the 2024 census figure", author=str(BOB))
    porcelain.sync(bob)

    # Ann reviews without having seen Bob's note: two journals, one join.
    porcelain.review(ann, rev, "approved")
    result = porcelain.sync(ann)
    assert result.warnings == ()
    assert "refs/tracker/journal" in result.merged_refs
    assert "refs/notes/tracker" in result.moved  # Bob's note, by fast-forward
    porcelain.sync(bob)

    assert desk.refs("ann") == desk.refs("bob")
    seen = Store.open(bob.root).revision(rev)
    assert seen.later_notes[-1].text == "the 2024 census figure"
    assert seen.review is not None and seen.review.status == "approved"
    events = read_journal(Store.open(bob.root))
    kinds = [e["event"] for e in events]
    assert kinds.count("note") == 1 and kinds.count("review") == 1 and kinds[-1] == "sync"
    assert (
        events[-1]["refs"]["refs/notes/tracker-reviews"]
        == git(ann.root, "rev-parse", "refs/notes/tracker-reviews").strip()
    )
    verified(ann)
    verified(bob)


def test_a_second_sync_with_nothing_new_moves_and_pushes_nothing(desk: Desk) -> None:
    ann = desk.first()
    before = snapshot(ann.root)
    steps: list[SyncStep] = []
    result = porcelain.sync(ann, progress=steps.append)
    assert (result.pushed, result.taken, result.moved) == (False, 0, ())
    assert [s.step for s in steps] == ["fetch", "done"]
    after = snapshot(ann.root)
    assert after["files"] == before["files"] and after["index"] == before["index"]


def test_three_editors_converge_on_identical_refs(desk: Desk) -> None:
    desk.first("ann")
    bob, cat = desk.join("bob"), desk.join("cat")
    rev = record(bob, "Monday", "Tuesday", note="the minutes say Tuesday")
    porcelain.sync(bob)
    porcelain.sync(cat)
    porcelain.review(cat, rev, "approved", author="Cat Desk <cat@example.org>")
    porcelain.sync(cat)
    for name in ("ann", "bob", "cat", "ann", "bob"):
        porcelain.sync(desk.clones[name])
    assert desk.refs("ann") == desk.refs("bob") == desk.refs("cat")
    for store in desk.clones.values():
        verified(store)


def test_a_fresh_clone_without_a_branch_is_not_verified_until_it_syncs(
    desk: Desk, tmp_path
) -> None:
    ann = desk.first("ann")
    git(tmp_path / "remote.git", "symbolic-ref", "HEAD", "refs/heads/master")  # git's old default
    plain_clone(desk.url, tmp_path / "bob")  # "remote HEAD refers to nonexistent ref"
    bob = Store.open(tmp_path / "bob")
    assert not porcelain.verify(bob).ok  # nothing checked is never a pass
    result = porcelain.sync(bob)
    assert (result.branch, result.taken) == ("main", 2)
    assert (bob.root / DOC).read_bytes() == (ann.root / DOC).read_bytes()
    verified(bob)


def test_unrecorded_edits_the_sync_would_overwrite_refuse_it(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    (bob.root / "draft.md").write_text("not recorded, not touched by the sync\n")
    record(ann, "close", "very close")
    porcelain.sync(ann)
    edit(bob, "Monday", "Sunday")  # not recorded
    shared = ("refs/heads/", "refs/notes/", "refs/tracker/journal")
    before, staged = snapshot(bob.root), git(bob.root, "ls-files", "--stage")
    with pytest.raises(SyncRefusedError, match="article.md has unrecorded changes"):
        porcelain.sync(bob)
    after = snapshot(bob.root)
    # The index's entries are as they were (git may refresh its cache of file stats).
    assert after["files"] == before["files"] and git(bob.root, "ls-files", "--stage") == staged
    kept = [line for line in after["refs"].splitlines() if line.startswith(shared)]
    assert kept == [line for line in before["refs"].splitlines() if line.startswith(shared)]
    edit(bob, "Sunday", "Monday")  # undone: now the sync goes through
    assert porcelain.sync(bob).taken == 1
    assert "very close" in (bob.root / DOC).read_text()
    assert (bob.root / "draft.md").read_text() == "not recorded, not touched by the sync\n"


def test_remotes_are_plain_git_remotes_and_bad_ones_are_refused(store: Store, tmp_path) -> None:
    porcelain.remote_add(store, "origin", str(tmp_path / "remote.git"))
    assert porcelain.remotes(store) == [("origin", str(tmp_path / "remote.git"))]
    assert git(store.root, "remote", "get-url", "origin").strip() == str(tmp_path / "remote.git")
    before = snapshot(store.root), (store.root / ".git" / "config").read_bytes()
    for name, url in [
        ("origin", "/elsewhere.git"),  # taken
        ("-o", "/x.git"),
        ("a b", "/x.git"),
        ("x", "ext::sh -c touch% /tmp/pwned"),
        ("x", "fd::3"),
        ("x", "-oProxyCommand=touch /tmp/pwned"),
        ("x", "ssh://-oProxyCommand=touch/x"),
        ("x", "hg::https://example.org/x"),
        ("x", "ftp://example.org/x.git"),
        ("x", "file:///x\n[core]"),
    ]:
        with pytest.raises(SyncRefusedError) as refused:
            porcelain.remote_add(store, name, url)
        assert "\n" not in refused.value.one_line()
    assert (snapshot(store.root), (store.root / ".git" / "config").read_bytes()) == before
    for url in ("git://h/x.git", "https://h/x.git", "ssh://u@h:22/x.git", "u@host:news.git"):
        porcelain.remote_add(store, f"r{len(porcelain.remotes(store))}", url)


def test_sync_picks_the_only_remote_or_origin_and_refuses_to_guess(store: Store) -> None:
    with pytest.raises(SyncRefusedError, match="no remote to sync with"):
        porcelain.sync(store)
    porcelain.remote_add(store, "desk", "/nowhere/a.git")
    porcelain.remote_add(store, "backup", "/nowhere/b.git")
    with pytest.raises(SyncRefusedError, match=r"several remotes \(backup, desk\)"):
        porcelain.sync(store)
    with pytest.raises(SyncRefusedError, match="no remote named web"):
        porcelain.sync(store, "web")
    with pytest.raises(SyncRefusedError, match="could not fetch from desk"):
        porcelain.sync(store, "desk")


def test_the_cli_prints_progress_on_stderr_and_the_result_as_json(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "Monday", "Tuesday")
    porcelain.sync(ann)
    result = run_cli("-C", str(bob.root), "sync", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["remote"], data["branch"], data["taken"], data["pushed"]) == (
        "origin", "main", 1, False,
    )  # fmt: skip
    assert "tracker: fetching origin…" in result.err.splitlines()
    text = run_cli("-C", str(bob.root), "sync")
    assert text.code == 0 and text.out == "main synced with origin: already up to date\n"
    listing = run_cli("-C", str(bob.root), "remote")
    assert listing.out == f"origin  {desk.url}\n"
    refused = run_cli("-C", str(bob.root), "remote", "add", "x", "ext::sh -c id")
    assert refused.code == 1 and refused.out == ""
    assert refused.err.count("\n") == 1 and "is not a URL the tracker syncs with" in refused.err


@pytest.mark.parametrize("ann_wrote", ["review", "revision", "diverged"])
def test_a_push_that_loses_the_race_is_fetched_merged_and_pushed_again(
    desk: Desk, monkeypatch, ann_wrote: str
) -> None:
    """Between Ann's fetch and her push, Bob pushes a revision: the push is rejected and
    Ann's sync fetches, merges (replaying her revision, perhaps a second time) and pushes."""
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = git(ann.root, "rev-parse", "HEAD").strip()
    porcelain.review(ann, rev, "approved")
    if ann_wrote != "review":
        record(ann, "close", "very close", note="the count was 51 to 49")
    if ann_wrote == "diverged":  # the first attempt already replays
        record(bob, "council", "city council")
        porcelain.sync(bob)
    real_push = transfer.push
    calls = []

    def push_after_bob(store, remote, refs):
        calls.append(store.root)
        if len(calls) == 1:
            record(bob, "Monday", "Tuesday")
            monkeypatch.setattr(transfer, "push", real_push)
            porcelain.sync(bob)
            monkeypatch.setattr(transfer, "push", push_after_bob)
        return real_push(store, remote, refs)

    monkeypatch.setattr(transfer, "push", push_after_bob)
    result = porcelain.sync(ann)
    assert result.attempts == 2 and result.pushed
    assert len(result.replayed) == (0 if ann_wrote == "review" else 1)
    porcelain.sync(bob)
    assert desk.refs("ann") == desk.refs("bob")
    text = (bob.root / DOC).read_text()
    assert "Tuesday" in text and ("very close" in text) == (ann_wrote != "review")
    verified(ann)
    verified(bob)


def test_unrelated_histories_and_a_detached_head_are_refused(desk: Desk, tmp_path) -> None:
    desk.first("ann")
    other = porcelain.init(tmp_path / "other", author=str(BOB))  # not Ann's setup commit
    porcelain.remote_add(other, "origin", desk.url)
    with pytest.raises(SyncRefusedError, match="share no history"):
        porcelain.sync(other)
    bob = desk.join("bob")
    git(bob.root, "checkout", "-q", "--detach")
    with pytest.raises(SyncRefusedError, match="HEAD is detached"):
        porcelain.sync(bob)


def test_concurrent_revisions_of_one_article_are_replayed(desk: Desk) -> None:
    pytest.importorskip("tracker.sync.replay", reason="the replay helper is not merged yet")
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    original = record(bob, "Monday", "Tuesday", note="minutes")
    porcelain.sync(ann)
    result = porcelain.sync(bob)
    assert [pair[0] for pair in result.replayed] == [original]
    assert git(bob.root, "rev-parse", f"refs/tracker/originals/{original}").strip() == original
    porcelain.sync(ann)
    text = (ann.root / DOC).read_text()
    assert "7 percent" in text and "Tuesday" in text
    assert desk.refs("ann") == desk.refs("bob")
    verified(ann)
    verified(bob)


def test_notes_on_one_revision_by_two_editors_are_both_kept(desk: Desk) -> None:
    pytest.importorskip("tracker.sync.notes_merge", reason="the notes merge is not merged yet")
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    porcelain.sync(bob)
    porcelain.note(ann, rev, 1, "census, table 2")
    porcelain.note(bob, rev, 1, "census of 2024", author=str(BOB))
    porcelain.sync(ann)
    result = porcelain.sync(bob)
    assert "refs/notes/tracker" in result.merged_refs
    porcelain.sync(ann)
    texts = {n.text for n in Store.open(ann.root).revision(rev).later_notes}
    assert {"census, table 2", "census of 2024"} <= texts
    assert desk.refs("ann") == desk.refs("bob")
    verified(ann)
    verified(bob)


def test_overlapping_corrections_are_refused_in_one_line_with_nothing_written(
    desk: Desk,
) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    record(bob, "5 percent", "6 percent", note="poll")
    porcelain.sync(ann)
    shared = ("refs/heads/", "refs/notes/", "refs/tracker/journal", "refs/tracker/originals/")
    before = [ln for ln in snapshot(bob.root)["refs"].splitlines() if ln.startswith(shared)]
    result = run_cli("-C", str(bob.root), "sync")
    assert result.code == 1 and result.out == ""
    errors = [line for line in result.err.splitlines() if line.startswith("tracker: error:")]
    assert len(errors) == 1 and DOC in errors[0]
    after = [ln for ln in snapshot(bob.root)["refs"].splitlines() if ln.startswith(shared)]
    assert after == before
    assert "6 percent" in (bob.root / DOC).read_text()
    assert "tracker sync --settle" in result.err  # the way on, named where it refuses

    settled = run_cli("-C", str(bob.root), "sync", "--settle")
    assert settled.code == 0, settled.err
    assert "set aside 1" in settled.out and f"{DOC} holds your wording on theirs" in settled.out
    assert git(bob.root, "rev-parse", "HEAD") == git(ann.root, "rev-parse", "HEAD")


def test_an_overlap_is_settled_by_the_remote_side_giving_way(desk: Desk) -> None:
    """The other route: recording again on the refused side cannot help (its revision is
    replayed first); the other editor putting back the earlier wording can."""
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    record(bob, "5 percent", "6 percent", note="survey")
    with pytest.raises(ConcurrentEditError) as refused:
        porcelain.sync(bob)
    assert "tracker sync --settle" in refused.value.one_line()
    record(ann, "7 percent", "5 percent", note="Wait for the desk to choose the source")
    porcelain.sync(ann)
    result = porcelain.sync(bob)
    assert len(result.replayed) == 1 and result.pushed
    porcelain.sync(ann)
    for store in (ann, bob):
        assert "6 percent" in (store.root / DOC).read_text(encoding="utf-8")
        verified(store)


def test_an_overlap_is_settled_here_with_sync_settle(desk: Desk) -> None:
    """The route the refusal names: Bob's overlapping revisions are set aside (kept, with
    their notes), his file holds his wording on Ann's text, and he records the agreed
    wording on top of hers. Nothing of either editor is lost, and verify passes."""
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "five million", "six million", note="the budget's final figure")
    record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    first = record(bob, "5 percent", "6 percent", note="survey")
    second = record(bob, "was close", "was narrow", note="his word")
    before = git(bob.root, "rev-parse", "HEAD").strip()

    result = porcelain.sync(bob, settle=True)
    assert result.set_aside == (first, second) and result.replayed == ()
    assert result.drafts == (DOC,) and result.pushed
    ann_tip = git(ann.root, "rev-parse", "HEAD").strip()
    assert git(bob.root, "rev-parse", "HEAD").strip() == ann_tip
    # Ann's disjoint change is in the draft, Bob's wording wins where they overlap.
    text = (bob.root / DOC).read_text()
    assert "six million" in text and "6 percent" in text and "was narrow" in text
    assert git(bob.root, "status", "--porcelain").split() == ["M", DOC]
    for original in (first, second):
        assert git(bob.root, "rev-parse", f"refs/tracker/originals/{original}").strip() == (
            original
        )
    assert porcelain.show(bob, first).changes[0].note.text == "survey"
    sync = [e for e in read_journal(bob) if e.get("event") == "sync"][-1]
    assert sync["set_aside"] == [first, second] and sync["previous"] == before
    verified(bob)
    base = git(bob.root, "merge-base", before, ann_tip).strip()
    since = porcelain.verify(Store.open(bob.root), since=base)
    assert since.ok, [f"{f.kind}: {f.message}" for f in since.findings]

    # The agreed wording, recorded on Ann's revisions, then shared.
    edit(bob, "6 percent", "6.5 percent")
    settled = porcelain.record_revision(bob, DOC, "Settle the turnout figure with Ann")
    assert [(c.old.text, c.new.text) for c in settled.changes] == [
        ("7", "6.5"),
        ("close", "narrow"),
    ]
    porcelain.sync(bob)
    porcelain.sync(ann)
    assert desk.refs("ann") == desk.refs("bob")
    assert "six million" in (ann.root / DOC).read_text()
    assert "6.5 percent" in (ann.root / DOC).read_text()
    for store in (ann, bob):
        verified(store)


def test_a_set_aside_original_that_is_deleted_is_named(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    original = record(bob, "5 percent", "6 percent", note="survey")
    porcelain.sync(bob, settle=True)
    git(bob.root, "update-ref", "-d", f"refs/tracker/originals/{original}")
    report = porcelain.verify(Store.open(bob.root))
    assert [(f.kind, f.revision) for f in report.findings] == [("replay", original)]


def test_settle_refuses_over_unrecorded_edits_and_changes_nothing(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    record(bob, "5 percent", "6 percent", note="survey")
    edit(bob, "The mayor", "The mayor, Ms Ruiz,")
    before = desk.refs("bob")
    unsaved = (bob.root / DOC).read_bytes()
    with pytest.raises(SyncRefusedError, match="unrecorded changes"):
        porcelain.sync(bob, settle=True)
    assert desk.refs("bob") == before and (bob.root / DOC).read_bytes() == unsaved


def test_settle_keeps_replaying_other_documents(desk: Desk) -> None:
    """Only the overlapping document's revisions are set aside; a revision of another
    document is replayed as a plain sync would."""
    ann = desk.first("ann")
    other = "brief.md"
    (ann.root / other).write_text("A short brief about the council.\n")
    porcelain.add_document(ann, str(ann.root / other))
    porcelain.sync(ann)
    bob = desk.join("bob")
    record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    set_aside = record(bob, "5 percent", "6 percent", note="survey")
    carried = record(bob, "short brief", "brief", note="shorter", document=other)
    result = porcelain.sync(bob, settle=True)
    assert result.set_aside == (set_aside,)
    assert [original for original, _new in result.replayed] == [carried]
    assert (bob.root / other).read_text() == "A brief about the council.\n"
    assert "6 percent" in (bob.root / DOC).read_text()
    verified(bob)


def test_a_settings_change_made_meanwhile_is_set_aside_and_made_again(desk: Desk) -> None:
    """Ann switched on sign-off while Bob recorded: the plain sync refuses (a settings
    change is not replayed) and names --settle; with it, her change is kept aside and
    she is told to make it again, which then reaches Bob."""
    ann = desk.first("ann")
    bob = desk.join("bob")
    record(bob, "5 percent", "6 percent", note="survey")
    porcelain.sync(bob)
    aside = porcelain.set_setting(ann, "require-approval", True)
    with pytest.raises(SyncRefusedError, match="settings") as refused:
        porcelain.sync(ann)
    assert "tracker sync --settle" in refused.value.one_line()
    steps: list[SyncStep] = []
    result = porcelain.sync(ann, settle=True, progress=steps.append)
    assert result.set_aside == (aside,) and result.drafts == ()
    assert any("make it again with 'tracker config'" in w for w in result.warnings)
    assert any(s.step == "warning" and aside[:12] in s.detail for s in steps)
    assert "6 percent" in (ann.root / DOC).read_text()
    assert not porcelain.settings(Store.open(ann.root))["require-approval"]
    verified(ann)
    porcelain.set_setting(ann, "require-approval", True)
    porcelain.sync(ann)
    porcelain.sync(bob)
    assert porcelain.settings(Store.open(bob.root))["require-approval"]
    for store in (ann, bob):
        verified(store)
