"""Second-editor sign-off (issue 10, part 4): the require_approval setting, the config
command, refusing an author's own approval, log --unreviewed, verify's approval checks
and signed approvals.

Most cases drive the front door in-process (fast); the CLI is run where its words and
exit codes are the point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker import porcelain
from tracker.errors import ReviewRefusedError, SigningError
from tracker.git.cmd import forget_config
from tracker.git.journal import read_journal
from tracker.identity import same_editor
from tracker.model import APPROVED, FLAGGED
from tracker.present import plain, review_badge, review_detail, review_label
from tracker.recording import init_store
from tracker.store import CONFIG_PATH, Store, StoreConfig

from conftest import ANN, BOB, DATE, git, run_cli, run_cli_ok, snapshot

LATER = "2025-06-05T11:00:00+01:00"
REVIEWED = "2025-06-05T12:00:00+01:00"
REVIEWS = "refs/notes/tracker-reviews"


def two_revisions(store: Store) -> tuple[str, str]:
    """A baseline by Ann and a correction by Ann: (baseline, correction)."""
    (store.root / "a.txt").write_text("The rate rose 5 percent.\n", encoding="utf-8")
    base = porcelain.add_document(store, str(store.root / "a.txt"), None, str(ANN), DATE)
    (store.root / "a.txt").write_text("The rate rose 7 percent.\n", encoding="utf-8")
    fix = porcelain.record_revision(
        store, "a.txt", "Correct the rate", "", None, str(ANN), LATER
    ).rev
    return base, fix


@pytest.fixture
def signoff(tmp_path, monkeypatch) -> tuple[Store, str, str]:
    """A store under sign-off with Ann's baseline and correction."""
    store = init_store(tmp_path / "store", ANN, DATE, require_approval=True)
    monkeypatch.chdir(store.root)
    return store, *two_revisions(store)


def kinds(store: Store) -> list[str]:
    return [f.kind for f in porcelain.verify(store).findings]


# -- the setting --------------------------------------------------------------------------


def test_init_flag_writes_the_setting_and_only_when_asked(tmp_path):
    run_cli_ok("init", str(tmp_path / "strict"), "--require-approval", "--author", str(ANN))
    run_cli_ok("init", str(tmp_path / "plain"), "--author", str(ANN))
    strict = json.loads((tmp_path / "strict" / CONFIG_PATH).read_bytes())
    plain_bytes = (tmp_path / "plain" / CONFIG_PATH).read_bytes()
    assert strict["require_approval"] is True
    # Off is no key at all: stores made before the setting keep their bytes (and ids).
    assert plain_bytes == (json.dumps(StoreConfig().to_json(), indent=2) + "\n").encode()
    assert "require_approval" not in plain_bytes.decode()
    listed = run_cli_ok("-C", str(tmp_path / "strict"), "config").out.splitlines()
    assert listed[:2] == ["require-approval  on", "require-notes     off"]
    listed_json = json.loads(run_cli_ok("-C", str(tmp_path / "plain"), "config", "--json").out)
    assert listed_json["require-approval"] is False


def test_config_command_is_a_journaled_commit_and_verify_accepts_it(store, tmp_path):
    root = str(store.root)
    before = (store.root / CONFIG_PATH).read_bytes()
    on = run_cli_ok("-C", root, "config", "require-approval", "on", "--author", str(BOB))
    assert on.out.startswith("require-approval is now on (settings commit ")
    head = git(store.root, "rev-parse", "HEAD").strip()
    store.refresh()
    assert store.config.require_approval
    event = read_journal(store)[-1]
    assert (event["event"], event["commit"], event["setting"], event["value"]) == (
        "config", head, "require_approval", True,
    )  # fmt: skip
    assert git(store.root, "log", "-1", "--format=%an %s").strip() == (
        "Bob Checker Turn require-approval on"
    )
    again = run_cli_ok("-C", root, "config", "require-approval", "on")
    assert "already on; nothing was written" in again.out
    assert git(store.root, "rev-parse", "HEAD").strip() == head
    run_cli_ok("-C", root, "config", "require-approval", "off")
    run_cli_ok("-C", root, "config", "require-notes", "on")
    store.refresh()
    assert not store.config.require_approval and store.config.require_notes
    run_cli_ok("-C", root, "config", "require-notes", "off")
    # Back to the bytes init wrote, and every change was the journal's: verify passes.
    assert (store.root / CONFIG_PATH).read_bytes() == before
    assert git(store.root, "status", "--porcelain").strip() == ""
    assert kinds(store) == []


def test_a_settings_change_made_with_plain_git_is_still_a_finding(signoff):
    store, _base, _fix = signoff
    path = store.root / CONFIG_PATH
    data = json.loads(path.read_bytes())
    del data["require_approval"]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    git(store.root, "commit", "-q", "-am", "relax")
    store.refresh()
    report = porcelain.verify(store)
    assert sorted(f.kind for f in report.findings) == ["config", "unjournaled"]
    assert "require_approval" in next(f.message for f in report.findings if f.kind == "config")


# -- who may approve ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Ann Editor <ann@example.org>", "A. Editor <ANN@Example.org>", True),  # by email
        ("Ann Editor <ann@example.org>", "Ann Editor <ann@home.example>", False),
        ("Ann Editor <>", "ann  editor <ann@example.org>", True),  # no email: by name
        ("Ann Editor <>", "Bob Checker <>", False),
        ("Ann Editor", "Ann Editor <ann@example.org>", True),  # not in Name <email> form
    ],
)
def test_editors_are_compared_by_email_or_else_by_name(one, other, same):
    assert same_editor(one, other) is same


def test_the_author_cannot_approve_but_may_flag_and_another_editor_approves(signoff):
    store, _base, fix = signoff
    before = snapshot(store.root)
    alias = "A. Editor <ANN@EXAMPLE.ORG>"  # the same email, spelt otherwise
    with pytest.raises(ReviewRefusedError) as refused:
        porcelain.review(store, fix, APPROVED, "", alias, REVIEWED)
    assert refused.value.message == "you wrote this revision; another editor must approve it"
    assert snapshot(store.root) == before  # nothing written, not even the journal
    porcelain.review(store, fix, FLAGGED, "the source says 7", str(ANN), REVIEWED)
    porcelain.review(store, fix, APPROVED, "checked", str(BOB), REVIEWED)
    store.refresh()
    review = porcelain.show(store, fix).review
    assert review is not None and review.signed_off and review.history == 1
    assert plain(review_label(review)) == "approved by Bob Checker <bob@example.org>: checked"
    assert kinds(store) == []


def test_cli_refuses_a_self_approval_in_one_line(signoff):
    store, _base, fix = signoff
    result = run_cli("-C", str(store.root), "review", fix, "--approve", "--author", str(ANN))
    assert result.code == 1 and result.out == ""
    assert result.err == (
        "tracker: error: you wrote this revision; another editor must approve it; this store "
        "requires a second editor's approval (see 'tracker config'); nothing was written\n"
    )


def test_log_unreviewed_lists_what_no_second_editor_approved(signoff):
    store, base, fix = signoff
    porcelain.review(store, base, APPROVED, "", str(BOB), REVIEWED)
    porcelain.review(store, fix, FLAGGED, "check the rate", str(BOB), REVIEWED)
    store.refresh()
    assert [r.rev for r in porcelain.log(store, "a.txt", unreviewed=True)] == [fix]
    out = run_cli_ok("-C", str(store.root), "log", "--unreviewed").out
    assert fix[:10] in out and base[:10] not in out
    porcelain.review(store, fix, APPROVED, "", str(BOB), REVIEWED)
    store.refresh()
    assert porcelain.log(store, "a.txt", unreviewed=True) == []


def test_without_the_setting_self_approval_works_but_is_called_one(store, monkeypatch):
    monkeypatch.chdir(store.root)
    _base, fix = two_revisions(store)
    porcelain.review(store, fix, APPROVED, "", str(ANN), REVIEWED)
    store.refresh()
    review = porcelain.show(store, fix).review
    assert review is not None and review.self_approved
    assert plain(review_label(review)) == "self-approved by Ann Editor <ann@example.org>"
    assert plain(review_badge(review)) == "✓ self-approved 2025-06-05 "
    assert plain(review_detail(review)).startswith("✓ self-approved by Ann Editor")
    shown = run_cli_ok("-C", str(store.root), "show", fix).out
    assert "review   ✓ self-approved by Ann Editor <ann@example.org> on " + REVIEWED in shown
    assert "self-approved by Ann Editor" in porcelain.export(store, "a.txt", fmt="md")
    import json

    shown_json = json.loads(run_cli_ok("-C", str(store.root), "show", fix, "--json").out)
    assert shown_json["review"]["self_approved"] is True
    listed = json.loads(run_cli_ok("-C", str(store.root), "log", "a.txt", "--json").out)
    assert [r["review"] and r["review"].get("self_approved") for r in listed["revisions"]] == [
        True, None,
    ]  # fmt: skip
    # Counted as reviewed, as before the setting existed; verify has nothing to say.
    assert porcelain.log(store, "a.txt", unreviewed=True)[0].rev != fix
    assert kinds(store) == []
    # Once the desk turns sign-off on, the same approval no longer counts.
    porcelain.set_setting(store, "require-approval", True, str(BOB))
    store.refresh()
    assert fix in [r.rev for r in porcelain.log(store, "a.txt", unreviewed=True)]
    assert kinds(store) == ["self-approved"]


# -- verify -------------------------------------------------------------------------------


def _hand_written_approval(store: Store, rev: str, entry_author: str, committer: str) -> None:
    """An approval put in the reviews ref with plain git, as a forger would."""
    name, email = committer.removesuffix(">").split(" <")
    entry = {"status": APPROVED, "comment": "", "author": entry_author, "date": REVIEWED}
    document = json.dumps({"v": 1, "entries": [entry]}).encode()
    git(store.root, "-c", f"user.name={name}", "-c", f"user.email={email}", "notes",
        f"--ref={REVIEWS}", "add", "-f", "-F", "-", rev, input=document)  # fmt: skip
    store.refresh()


def test_verify_names_a_hand_written_self_approval(signoff):
    store, _base, fix = signoff
    _hand_written_approval(store, fix, str(ANN), str(ANN))
    report = porcelain.verify(store)
    assert sorted(f.kind for f in report.findings) == ["notes-rewritten", "self-approved"]
    found = next(f for f in report.findings if f.kind == "self-approved")
    assert found.revision == fix and "approved only by its author" in found.message


def test_verify_names_an_approval_written_in_another_editors_name(signoff):
    store, _base, fix = signoff
    # Ann writes "Bob approved" herself: the entry names Bob, the commit is Ann's.
    _hand_written_approval(store, fix, str(BOB), str(ANN))
    report = porcelain.verify(store)
    assert sorted(f.kind for f in report.findings) == ["approval-author", "notes-rewritten"]
    found = next(f for f in report.findings if f.kind == "approval-author")
    assert found.revision == fix and "written by Ann Editor" in found.message


def test_verify_since_accepts_journaled_settings_and_checks_what_is_new(signoff):
    """verify --since reads only the journal after a verified point: a settings change made
    with 'tracker config' there is the record's own, not an unjournaled commit."""
    store, _base, fix = signoff
    porcelain.set_setting(store, "require-notes", True, str(BOB))
    porcelain.set_setting(store, "require-notes", False, str(BOB))
    porcelain.review(store, fix, APPROVED, "", str(BOB), REVIEWED)
    store.refresh()
    assert porcelain.verify(store, since=fix).findings == []
    # Ann's own approval written over Bob's by hand: the revision reviewed since the point
    # is now approved only by its author.
    _hand_written_approval(store, fix, str(ANN), str(ANN))
    found = sorted(f.kind for f in porcelain.verify(store, since=fix).findings)
    assert found == ["notes-rewritten", "self-approved"]


# -- signed approvals ---------------------------------------------------------------------

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"
)


def _sign_with(store: Store, key: Path | str, allowed: Path) -> None:
    """The user's global git config (the tracker's signing settings come only from it),
    as Bob, who signs with ``key``."""
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text(
        "[user]\n\tname = Bob Checker\n\temail = bob@example.org\n"
        f"\tsigningKey = {key}\n[gpg]\n\tformat = ssh\n"
        f'[gpg "ssh"]\n\tallowedSignersFile = {allowed}\n[commit]\n\tgpgSign = true\n'
    )
    forget_config(store.root)  # the tracker reads git's config once per process


@needs_ssh_keygen
def test_a_signed_approval_verifies_and_one_that_cannot_be_signed_is_refused(
    signoff, tmp_path, monkeypatch
):
    store, _base, fix = signoff
    key = tmp_path / "bob"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(key)],
                   check=True)  # fmt: skip
    allowed = tmp_path / "allowed"
    allowed.write_text(f"bob@example.org {(tmp_path / 'bob.pub').read_text()}")
    _sign_with(store, tmp_path / "missing-key", allowed)
    before = snapshot(store.root)
    with pytest.raises(SigningError) as refused:
        porcelain.review(store, fix, APPROVED, "", None, REVIEWED)
    assert refused.value.message.startswith("the approval could not be signed")
    assert snapshot(store.root) == before
    _sign_with(store, key, allowed)
    commit = porcelain.review(store, fix, APPROVED, "", None, REVIEWED)
    assert git(store.root, "log", "-1", "--format=%G? %an", commit).strip() == "G Bob Checker"
    store.refresh()
    report = porcelain.verify(store)
    assert report.findings == [] and report.signed >= 1


# -- the app ------------------------------------------------------------------------------


def test_the_app_shows_who_approved_and_when_and_refuses_the_authors_approval(
    tmp_path, monkeypatch
):
    """The app approves as the user (Ann, from git config): Bob's correction is approved,
    and its header and history row say by whom and when; Ann's own baseline is refused
    with the one-line reason, and stays unreviewed."""
    from textual.widgets import Static
    from tui_helpers import run_app, settle

    from tracker.tui.widgets.history_list import HistoryList

    store = init_store(tmp_path / "store", ANN, DATE, require_approval=True)
    monkeypatch.chdir(store.root)
    (store.root / "a.txt").write_text("The rate rose 5 percent.\n", encoding="utf-8")
    porcelain.add_document(store, "a.txt", None, str(ANN), DATE)
    (store.root / "a.txt").write_text("The rate rose 7 percent.\n", encoding="utf-8")
    porcelain.record_revision(store, "a.txt", "Correct the rate", "", None, str(BOB), LATER)

    async def scenario(pilot, screen):
        history = screen.query_one(HistoryList)
        await pilot.press("v")  # Bob's correction, the newest
        await settle(pilot, lambda: getattr(screen.shown[0].review, "signed_off", False))
        today = screen.shown[0].review.date[:10]
        row = str(history.get_option_at_index(0).prompt)
        assert f"✓ approved by Ann Editor {today} Correct the rate" in row
        title = str(screen.query_one("#diff-title", Static).render())
        assert "✓ approved by Ann Editor <ann@example.org> on " + today in title
        await pilot.press("j", "v")  # Ann's own baseline
        await settle(
            pilot,
            lambda: any(
                "you wrote this revision; another editor must approve it" in str(n.message)
                for n in pilot.app._notifications  # Textual has no public reader
            ),
        )
        assert screen.shown[1].review is None

    run_app(store.root, scenario)
    assert git(store.root, "notes", f"--ref={REVIEWS}", "list").count("\n") == 1
