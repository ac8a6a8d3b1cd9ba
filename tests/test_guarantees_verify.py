"""tracker verify, adversarially: each finding kind from its own minimal tampering.

Every test starts from a copy of one small clean store (asserted clean first), makes one
change with plain git, as someone bypassing the tracker would, and asserts the kind it
must produce, the revision it names and the exit code. Kinds already pinned elsewhere
are listed in ``ELSEWHERE``; the last test keeps that list and docs/auditing.md in step.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from guarantee_helpers import (
    DOC,
    build_small_store,
    cli_ok,
    copy_store,
    found,
    kinds,
    plain_git,
    private_home,
    verify,
)

from tracker.diff import diff_texts
from tracker.notes import compose_message

from conftest import REPO_ROOT

FINDINGS = 3  # verify's exit code when it has findings (docs/cli.md, "Exit codes")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A clean store with notes required, no later notes and no reviews (built once)."""
    base = tmp_path_factory.mktemp("guarantees")
    env = private_home(base / "home")
    return build_small_store(base / "store", env), env


@pytest.fixture
def clean(pristine, tmp_path) -> tuple[Path, dict[str, str]]:
    """A private copy of the clean store, shown to have no finding before any tampering."""
    root, env = pristine
    copy = copy_store(root, tmp_path / "store")
    code, data = verify(copy, env=env)
    assert code == 0 and data["findings"] == [] and data["revisions"] == 2
    return copy, env


def head(root: Path, env: dict[str, str]) -> str:
    return plain_git(root, "rev-parse", "HEAD", env=env)


def test_a_merge_on_the_branch_is_a_history_finding(clean):
    root, env = clean
    plain_git(root, "checkout", "-q", "-b", "side", env=env)
    plain_git(root, "commit", "-q", "--allow-empty", "-m", "side work", env=env)
    plain_git(root, "checkout", "-q", "main", env=env)
    plain_git(root, "merge", "-q", "--no-ff", "-m", "Merge side", "side", env=env)
    merge = head(root, env)
    code, data = verify(root, env=env)
    assert code == FINDINGS
    assert [f["revision"] for f in found(data, "history")] == [merge]
    # The merge was made outside the tracker too; nothing else is wrong with the store.
    assert kinds(data) == {"history", "unjournaled"}


def test_a_backdated_commit_is_a_dates_finding(clean):
    root, env = clean
    # Dated a year before its parent (2020-01-02): the clock went backwards.
    when = "2019-01-02T10:00:00+00:00"
    plain_git(root, "commit", "-q", "--allow-empty", "-m", "Backdated",
              env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})  # fmt: skip
    code, data = verify(root, env=env)
    assert code == FINDINGS
    assert [f["revision"] for f in found(data, "dates")] == [head(root, env)]
    assert kinds(data) == {"dates", "unjournaled"}


def test_a_commit_dated_after_its_parent_is_not_a_dates_finding(clean):
    """The other side of the dates check: an honest order raises nothing about dates."""
    root, env = clean
    when = "2020-01-03T10:00:00+00:00"
    plain_git(root, "commit", "-q", "--allow-empty", "-m", "Later",
              env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})  # fmt: skip
    _code, data = verify(root, env=env)
    assert kinds(data) == {"unjournaled"}


def test_a_change_without_a_note_in_a_strict_store_is_unexplained(clean):
    root, env = clean
    old = (root / DOC).read_text(encoding="utf-8")
    new = old.replace("beta", "BETA")
    # A record that accounts for the text exactly, but whose change carries no note:
    # what the tracker itself refuses to write in a store that requires notes.
    changes = diff_texts(old, new)
    assert len(changes) == 1 and changes[0].note is None
    (root / DOC).write_bytes(new.encode("utf-8"))
    message = compose_message("Lower case fix", "", DOC, changes)
    plain_git(root, "commit", "-q", "-a", "-F", "-", env=env, input=message.encode())
    code, data = verify(root, env=env)
    assert code == FINDINGS
    unexplained = found(data, "unexplained")
    assert [(f["revision"], f["change"]) for f in unexplained] == [(head(root, env), 1)]
    assert kinds(data) == {"unexplained", "unjournaled"}
    assert data["changes"] == 6 and data["explained"] == 5


def test_switching_require_notes_off_is_a_config_finding_and_changes_no_rule(clean):
    root, env = clean
    settings = root / ".tracker" / "config.json"
    config = json.loads(settings.read_text(encoding="utf-8"))
    assert config["require_notes"] is True
    config["require_notes"] = False
    settings.write_text(json.dumps(config), encoding="utf-8")
    plain_git(root, "commit", "-q", "-am", "Relax the rules", env=env)
    code, data = verify(root, env=env)
    assert code == FINDINGS
    assert kinds(data) == {"config", "unjournaled"}
    assert "require_notes" in found(data, "config")[0]["message"]
    # The audit keeps the rules the store was set up with: a change without a note after
    # the switch is still unexplained.
    old = (root / DOC).read_text(encoding="utf-8")
    new = old.replace("beta", "BETA")
    (root / DOC).write_bytes(new.encode("utf-8"))
    message = compose_message("Quiet fix", "", DOC, diff_texts(old, new))
    plain_git(root, "commit", "-q", "-a", "-F", "-", env=env, input=message.encode())
    _code, data = verify(root, env=env)
    assert [f["revision"] for f in found(data, "unexplained")] == [head(root, env)]


def test_a_binary_revision_is_a_text_finding(clean):
    root, env = clean
    (root / DOC).write_bytes(b"ALPHA beta\x00GAMMA\n")
    plain_git(root, "commit", "-q", "-am", "binary", env=env)
    code, data = verify(root, env=env)
    assert code == FINDINGS
    text = found(data, "text")
    assert [f["revision"] for f in text] == [head(root, env)]
    assert "binary" in text[0]["message"] or "NUL" in text[0]["message"]
    assert kinds(data) == {"text", "unjournaled"}


def test_an_undecodable_revision_is_a_text_finding(clean):
    root, env = clean
    (root / DOC).write_bytes("Caf\u00e9 ALPHA.\n".encode("latin-1"))
    plain_git(root, "commit", "-q", "-am", "latin-1", env=env)
    _code, data = verify(root, env=env)
    assert [f["revision"] for f in found(data, "text")] == [head(root, env)]


@pytest.mark.parametrize("ref", ["tracker", "tracker-reviews"])
def test_a_note_forged_in_a_store_with_no_notes_is_caught(clean, ref):
    """The journal has no note (or review) event at all: the check of the notes refs
    must still run, and a ref that exists where the journal wrote nothing is forged."""
    root, env = clean
    assert plain_git(root, "for-each-ref", "refs/notes/", env=env) == ""
    entry = '{"v": 1, "entries": []}' if ref == "tracker" else '{"v": 1, "reviews": []}'
    plain_git(root, "notes", f"--ref={ref}", "add", "-m", entry, "HEAD", env=env)
    code, data = verify(root, env=env)
    assert code == FINDINGS
    assert kinds(data) == {"notes-rewritten"}
    assert f"refs/notes/{ref}" in found(data, "notes-rewritten")[0]["message"]


def _later_entry(change: int, anchor: tuple[int, int, int, int], text: str) -> str:
    old_start, old_end, new_start, new_end = anchor
    entry = {
        "change": change, "old": [old_start, old_end], "new": [new_start, new_end],
        "old_text": "", "new_text": "", "text": text, "category": "other", "source": "",
        "author": "Mallory <m@example.org>", "date": "2020-01-03T10:00:00+00:00",
    }  # fmt: skip
    return json.dumps({"v": 1, "entries": [entry]})


def test_a_later_note_anchored_on_no_change_is_an_orphan_note(clean):
    root, env = clean
    # Change 2 exists; the anchor (offsets 1-2 / 1-2) is no change of the revision.
    blob = _later_entry(2, (1, 2, 1, 2), "forged")
    plain_git(root, "notes", "--ref=tracker", "add", "-m", blob, "HEAD", env=env)
    code, data = verify(root, env=env)
    assert code == FINDINGS
    orphans = found(data, "orphan-note")
    assert [(f["revision"], f["change"]) for f in orphans] == [(head(root, env), 2)]
    assert kinds(data) == {"orphan-note", "notes-rewritten"}


def test_a_record_naming_a_change_not_in_the_text_is_an_orphan_note(clean):
    root, env = clean
    old = (root / DOC).read_text(encoding="utf-8")
    new = old.replace("beta", "BETA")
    real = diff_texts(old, new)[0]
    # The record claims "delta" -> "DELTA" (which did not happen) in place of the real one.
    fake = diff_texts(old, old.replace("delta", "DELTA"))
    (root / DOC).write_bytes(new.encode("utf-8"))
    message = compose_message("Fix", "", DOC, fake)
    plain_git(root, "commit", "-q", "-a", "-F", "-", env=env, input=message.encode())
    _code, data = verify(root, env=env)
    assert [f["change"] for f in found(data, "orphan-note")] == [1]
    silent = found(data, "silent-change")
    assert len(silent) == 1 and real.new.text in silent[0]["message"]


# -- signatures -------------------------------------------------------------------------

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"
)


def _keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(path)],
                   check=True)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def signed_pristine(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """A store whose every commit is SSH-signed with a key the (test's own) global
    config trusts; returns (store, env, folder of keys)."""
    base = tmp_path_factory.mktemp("signed")
    keys = base / "keys"
    keys.mkdir()
    trusted = _keygen(keys / "trusted")
    _keygen(keys / "stranger")
    allowed = keys / "allowed"
    allowed.write_text(f"ann@example.org {(keys / 'trusted.pub').read_text()}")
    env = private_home(
        base / "home",
        '[gpg]\n\tformat = ssh\n[gpg "ssh"]\n'
        f"\tallowedSignersFile = {allowed}\n"
        f"[user]\n\tsigningKey = {trusted}\n[commit]\n\tgpgSign = true\n",
    )
    root = build_small_store(base / "store", env)
    cli_ok(root, "note", "HEAD", "2", "A better reason.", "--date", "2020-01-03T10:00:00+00:00",
           env=env)  # fmt: skip
    return root, env, keys


@pytest.fixture
def signed(signed_pristine, tmp_path) -> tuple[Path, dict[str, str], Path]:
    root, env, keys = signed_pristine
    copy = copy_store(root, tmp_path / "store")
    code, data = verify(copy, "--require-signatures", env=env)
    assert code == 0 and data["findings"] == []
    assert data["signed"] >= 4  # setup, add, record, the notes commit (and the journal's)
    return copy, env, keys


@needs_ssh_keygen
def test_ssh_signed_revisions_and_notes_verify(signed):
    """Every commit the tracker wrote is signed by the trusted key and checked: the three
    on the branch (setup, baseline, revision) and the later note's commit.

    (Replaces test_audit.py's version, which named the allowed signers in the
    repository's config: the tracker never reads that, so its signatures were only "U",
    good by an unknown key, which --require-signatures wrongly counted as signed.)"""
    root, env, _keys = signed
    code, data = verify(root, "--require-signatures", env=env)
    assert code == 0 and data["signed"] == 4
    log = plain_git(root, "log", "--format=%G?", "main", "refs/notes/tracker", env=env)
    assert set(log.split()) == {"G"}


@needs_ssh_keygen
def test_a_signed_commit_whose_content_was_changed_is_a_bad_signature(signed):
    root, env, _keys = signed
    plain_git(root, "commit", "-q", "--allow-empty", "-S", "-m", "Signed by Ann", env=env)
    original = plain_git(root, "rev-parse", "HEAD", env=env)
    raw = subprocess.run(["git", "cat-file", "commit", original], cwd=root, check=True,
                         capture_output=True).stdout  # fmt: skip
    assert b"gpgsig" in raw
    forged = raw.replace(b"Signed by Ann", b"Signed by Bob")
    new = plain_git(root, "hash-object", "-t", "commit", "-w", "--stdin", env=env, input=forged)
    plain_git(root, "update-ref", "refs/heads/main", new, original, env=env)
    # Without --require-signatures too: a bad signature is always a finding.
    code, data = verify(root, env=env)
    assert code == FINDINGS
    assert [f["revision"] for f in found(data, "signature")] == [new]
    assert kinds(data) == {"signature", "unjournaled"}


@needs_ssh_keygen
def test_a_signature_by_a_revoked_key_is_a_signature_finding(signed, tmp_path):
    root, env, keys = signed
    revoked = tmp_path / "revoked"
    revoked.write_text((keys / "trusted.pub").read_text())
    # The key is revoked in this test's own copy of the global config (the module's
    # config is shared by the other tests and stays as it was).
    # (HOME, not only GIT_CONFIG_GLOBAL: the tracker drops every GIT_* variable.)
    extra = Path(env["GIT_CONFIG_GLOBAL"]).read_text().split("\n", 3)[3]
    env = private_home(tmp_path / "home", extra + f'[gpg "ssh"]\n\trevocationFile = {revoked}\n')
    code, data = verify(root, env=env)
    assert code == FINDINGS and kinds(data) == {"signature"}
    # Every commit the tracker signed with that key, the revisions included.
    assert head(root, env) in {f["revision"] for f in found(data, "signature")}


@needs_ssh_keygen
def test_a_signature_by_an_unknown_key_does_not_count_as_signed(signed):
    """git's %G? is "U" for a good signature by a key the allowed-signers file does not
    list: anyone can make such a key. docs/auditing.md: a signature "proves nothing
    about a key you have not verified", so --require-signatures must fail on it."""
    root, env, keys = signed
    plain_git(root, "-c", f"user.signingKey={keys / 'stranger'}", "commit", "-q",
              "--allow-empty", "-S", "-m", "Signed by a stranger", env=env)  # fmt: skip
    stranger = head(root, env)
    assert plain_git(root, "log", "-1", "--format=%G?", env=env) == "U"
    code, data = verify(root, "--require-signatures", env=env)
    assert code == FINDINGS
    assert [f["revision"] for f in found(data, "signature")] == [stranger]
    assert kinds(data) == {"signature", "unjournaled"}
    # Without the requirement an untrusted signature is no accusation, only not counted.
    _code, relaxed = verify(root, env=env)
    assert kinds(relaxed) == {"unjournaled"}


@needs_ssh_keygen
def test_an_unsigned_commit_fails_only_with_require_signatures(signed):
    root, env, _keys = signed
    plain_git(root, "-c", "commit.gpgSign=false", "commit", "-q", "--allow-empty", "-m",
              "unsigned", env=env)  # fmt: skip
    _code, relaxed = verify(root, env=env)
    assert kinds(relaxed) == {"unjournaled"}
    code, data = verify(root, "--require-signatures", env=env)
    assert code == FINDINGS
    assert [f["revision"] for f in found(data, "unsigned")] == [head(root, env)]


# -- the table of kinds ---------------------------------------------------------------

# Kinds whose adversarial test lives in another file, each seen to fail when its
# detection code is removed (the table in docs/testing.md says which edit).
ELSEWHERE = {
    "integrity": "test_audit.py::test_a_corrupt_object_is_caught",
    "silent-change": "test_audit.py::test_a_forged_record_is_caught",
    "unrecorded": "test_audit.py::test_a_commit_made_with_plain_git_is_caught",
    "future-date": "test_safety_core.py::test_verify_reports_a_revision_dated_in_the_future",
    "rewritten": "test_audit.py::test_reset_hard_dropping_a_revision_is_caught",
    "unjournaled": "test_audit.py::test_a_commit_made_with_plain_git_is_caught",
    "journal": "test_audit.py::test_deleting_the_journal_is_caught",
    "config": "test_audit.py::test_deleting_the_settings_does_not_switch_the_audit_off",
    "not-a-store": "test_audit.py::test_a_repository_never_set_up_says_so",
    "nothing-checked": "test_safety_core.py::"
    "test_verify_on_a_clone_with_no_local_branch_says_nothing_was_checked",
    "detached": "test_review_b.py::test_verify_on_a_detached_older_revision_says_so_not_rewritten",
    "shallow": "test_review_b.py::test_verify_on_a_shallow_clone_says_it_cannot_check",
    "name": "test_review_b.py::test_a_file_name_that_is_not_utf8_is_reported_not_called_missing",
    "record": "test_moves.py::test_a_forged_move_and_a_newer_record_are_record_findings",
    "self-approved": "test_signoff.py::test_verify_names_a_hand_written_self_approval",
    "approval-author": "test_signoff.py::"
    "test_verify_names_an_approval_written_in_another_editors_name",
    "replay": "test_replay.py::test_verify_names_a_replay_no_sync_event_vouches_for",
    "remote-rewound": "test_sync_adversarial.py::"
    "test_a_rewound_or_deleted_remote_ref_is_refused_and_named",
    "notes-unreadable": "test_notes_merge.py::test_verify_names_an_unreadable_review_document",
    "notes-edited": "test_notes_merge.py::test_verify_names_a_hand_edited_entry",
    "notes-merge": "test_notes_merge.py::test_verify_names_a_merge_that_lost_or_invented_an_entry",
    "unapproved-notice": "test_notices.py::test_verify_names_an_unapproved_and_a_late_notice",
    "late-notice": "test_notices.py::test_verify_names_an_unapproved_and_a_late_notice",
    "policy": "test_policy.py::test_verify_names_a_note_that_breaks_the_policy",
}
HERE = {
    "history", "dates", "unexplained", "text", "notes-rewritten", "orphan-note",
    "signature", "unsigned", "config",
}  # fmt: skip


def test_every_documented_kind_has_its_adversarial_test():
    """docs/auditing.md's table, the kinds audit.py can emit, and the kinds tested agree:
    a new kind without a test, or a documented kind verify no longer emits, fails here."""
    table = (REPO_ROOT / "docs" / "auditing.md").read_text(encoding="utf-8")
    documented = set()
    for row in re.findall(r"^\| (`[^|]+`) \|", table, re.M):
        documented |= set(re.findall(r"`([a-z-]+)`", row))
    # Every module of the audit emits findings (verify.py calls the others).
    audit = REPO_ROOT / "tracker" / "audit"
    source = "".join(path.read_text(encoding="utf-8") for path in sorted(audit.glob("*.py")))
    emitted = set(re.findall(r'(?:report\.add\(|Finding\()\s*"([a-z-]+)"', source))
    emitted |= set(re.findall(r'^\s*"([a-z-]+)" if revision\.recorded', source, re.M))
    emitted |= set(re.findall(r'"([a-z-]+)" if revision\.recorded else "([a-z-]+)"', source)[0])
    assert documented == emitted
    assert documented == HERE | set(ELSEWHERE)
    for where in ELSEWHERE.values():
        module, _, name = where.partition("::")
        source = (REPO_ROOT / "tests" / module).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"{where} was renamed or removed"
