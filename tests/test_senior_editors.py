"""Who may issue a correction: the store's senior editors (a setting), and the ``reuters``
preset's ``senior-issues`` rule, which publish enforces and verify checks by the settings
in force at each publication (docs/corrections.md, "Senior editors")."""

from __future__ import annotations

import json

import pytest
from servers import bare
from sync_helpers import Desk

from tracker import porcelain, recording
from tracker.errors import PublishRefusedError, TrackerError
from tracker.git.write import append_journal
from tracker.identity import Identity, named_in
from tracker.model import NoteInput
from tracker.policy import PRESETS, needs_senior
from tracker.recording import add_review, init_store, record
from tracker.store import CONFIG_PATH, Store

from conftest import ANN, BOB, DATE, git, run_cli, snapshot

CAROL = Identity("Carol Head", "carol@example.org")
JOURNAL = "refs/tracker/journal"


def test_only_reuters_has_the_senior_rule():
    assert [name for name, policy in PRESETS.items() if "senior-issues" in policy.rules()] == [
        "reuters"
    ]
    reuters = PRESETS["reuters"]
    assert needs_senior("correction", reuters) and needs_senior("withdrawal", reuters)
    assert not needs_senior("clarification", reuters) and not needs_senior("none", reuters)
    assert not any(needs_senior("correction", PRESETS[name]) for name in ("ap", "nyt", "ipso"))


def test_an_editor_is_matched_by_email_case_insensitively():
    seniors = ["Carol Head <carol@example.org>"]
    assert named_in("C. Head <CAROL@Example.ORG>", seniors)  # another spelling, same person
    assert not named_in("Carol Head <carol@example.net>", seniors)  # the name is not enough
    assert not named_in("Carol Head <>", seniors)  # nor a name without an email
    assert not named_in("Carol Head <>", ["Carol Head <>"])


def _set_seniors(store: Store, names: list[str], when: str, monkeypatch) -> str | None:
    """``tracker config senior-editors`` as of ``when`` (a settings change is dated now)."""
    monkeypatch.setattr(recording, "now_iso", lambda: when)
    return porcelain.set_setting(store, "senior-editors", names, author=str(ANN))


def _fix(store: Store, old: str, new: str, when: str) -> str:
    """A revision by Ann that corrects a fact (notice: correction, the policy's default)."""
    path = store.root / "a.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    notes = {1: NoteInput(f"An earlier version said {old}; it is {new}.", "factual")}
    return record(store, "a.txt", f"Say {new}", "", notes, ANN, when)


@pytest.fixture
def desk(tmp_path, monkeypatch) -> tuple[Store, str]:
    """A Reuters store with a baseline and one correction by Ann, not yet reviewed."""
    store = init_store(tmp_path / "store", ANN, DATE, policy="reuters")
    monkeypatch.chdir(store.root)
    (store.root / "a.txt").write_text("The storm hit Dover on Monday.\n", encoding="utf-8")
    record(store, "a.txt", "Baseline", "", {}, ANN, "2025-06-05T11:00:00+01:00")
    return store, _fix(store, "Dover", "Folkestone", "2025-06-06T09:00:00+01:00")


def test_publish_needs_a_senior_editors_approval(desk, monkeypatch):
    store, fix = desk
    add_review(store, fix, "approved", "", BOB, "2025-06-06T10:00:00+01:00")
    store.refresh()
    # No senior editors named: the command line refuses in one line, writing nothing.
    before = snapshot(store.root)
    refused = run_cli(
        "publish", "a.txt", "--author", str(BOB), "--date", "2025-06-06T12:00:00+01:00",
        cwd=store.root,
    )  # fmt: skip
    assert refused.code == 1 and refused.out == ""
    assert refused.err.count("\n") == 1 and refused.err.startswith("tracker: error: ")
    assert f"{fix[:12]} carries a correction" in refused.err
    assert "names no senior editors; name them with tracker config senior-editors" in refused.err
    assert snapshot(store.root) == before
    # Carol is named; Bob's sign-off is a second editor's, but not a senior one's.
    _set_seniors(store, [str(CAROL)], "2025-06-06T13:00:00+01:00", monkeypatch)
    journal = git(store.root, "rev-parse", JOURNAL)
    with pytest.raises(PublishRefusedError, match=f"{fix[:12]} .* no senior editor") as error:
        porcelain.publish(store, "a.txt", author=str(BOB), date="2025-06-06T14:00:00+01:00")
    assert "carol@example.org" in error.value.one_line()
    assert git(store.root, "rev-parse", JOURNAL) == journal
    # Carol approves, under another spelling of her address: published.
    add_review(store, fix, "approved", "", Identity("C Head", "CAROL@Example.org"),
               "2025-06-06T15:00:00+01:00")  # fmt: skip
    store.refresh()
    done = porcelain.publish(store, "a.txt", author=str(BOB), date="2025-06-06T16:00:00+01:00")
    assert fix in done.revisions
    assert porcelain.verify(Store.open(store.root)).findings == []


def _published(store: Store, rev: str, when: str) -> None:
    """A publish event written behind the tracker's back (as plain git could)."""
    event = {"v": 1, "event": "publish", "document": "a.txt", "revisions": [rev],
             "date": when, "author": str(BOB)}  # fmt: skip
    append_journal(store, event, BOB, when)
    store.refresh()


def test_verify_judges_by_the_senior_editors_named_at_the_publish_date(desk, monkeypatch):
    store, fix = desk
    add_review(store, fix, "approved", "", BOB, "2025-06-06T10:00:00+01:00")
    _published(store, fix, "2025-06-06T12:00:00+01:00")  # no senior editor named then
    _set_seniors(store, [str(BOB)], "2025-06-07T09:00:00+01:00", monkeypatch)  # too late
    second = _fix(store, "Monday", "Sunday", "2025-06-08T09:00:00+01:00")
    add_review(store, second, "approved", "", BOB, "2025-06-08T10:00:00+01:00")
    _published(store, second, "2025-06-08T12:00:00+01:00")  # Bob was senior then
    _set_seniors(store, [str(CAROL)], "2025-06-09T09:00:00+01:00", monkeypatch)  # Bob left

    findings = porcelain.verify(Store.open(store.root)).findings
    assert [(f.kind, f.revision) for f in findings] == [("unapproved-notice", fix)]
    assert "with a correction under the reuters policy" in findings[0].message
    assert "the store named no senior editors then" in findings[0].message
    # verify --since reads the settings of the publication's day from the whole journal.
    since = porcelain.verify(Store.open(store.root), since=fix).findings
    assert [(f.kind, f.revision, f.message) for f in since] == [
        (f.kind, f.revision, f.message) for f in findings
    ]
    # Today's list would judge both the other way round; the settings file says so.
    config = json.loads(git(store.root, "show", f"HEAD:{CONFIG_PATH}"))
    assert config["senior_editors"] == [str(CAROL)]


def test_a_publication_approved_by_a_junior_editor_is_named(desk, monkeypatch):
    store, fix = desk
    _set_seniors(store, [str(CAROL)], "2025-06-06T09:30:00+01:00", monkeypatch)
    add_review(store, fix, "approved", "", BOB, "2025-06-06T10:00:00+01:00")
    _published(store, fix, "2025-06-06T12:00:00+01:00")
    (finding,) = porcelain.verify(Store.open(store.root)).findings
    assert finding.kind == "unapproved-notice" and "approved by no senior editor" in finding.message


def test_the_setting_is_journaled_listed_and_cleared(tmp_path, monkeypatch):
    store = init_store(tmp_path / "store", ANN, DATE)
    setup = (store.root / CONFIG_PATH).read_bytes()
    assert b"senior_editors" not in setup  # an old store keeps its bytes
    assert porcelain.settings(store)["senior-editors"] == []
    listed = run_cli(
        "config", "senior-editors", str(CAROL), "Carol <CAROL@example.org>", str(BOB),
        "--author", str(ANN), cwd=store.root,
    )  # fmt: skip
    assert listed.code == 0, listed.err
    assert listed.out.startswith(f"senior-editors is now {CAROL}; {BOB} (settings commit ")
    store = Store.open(store.root)
    assert porcelain.settings(store)["senior-editors"] == [str(CAROL), str(BOB)]
    with pytest.raises(TrackerError, match="not a senior editor the tracker can match"):
        porcelain.set_setting(store, "senior-editors", ["Carol Head <>"], author=str(ANN))
    assert porcelain.set_setting(store, "senior-editors", [], author=str(ANN))
    assert (store.root / CONFIG_PATH).read_bytes() == setup  # none named: no key
    assert porcelain.verify(Store.open(store.root)).findings == []  # journaled: accepted


def test_a_senior_editors_change_reaches_the_other_clones_by_sync(tmp_path):
    desk = Desk(tmp_path, bare(tmp_path, "remote.git").as_uri())
    ann = desk.first("ann")
    bob = desk.join("bob")
    porcelain.set_setting(ann, "senior-editors", [str(CAROL)], author=str(ANN))
    porcelain.sync(ann)
    porcelain.sync(bob)
    bob = Store.open(bob.root)
    assert porcelain.settings(bob)["senior-editors"] == [str(CAROL)]
    assert porcelain.verify(bob).findings == []


def test_a_settings_change_in_the_same_second_as_a_publication_is_judged_by_journal_order(
    desk, monkeypatch
):
    store, fix = desk
    at = "2025-06-06T12:00:00+01:00"
    _set_seniors(store, [str(CAROL)], "2025-06-06T09:30:00+01:00", monkeypatch)
    add_review(store, fix, "approved", "", CAROL, "2025-06-06T10:00:00+01:00")
    _published(store, fix, at)
    _set_seniors(store, [], at, monkeypatch)  # Carol removed in the publication's second
    second = _fix(store, "Monday", "Sunday", "2025-06-06T12:30:00+01:00")
    add_review(store, second, "approved", "", BOB, "2025-06-06T12:40:00+01:00")
    later = "2025-06-06T13:00:00+01:00"
    _published(store, second, later)  # nobody senior named: a finding...
    _set_seniors(store, [str(BOB)], later, monkeypatch)  # ...which naming Bob after it keeps
    findings = porcelain.verify(Store.open(store.root)).findings
    assert [(f.kind, f.revision) for f in findings] == [("unapproved-notice", second)]
    since = porcelain.verify(Store.open(store.root), since=fix).findings
    assert [(f.kind, f.revision) for f in since] == [("unapproved-notice", second)]


def test_a_seniors_approval_followed_by_another_editors_still_lets_it_be_published(
    desk, monkeypatch
):
    store, fix = desk
    _set_seniors(store, [str(CAROL)], "2025-06-06T09:30:00+01:00", monkeypatch)
    add_review(store, fix, "approved", "", CAROL, "2025-06-06T10:00:00+01:00")
    add_review(store, fix, "approved", "", BOB, "2025-06-06T10:30:00+01:00")  # the latest
    store.refresh()
    done = porcelain.publish(store, "a.txt", author=str(BOB), date="2025-06-06T12:00:00+01:00")
    assert fix in done.revisions
    assert porcelain.verify(Store.open(store.root)).findings == []  # and verify agrees


def test_the_notice_sheet_says_when_publish_would_want_a_seniors_approval(desk, monkeypatch):
    store, fix = desk
    _set_seniors(store, [str(CAROL)], "2025-06-06T09:30:00+01:00", monkeypatch)
    add_review(store, fix, "approved", "", BOB, "2025-06-06T10:00:00+01:00")
    store.refresh()
    sheet = porcelain.notice_sheet(store, "a.txt", fix)
    assert sheet.revisions[-1].review.signed_off  # signed off, and yet:
    assert f"{fix[:12]} carries a correction" in sheet.senior_refusal
    assert "no senior editor approved it" in sheet.senior_refusal
    with pytest.raises(PublishRefusedError) as refused:
        porcelain.publish(store, "a.txt", author=str(BOB), date="2025-06-06T12:00:00+01:00")
    assert refused.value.one_line() == sheet.senior_refusal  # the screen says what publish will
    add_review(store, fix, "approved", "", CAROL, "2025-06-06T11:00:00+01:00")
    store.refresh()
    assert porcelain.notice_sheet(store, "a.txt", fix).senior_refusal == ""
