"""Provides ``verify``: what an auditor can check from the store alone.

Checks, each finding naming the revision, the change and what is wrong:

* object integrity (``git fsck --full``);
* each document's history is a linear first-parent chain (no merges);
* every recorded change is a change that really exists between the revision and its
  parent, and every real change is in the record (nothing changed silently);
* every later note is anchored to a change that exists;
* notes where the store requires them (otherwise the share of explained changes);
* dates that do not go backwards, and none in the future;
* the journal (``refs/tracker/journal``) against the branch and the notes refs: a
  journaled revision no longer on the branch, a revision the journal never saw, a notes
  ref that moved without the journal;
* replayed revisions (``replay_checks.py``): named by a sync event, original kept,
  faithful to it;
* the notes refs' own history (``notes_checks.py``): every document readable JSON,
  entries only ever appended, every merge a union of its parents;
* signatures of signed revisions and notes commits (``--require-signatures``: all).

A verify that could check nothing (no commit on the branch, a repository that was never
set up as a store, or a shallow clone whose history is cut) reports that as a finding: it
never passes on nothing, and never reports what is only missing as forged.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

from tracker.audit.approval_checks import check_approvals
from tracker.audit.notes_checks import check_notes
from tracker.audit.notice_checks import check_notices
from tracker.audit.policy_checks import check_policy
from tracker.audit.replay_checks import check_replays
from tracker.audit.settings_history import last_on_branch
from tracker.errors import NotTextError, TrackerError
from tracker.git import cmd as gitcmd
from tracker.git.journal import JOURNAL_REF, read_journal
from tracker.identity import is_future
from tracker.model import Finding, Revision, VerifyReport
from tracker.moves import accounts, rebuild_problem
from tracker.notes import NOTES_REF, READ_VERSIONS, parse_message, record_version
from tracker.store import CONFIG_PATH, Store, StoreConfig
from tracker.text.decode import decode_document

REVIEWS_REF = "refs/notes/tracker-reviews"


def verify(store: Store, require_signatures: bool = False) -> VerifyReport:
    report = VerifyReport()
    try:
        journal = read_journal(store) if store.head() is not None else []
        foreign = store.head() is not None and not _set_up(store, journal)
    except TrackerError:
        journal, foreign = [], False  # damaged: the full check below says how
    if foreign:
        # A repository the tracker did not write (a project's docs, a clone of someone's
        # prose): nothing recorded to check, so say that at once, rather than run fsck and
        # diff every revision only to call each merge a broken store history.
        report.add(
            "not-a-store",
            "this repository was never set up with 'tracker init': it has no "
            "records or journal of revisions to check"
            + (" (only notes or reviews)" if journal else "")
            + "; run 'tracker init' to start one",
        )
        return report
    # git fsck is the slowest single check and needs nothing from the others: it runs in
    # its own process while the records are compared with the texts.
    fsck = _start_fsck(store)
    try:
        if store.head() is None:
            _check_nothing_to_check(store, report)
        elif _shallow(store):
            # The oldest commit here looks like a first revision although it is not: its
            # recorded changes would read as forged, and the journal's older revisions as
            # rewritten. A check that cannot be made is said, not turned into accusations.
            report.add(
                "shallow",
                "this is a shallow clone: the history before its oldest commit is missing, "
                "so no revision can be checked against its parent; run "
                "'git fetch --unshallow' (and fetch refs/tracker/*) and verify again",
            )
        else:
            journal = journal or read_journal(store)
            branch_commits = _first_parent_chain(store)
            _check_config(store, journal, report)
            _check_linear(store, branch_commits, report)
            for document in store.documents():
                _check_document(store, document, report)
            for name in store.undecodable_names():
                # Not a document the tracker can read: say so, rather than skip it unsaid.
                report.add(
                    "name",
                    f"the file name {name} is not valid UTF-8, so its history was not "
                    "checked; rename it to a UTF-8 name (git mv) and record it",
                )
            _check_dates(store, branch_commits, report)
            _check_journal(store, journal, branch_commits, report)
            check_notes(store, report)
            _check_remotes(store, report)
            _check_signatures(store, branch_commits, journal, require_signatures, report)
            check_approvals(store, report)
            check_notices(store, report, journal)
    except TrackerError as error:
        # A damaged repository can stop git itself; that is a finding, not a crash.
        report.add("integrity", f"the store could not be read to the end: {error.one_line()}")
    finally:
        _finish_fsck(fsck, report)
    return report


def _set_up(store: Store, journal) -> bool:
    """The tracker made this a store: its settings are (or were) on the branch, or its
    journal records a setup or a revision (settings deleted since are a finding).
    Notes or reviews the tracker added to someone else's repository do not count."""
    if store.config.created_by_tracker:
        return True
    if any(e.get("event") in ("setup", "record") for e in journal):
        return True
    # Settings and journal both deleted: the settings' past on the branch still tells.
    once = store.git("rev-list", "--first-parent", "-n", "1", "HEAD", "--", CONFIG_PATH)
    return bool(once.strip())


def _shallow(store: Store) -> bool:
    proc = gitcmd.run(store.root, "rev-parse", "--is-shallow-repository", check=False)
    return proc.stdout.decode("ascii", "replace").strip() == "true"


def _check_nothing_to_check(store: Store, report: VerifyReport) -> None:
    """The branch has no commit here: an empty repository, or a clone whose branch was
    never checked out. Passing would claim a history was checked that was not read."""
    branch = gitcmd.run(store.root, "symbolic-ref", "-q", "HEAD", check=False)
    name = branch.stdout.decode("utf-8", "replace").strip() or "HEAD"
    journal = read_journal(store)
    recorded = {e["commit"] for e in journal if e.get("event") in ("setup", "record")}
    if not journal:
        report.add(
            "not-a-store",
            f"there is nothing to check: {name} has no commits and there is no tracker "
            "journal; run verify in a store, or 'tracker init' to start one",
        )
        return
    refs = sorted({str(e.get("ref")) for e in journal if e.get("event") == "record"})
    branches = [r.removeprefix("refs/heads/") for r in refs]
    what = f"'git checkout {branches[0]}'" if len(branches) == 1 else "a git checkout of it"
    report.add(
        "nothing-checked",
        f"{name} has no commits here, so no revision was checked, but the journal records "
        f"{len(recorded)} revision(s); check out the store's branch ({what}) and verify again",
    )


def _start_fsck(store: Store) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        gitcmd.git_argv(["fsck", "--full", "--strict", "--no-dangling", "--no-progress"]),
        cwd=store.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=gitcmd.hardened_env(store.root),
    )


def _finish_fsck(proc: subprocess.Popen[bytes], report: VerifyReport) -> None:
    output, _ = proc.communicate()
    problems = [
        line
        for line in output.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.startswith(("Checking", "notice:"))
    ]
    if proc.returncode != 0 or problems:
        # Integrity findings come first: everything else rests on the objects.
        found = [Finding("integrity", f"git fsck: {line.strip()}") for line in problems[:20]]
        report.findings[:0] = found or [Finding("integrity", "git fsck failed")]


def _check_config(store: Store, journal, report: VerifyReport) -> None:
    """The settings (require_notes, categories) are part of the record: if HEAD lost or
    loosened them, say so and audit by the settings the store was set up with (or last
    given with 'tracker config': a journaled change of settings is the record's own)."""
    changes = [e["commit"] for e in journal if e.get("event") in ("setup", "config")]
    setup = last_on_branch(store, changes)
    if setup is None:
        first = store.git("rev-list", "--first-parent", "--reverse", "HEAD", "--", CONFIG_PATH)
        setup = first.split()[0] if first.split() else None
    if setup is None:
        return
    raw = store.read_blob(setup, CONFIG_PATH)
    if raw is None:
        return
    try:
        original = StoreConfig.from_json(json.loads(raw))
    except ValueError:
        return
    current = store.config
    if not current.created_by_tracker:
        report.add("config", f"{CONFIG_PATH} was deleted after the store was set up", setup)
    elif current.require_notes < original.require_notes:
        report.add("config", "require_notes was switched off after the store was set up", setup)
    loosened = current.require_approval < original.require_approval
    if loosened and current.created_by_tracker:
        report.add("config", "require_approval was switched off without the journal", setup)
    if not current.created_by_tracker or current.require_notes < original.require_notes or loosened:
        store._config = original  # audit by the rules the store was set up with


def _first_parent_chain(store: Store) -> list[tuple[str, list[str], str, str]]:
    """(commit, parents, author date, committer date), oldest first."""
    out = store.git("log", "--first-parent", "--reverse", "--format=%H%x00%P%x00%aI%x00%cI", "HEAD")
    chain = []
    for line in out.splitlines():
        commit, parents, adate, cdate = line.split("\x00")
        chain.append((commit, parents.split(), adate, cdate))
    return chain


def _check_linear(store: Store, chain, report: VerifyReport) -> None:
    for commit, parents, _a, _c in chain:
        if len(parents) > 1:
            report.add("history", "a merge commit on the branch: the history is not linear", commit)


def _check_dates(store: Store, chain, report: VerifyReport, first_checked: bool = False) -> None:
    """Dates ahead of the clock, and commits dated before their parent. With
    ``first_checked`` (``verify --since``), the first commit was checked before: it only
    sets the lower bound for the next."""
    previous = None
    for number, (commit, _parents, adate, cdate) in enumerate(chain):
        when = datetime.fromisoformat(cdate)
        if first_checked and number == 0:
            previous = None if not store.documents(commit) else when
            continue
        # A revision dated ahead of the clock makes every honest revision after it look
        # backdated (recording refuses them), so it is a finding of its own.
        ahead = [d for d in dict.fromkeys((adate, cdate)) if is_future(datetime.fromisoformat(d))]
        if ahead:
            report.add(
                "future-date",
                f"dated {ahead[0]}, in the future: a wrong clock or a forged date; "
                "every later revision must be dated after it",
                commit,
            )
        if previous is not None and when < previous:
            report.add(
                "dates",
                f"committed {cdate}, before its parent ({previous.isoformat()}): "
                "the clock went backwards or history was rewritten",
                commit,
            )
        # A store's setup commit holds only its settings: revisions imported with their
        # original, earlier dates may follow it.
        setup_only = number == 0 and not store.documents(commit)
        previous = None if setup_only else when


def _check_document(store: Store, document: str, report: VerifyReport) -> None:
    previous: tuple[str, str] | None = None  # (commit, text): the next revision's old text
    # Oldest first, so that each revision's text is read once and serves as the next
    # revision's old text.
    for revision in reversed(list(store.log(document, with_changes=False))):
        previous = _check_revision(store, document, revision, previous, report)


def _check_revision(
    store: Store,
    document: str,
    revision: Revision,
    previous: tuple[str, str] | None,
    report: VerifyReport,
) -> tuple[str, str] | None:
    """Check one revision of a document: its record against its texts, its notes.

    ``previous`` is (commit, text) of the revision checked before it, whose text is this
    one's old text when that commit is its parent. Returns (commit, text) of this one."""
    config = store.config
    reader = store.reader  # the command's one cat-file --batch
    report.checked_revisions += 1
    try:
        new = decode_document(
            reader.read(f"{revision.rev}:{document}") or b"",
            f"{document} at {revision.rev[:12]}",
        )
    except NotTextError as error:  # a non-text revision is a finding, not a crash
        report.add("text", error.message, revision.rev)
        return None
    try:
        if previous is not None and previous[0] == revision.parent:
            old: str | None = previous[1]
        elif revision.parent:
            old_blob = reader.read(f"{revision.parent}:{document}") or b""
            old = decode_document(old_blob, document)
        else:
            old = ""
    except NotTextError:
        # The parent is not text (reported as such above): a recorded baseline
        # repairs it; any other revision's changes cannot be checked against it.
        old = None
    checked = (revision.rev, new)
    if revision.initial:
        return checked
    if old is None:
        if revision.recorded or config.created_by_tracker:
            report.add(
                "text" if revision.recorded else "unrecorded",
                f"changes {document} after a revision that is not text, "
                + ("but is not recorded as a new baseline" if revision.recorded
                   else "without the tracker's record (made with plain git?)"),
                revision.rev,
            )  # fmt: skip
        return checked
    if revision.recorded and _record_accounts(old, new, revision.changes):
        actual = None  # the record explains the text exactly; no diff needed
    else:
        from tracker.diff import diff_texts  # loads only when a text needs a diff

        actual = diff_texts(old, new)
    if not revision.recorded:
        report.changes += len(actual)
        newer = _unreadable_version(store, revision.rev, document)
        if newer is not None:
            report.add(
                "record",
                f"its record is version {newer}, which this tracker cannot read (it "
                f"reads versions {', '.join(map(str, READ_VERSIONS))}): upgrade the "
                "tracker to check this revision",
                revision.rev,
            )
        elif config.created_by_tracker:
            report.add(
                "unrecorded",
                f"changes {document} without the tracker's record "
                f"({len(actual)} change(s), no notes): made with plain git?",
                revision.rev,
            )
        return checked
    if actual is not None:
        if any(c.is_move or c.within is not None for c in revision.changes):
            # A record with moves carries its own rebuild rule: say which part of it
            # fails, besides the changes that do not match the text.
            report.add(
                "record",
                "its moves do not rebuild the text: "
                + (rebuild_problem(old, new, revision.changes) or "unknown"),
                revision.rev,
            )
        _compare_record(revision, actual, old, new, report)
    _check_later_notes(revision, report)
    check_policy(store, revision, report)
    for change in revision.changes:
        report.changes += 1
        if change.note is not None:
            report.explained += 1
        elif config.require_notes:
            report.add(
                "unexplained",
                "the store requires a note on every change; this one has none",
                revision.rev,
                change.index,
            )
    return checked


def _check_later_notes(revision: Revision, report: VerifyReport) -> None:
    """Every later note of a revision points at one of its changes."""
    for later in revision.later_notes:
        if not any(c.anchor == later.anchor for c in revision.changes):
            report.add(
                "orphan-note",
                f"a later note points at text that is not a change of this revision "
                f"({later.old} -> {later.new})",
                revision.rev,
                later.change,
            )


def _record_accounts(old: str, new: str, changes) -> bool:
    """True when the old text plus the recorded changes is exactly the new text.

    Linear (slice comparisons run in C), so verifying ten thousand revisions does not
    mean diffing them all; only a record that fails this is diffed to say what is wrong.
    The rule (docs/storage-format.md, "Rebuilding a text") takes the changes outside
    moves in old order, a move as a deletion at one place and an insertion at another,
    and checks that each move's inner edits turn its old text into its new text.
    """
    return accounts(old, new, changes)


def _unreadable_version(store: Store, rev: str, document: str) -> object | None:
    """The version of a record this tracker cannot read (a newer tracker wrote it), or
    None: such a revision reads as unrecorded, and should be said to be neither forged
    nor made with plain git."""
    try:
        message = store.reader.commit(rev)
    except TrackerError:
        return None
    if message is None:
        return None
    _s, _r, recorded_for, record = parse_message(message.message.decode("utf-8", "replace"))
    if record is None or recorded_for != document:
        return None
    version = record_version(record)
    return None if version in READ_VERSIONS and type(version) is int else version


def _compare_record(revision, actual, old: str, new: str, report: VerifyReport) -> None:
    recorded = {c.anchor: c for c in revision.changes}
    real = {c.anchor: c for c in actual}
    for anchor, change in recorded.items():
        if anchor not in real:
            report.add(
                "orphan-note",
                f"the record names a change {change.old.text[:40]!r} -> {change.new.text[:40]!r} "
                "that is not in the revision's text",
                revision.rev,
                change.index,
            )
        elif old[change.old.start : change.old.end] != change.old.text or (
            new[change.new.start : change.new.end] != change.new.text
        ):
            report.add("orphan-note", "recorded text differs from the revision's text",
                       revision.rev, change.index)  # fmt: skip
    for anchor, change in real.items():
        if anchor not in recorded:
            report.add(
                "silent-change",
                f"a change that the record does not list: {change.old.text[:40]!r} -> "
                f"{change.new.text[:40]!r}",
                revision.rev,
                change.index,
            )


def _check_journal(store: Store, journal, chain, report: VerifyReport) -> None:
    if not journal:
        if store.config.created_by_tracker:
            report.add("journal", f"{JOURNAL_REF} is missing: the tracker's journal was deleted")
        return
    on_branch = {commit for commit, *_ in chain}
    # A repository adopted by `tracker init` had history before the journal began: the
    # commits before the setup commit are its pre-tracker past, not unjournaled edits.
    order = [commit for commit, *_ in chain]
    first = next((e["commit"] for e in journal if e.get("event") in ("setup", "record")), None)
    if first in order:
        before_setup = set(order[: order.index(first)])
    elif first is None:
        before_setup = set(order)  # the tracker only ever wrote notes or reviews here
    else:
        before_setup = set()
    journaled = set(before_setup)
    # Revisions sync replayed onto another editor's tip: their originals left the branch
    # with the journal's consent, and the replays are journaled by their sync event.
    replays = check_replays(store, journal, report)
    journaled |= replays.commits
    later = _after_detached_head(store, journal)
    for event in journal:
        if event.get("event") in ("record", "setup", "config"):
            journaled.add(event["commit"])
            if event["commit"] in later:
                continue  # on the branch, after the commit checked out: not checked
            if event["commit"] not in on_branch and event["commit"] not in replays.originals:
                report.add(
                    "rewritten",
                    "a revision the tracker recorded is no longer on the branch "
                    "(history was rewritten: reset, rebase or amend)",
                    event["commit"],
                )
    if later:
        head = (store.head() or "")[:12]
        branches = sorted({r.removeprefix("refs/heads/") for r in later.values()})
        report.add(
            "detached",
            f"HEAD is detached at {head}, an older revision of {', '.join(branches)}: the "
            f"{len(later)} recorded revision(s) after it were not checked; check out the "
            f"branch ('git checkout {branches[0]}') and verify again",
        )
    for commit, *_ in chain:
        if commit not in journaled:
            report.add(
                "unjournaled",
                "a commit on the branch that the tracker's journal never saw "
                "(made or rewritten outside the tracker)",
                commit,
            )
    for ref, kind in ((NOTES_REF, "note"), (REVIEWS_REF, "review")):
        # The last event (in topological order) that wrote the ref: a note or review, or
        # a sync, which names what it left in each notes ref.
        expected = None
        for event in journal:
            if event.get("event") == kind:
                expected = event["commit"]
            elif (
                event.get("event") == "sync"
                and isinstance(event.get("refs"), dict)
                and ref in event["refs"]
            ):
                expected = event["refs"][ref]
        value = store.ref(ref)
        if value != expected:
            report.add(
                "notes-rewritten",
                f"{ref} is at {(value or 'nothing')[:12]}, but the journal last wrote "
                f"{(expected or 'nothing')[:12]}: notes were added, edited or deleted "
                "outside the tracker",
            )


def _check_remotes(store: Store, report: VerifyReport) -> None:
    """A sync refused because a remote went backwards leaves what it fetched beside what
    was seen there before (sync/transfer.py): named until the remote is put right."""
    from tracker.sync.transfer import rewound

    for remote, ref, seen, fetched in rewound(store):
        what = "deleted" if fetched is None else f"rewound to {fetched[:12]}"
        report.add(
            "remote-rewound",
            f"the remote {remote}'s {ref} was {what}, but it was at {seen[:12]} when this "
            "store last synced: history was rewritten there, and sync merges nothing from "
            "it until whoever rewrote it restores it",
        )


def _after_detached_head(store: Store, journal) -> dict[str, str]:
    """With HEAD detached at an older revision of a journaled branch (a reviewer looking
    at the past, a CI checkout): the journaled commits after HEAD on that branch, each
    with its branch. They are not checked, but they were not rewritten either."""
    if gitcmd.run(store.root, "symbolic-ref", "-q", "HEAD", check=False).returncode == 0:
        return {}
    later: dict[str, str] = {}
    # The journal names the branch it wrote; a branch renamed since is found among the
    # local branches.
    refs = {str(e.get("ref")) for e in journal if e.get("event") in ("record", "setup")}
    refs |= set(store.git("for-each-ref", "--format=%(refname)", "refs/heads/").split())
    for ref in sorted(refs):
        if store.ref(ref) is None:
            continue
        ancestor = gitcmd.run(
            store.root, "merge-base", "--is-ancestor", "HEAD", ref, check=False
        ).returncode
        if ancestor == 0:
            for commit in store.git("rev-list", ref, "^HEAD", "--").split():
                later[commit] = ref
    return later


def _check_signatures(store: Store, chain, journal, require: bool, report: VerifyReport) -> None:
    commits = [commit for commit, *_ in chain]
    commits += [e["commit"] for e in journal if e.get("event") in ("note", "review")]
    if not commits:
        return
    # On stdin, not the command line: a newsroom's 245,000 commit ids are too long an
    # argument list for the system ("Argument list too long").
    out = gitcmd.run(
        store.root, "log", "--no-walk=unsorted", "--format=%H %G?", "--stdin",
        input="".join(f"{commit}\n" for commit in commits).encode("ascii"), check=False,
    ).stdout.decode()  # fmt: skip
    for line in out.splitlines():
        commit, _, status = line.partition(" ")
        if status == "G":
            report.signed += 1
        elif status == "U":
            # A good signature by a key nobody vouched for (not in the allowed-signers
            # file, or of unknown validity to GPG): anyone can make such a key, so it
            # proves nothing (docs/auditing.md) and does not count as signed.
            if require:
                report.add(
                    "signature",
                    "a good signature by a key that is not trusted (not in "
                    "gpg.ssh.allowedSignersFile, or of unknown validity to GPG)",
                    commit,
                )
        elif status == "N":
            if require:
                report.add("unsigned", "not signed (--require-signatures)", commit)
        elif status in ("B", "X", "Y", "R", "E"):
            meaning = {
                "B": "a bad signature",
                "X": "a good signature that has expired",
                "Y": "a good signature by an expired key",
                "R": "a good signature by a revoked key",
                "E": "a signature that cannot be checked (missing key?)",
            }[status]
            if status in ("B", "R") or require:
                report.add("signature", f"{meaning}", commit)
