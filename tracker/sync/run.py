"""Provides ``sync``: fetch, check, merge, push, and again when someone pushed meanwhile.

One sync, under the store lock:

1. fetch the remote's branch, notes, reviews, journal and originals into its incoming
   refs (sync/transfer.py), refuse a remote that went backwards, move the tracking refs;
2. join each shared ref with the fetched one: the branch by fast-forward or by replaying
   the local revisions onto the remote's tip (sync/replay.py), the notes and reviews by a
   JSON-aware union (sync/notes_merge.py), the journal by a merge commit that carries
   the sync's event (sync/journal_merge.py); objects only, nothing moves yet;
3. move every local ref in ONE ``update-ref`` transaction, each compare-and-swap on the
   value read, and bring the work tree and index along (unrecorded edits that the sync
   would overwrite refuse it first);
4. ONE ``git push --atomic`` (never forced); a push rejected because the remote moved
   meanwhile starts again at 1, up to ``ATTEMPTS`` times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.errors import SyncRefusedError, TrackerError
from tracker.git import cmd as gitcmd
from tracker.git.journal import JOURNAL_REF, ZERO
from tracker.git.maintenance import write_commit_graph
from tracker.identity import Identity, default_identity, now_iso
from tracker.lock import store_lock
from tracker.model import SyncResult, SyncStep
from tracker.store import Store
from tracker.sync import transfer
from tracker.sync.journal_merge import join_journals, join_kind, sync_event, unexplained_notes
from tracker.sync.refs import NOTES_REFS, ORIGINALS_PREFIX, original_ref, tracking_ref
from tracker.sync.remotes import choose_remote

ATTEMPTS = 5
Progress = Callable[[SyncStep], None]


@dataclass
class _Plan:
    """What one attempt will write: ref -> (old, new), and what to report.
    ``origin_of`` maps a revision an earlier attempt of this sync replayed to its
    original, so a retry replays the original again rather than a replay of it."""

    updates: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    taken: int = 0
    sent: int = 0
    replayed: list[tuple[str, str]] = field(default_factory=list)
    merged_refs: list[str] = field(default_factory=list)
    notes_conflicts: int = 0
    origin_of: dict[str, str] = field(default_factory=dict)
    settle: bool = False
    set_aside: list[str] = field(default_factory=list)
    drafts: dict[str, bytes] = field(default_factory=dict)
    settings_aside: list[str] = field(default_factory=list)


def sync(
    store: Store,
    remote: str | None = None,
    *,
    identity: Identity | None = None,
    progress: Progress | None = None,
    settle: bool = False,
) -> SyncResult:
    """Sync the current branch and the shared refs with ``remote`` (see the module).

    ``settle``: a local revision that overlaps the remote's is set aside (kept at
    ``refs/tracker/originals/<id>``, named by the sync's event) instead of refusing the
    sync, and its document's file is left holding this clone's wording on the remote's
    text, as an unrecorded edit for the editor to settle and record."""
    say = progress or (lambda step: None)
    name, _url = choose_remote(store, remote)
    branch = _current_branch(store)
    who = _Identity(store, identity)
    with store_lock(store.git_dir):
        refs = transfer.snapshot(store)
        if branch not in refs:
            branch = _adopt_branch(store, name, branch)
        moved: list[str] = []
        origin_of: dict[str, str] = {}
        warnings: list[str] = []
        for attempt in range(1, ATTEMPTS + 1):
            say(SyncStep("fetch", f"fetching {name}…"))
            fetched, refs = transfer.fetch(store, name, branch)
            transfer.check_not_rewound(store, name, fetched, refs)
            for ref in _unexplained(store, name, fetched, refs):
                warning = (
                    f"{name}'s {ref} was changed outside the tracker (no event of its "
                    "journal wrote it); taken as it is, and 'tracker verify' names it"
                )
                if warning not in warnings:
                    warnings.append(warning)
                    say(SyncStep("warning", warning))
            plan = _plan(store, name, branch, fetched, refs, who, say, origin_of, settle)
            for original in plan.settings_aside:
                warning = (
                    f"your settings change {original[:12]} was set aside (kept at "
                    f"{original_ref(original)}): make it again with 'tracker config' and sync"
                )
                if warning not in warnings:
                    warnings.append(warning)
                    say(SyncStep("warning", warning))
            # The tracking refs move only once the plan is made: a sync refused while
            # merging (unreadable notes, an overlap) leaves every ref here as it was.
            transfer.move_tracking(store, name, fetched.values, refs)
            refs |= {tracking_ref(name, r): v for r, v in fetched.values.items() if v}
            origin_of |= {new: original for original, new in plan.replayed}
            _apply(store, branch, plan)
            # The refs as they are now: the snapshot with the plan's moves.
            refs = {**refs, **{r: new for r, (_old, new) in plan.updates.items() if new}}
            # Across attempts: a race retried after this one moved refs here still moved them.
            moved += [
                r for r in plan.updates if not r.startswith(ORIGINALS_PREFIX) and r not in moved
            ]
            pushes = _pushes(branch, fetched, refs)
            pushed = False
            if pushes:
                say(SyncStep("push", f"pushing to {name}…"))
                outcome = transfer.push(store, name, pushes)
                if outcome.raced:
                    say(SyncStep("fetch", f"{name} changed meanwhile: again"))
                    continue
                if not outcome.ok:
                    raise TrackerError(
                        f"merged here, but {name} refused the push: {outcome.message}",
                        "fix the cause and run 'tracker sync' again; nothing is lost",
                    )
                pushed = True
                say(SyncStep("push", "pushed"))
            final = {r: refs.get(r) if pushed else fetched.values[r] for r in fetched.values}
            transfer.move_tracking(store, name, final, refs, settled=True)
            if pushed or moved:  # an up-to-date sync writes nothing at all
                _plain_git_tracking(store, name, branch, refs.get(branch))
                write_commit_graph(store)
            say(SyncStep("done", "synced" if pushed or moved else "up to date"))
            return SyncResult(
                remote=name,
                branch=branch.removeprefix("refs/heads/"),
                taken=plan.taken,
                sent=plan.sent,
                replayed=tuple(plan.replayed),
                merged_refs=tuple(plan.merged_refs),
                notes_conflicts=plan.notes_conflicts,
                pushed=pushed,
                attempts=attempt,
                moved=tuple(moved),
                warnings=tuple(warnings),
                set_aside=tuple(plan.set_aside),
                drafts=tuple(plan.drafts),
            )
    raise SyncRefusedError(
        f"{name} kept changing while this store synced ({ATTEMPTS} attempts); "
        "what was merged here is kept",
        "run 'tracker sync' again in a moment",
    )


class _Identity:
    """The identity merge commits are written with, resolved only when one is written
    (a fast-forward needs none, so it works without user.name)."""

    def __init__(self, store: Store, identity: Identity | None) -> None:
        self._store, self._identity = store, identity

    def get(self) -> Identity:
        if self._identity is None:
            self._identity = default_identity(self._store.root)
        return self._identity


def _current_branch(store: Store) -> str:
    proc = gitcmd.run(store.root, "symbolic-ref", "-q", "HEAD", check=False)
    ref = proc.stdout.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not ref.startswith("refs/heads/"):
        raise SyncRefusedError(
            "HEAD is detached (not on a branch), so there is no branch to sync",
            "check out the store's branch first (git checkout main)",
        )
    return ref


def _unexplained(
    store: Store, remote: str, fetched: transfer.Fetched, refs: transfer.Refs
) -> list[str]:
    """The remote's notes refs that moved since the last sync without its journal saying
    so (read only from what was last seen: a sync reads the new events, not them all)."""
    moved = {
        ref: fetched.values[ref]
        for ref in NOTES_REFS
        if fetched.values[ref] != refs.get(tracking_ref(remote, ref))
    }
    since = refs.get(tracking_ref(remote, JOURNAL_REF))
    return unexplained_notes(store, fetched.values[JOURNAL_REF], since, moved)


def _plain_git_tracking(store: Store, remote: str, branch: str, value: str | None) -> None:
    """Keep plain git's ``refs/remotes/NAME/BRANCH`` in step (``git status`` then says
    the branch is up to date with it), when the remote has the usual fetch refspec."""
    short = branch.removeprefix("refs/heads/")
    if value is not None and gitcmd.config_value(store.root, f"remote.{remote}.fetch"):
        transfer.update_refs(store, [f"update refs/remotes/{remote}/{short} {value}\n"])


def _adopt_branch(store: Store, remote: str, branch: str) -> str:
    """A fresh clone whose HEAD names a branch that neither side has (a bare remote made
    with git's default ``master``, a store on ``main``) takes the remote's only branch."""
    proc = gitcmd.run(store.root, "ls-remote", "--heads", remote, check=False)
    if proc.returncode != 0:
        return branch  # the fetch says why, in its own words
    heads = [line.split("\t", 1)[1] for line in proc.stdout.decode().splitlines() if "\t" in line]
    if branch in heads or len(heads) != 1:
        return branch
    gitcmd.run(store.root, "symbolic-ref", "HEAD", heads[0])
    return heads[0]


def _plan(
    store: Store,
    remote: str,
    branch: str,
    fetched: transfer.Fetched,
    refs: transfer.Refs,
    who: _Identity,
    say: Progress,
    origin_of: dict[str, str],
    settle: bool = False,
) -> _Plan:
    plan = _Plan(origin_of=origin_of, settle=settle)
    date = now_iso()
    local = refs.get(branch)
    theirs = fetched.values[branch]
    new_branch = _join_branch(store, remote, branch, local, theirs, who, plan)
    if new_branch != local:
        plan.updates[branch] = (local, new_branch)
    if plan.taken:
        say(SyncStep("merge", f"took {_revisions(plan.taken)} from {remote}"))
    if plan.replayed:
        say(SyncStep("replay", f"replayed {_revisions(len(plan.replayed))}"))
    if plan.set_aside:
        say(SyncStep("replay", f"set aside {_revisions(len(plan.set_aside))}"))
    notes_after: dict[str, str | None] = {}
    for ref in NOTES_REFS:
        ours, incoming = refs.get(ref), fetched.values[ref]
        kind = join_kind(store, ours, incoming)
        if kind == "ours":
            merged = ours
        else:
            # A fast-forward too: it counts the conflicting entries the remote brings.
            from tracker.sync.notes_merge import merge_notes_ref

            # Only a merge commit needs an identity (a clone without user.name fast-forwards).
            writer = who.get() if kind == "merge" else Identity("tracker sync", "")
            merged, conflicts = merge_notes_ref(store, ref, ours, incoming, writer, date)
            plan.notes_conflicts += conflicts
            if merged not in (ours, incoming):
                plan.merged_refs.append(ref)
        notes_after[ref] = merged
        if merged != ours:
            plan.updates[ref] = (ours, merged)
    if plan.merged_refs:
        say(SyncStep("merge", f"joined {', '.join(plan.merged_refs)}"))
    ours_journal, theirs_journal = refs.get(JOURNAL_REF), fetched.values[JOURNAL_REF]
    wrote = bool(plan.merged_refs or plan.replayed or plan.set_aside)
    diverged = join_kind(store, ours_journal, theirs_journal) == "merge"
    event = None
    if wrote or diverged:
        event = sync_event(
            remote, branch, local, new_branch, notes_after, plan.replayed, plan.set_aside
        )
        if diverged:
            plan.merged_refs.append(JOURNAL_REF)
    writer = who.get() if event else None
    journal = join_journals(store, ours_journal, theirs_journal, event, writer, date)
    if journal != ours_journal:
        plan.updates[JOURNAL_REF] = (ours_journal, journal)
    for original in [*(o for o, _new in plan.replayed), *plan.set_aside]:
        plan.updates[original_ref(original)] = (refs.get(original_ref(original)), original)
    for name, value in fetched.originals.items():
        # An original is named by its own id; a remote's ref that says otherwise is not
        # taken (it would make a different commit look like the original).
        if name == value and original_ref(name) not in refs:
            plan.updates[original_ref(name)] = (None, value)
    return plan


def _join_branch(
    store: Store,
    remote: str,
    branch: str,
    local: str | None,
    theirs: str | None,
    who: _Identity,
    plan: _Plan,
) -> str | None:
    """The branch's new tip: a fast-forward, ours as it is, or ours replayed onto theirs."""
    kind = join_kind(store, local, theirs)
    if kind == "ours":
        if local is not None:
            plan.sent = _count(store, local, theirs)
        elif theirs is None:
            raise SyncRefusedError(
                f"neither this store nor {remote} has the branch "
                f"{branch.removeprefix('refs/heads/')}",
                "record a revision first, or check out the store's branch (git checkout NAME)",
            )
        return local
    if kind == "theirs":
        plan.taken = _count(store, theirs, local)
        return theirs
    assert local is not None and theirs is not None
    base = store.git("merge-base", local, theirs).strip() if _related(store, local, theirs) else ""
    if not base:
        raise SyncRefusedError(
            f"this store's {branch.removeprefix('refs/heads/')} and {remote}'s share no history",
            "they are different stores; clone the remote instead (git clone URL)",
        )
    mine = store.git("rev-list", "--first-parent", "--reverse", f"{base}..{local}").split()
    # A retry after a lost push: what the last attempt replayed is replayed from its
    # original again, so the journal and the replay's trailer name the editor's revision.
    mine = [plan.origin_of.get(commit, commit) for commit in mine]
    # Loaded only when both sides have new revisions: the diff engine comes with it.
    from tracker.sync.replay import replay_onto, replay_or_set_aside

    if plan.settle:
        settled = replay_or_set_aside(store, mine, theirs, who.get())
        pairs, plan.set_aside, plan.drafts = settled.replayed, settled.set_aside, settled.drafts
        plan.settings_aside = settled.settings
    else:
        pairs = replay_onto(store, mine, theirs, who.get())
    plan.replayed = list(pairs)
    plan.taken = _count(store, theirs, base)
    plan.sent = len(pairs)
    return pairs[-1][1] if pairs else theirs


def _related(store: Store, one: str, two: str) -> bool:
    return gitcmd.run(store.root, "merge-base", one, two, check=False).returncode == 0


def _count(store: Store, tip: str | None, base: str | None) -> int:
    if tip is None or tip == base:
        return 0
    spec = [tip] if base is None else [f"{base}..{tip}"]
    return int(store.git("rev-list", "--count", "--first-parent", *spec).strip() or 0)


def _revisions(count: int) -> str:
    return f"{count} revision{'s' if count != 1 else ''}"


def _apply(store: Store, branch: str, plan: _Plan) -> None:
    """Move every ref of the plan in one transaction, and the work tree with the branch."""
    if not plan.updates:
        return
    moved = plan.updates.get(branch)
    if moved and store.work_tree:
        _check_work_tree(store, *moved)
    lines = []
    for ref, (old, new) in plan.updates.items():
        if new is None:
            lines.append(f"delete {ref} {old}\n")
        else:
            lines.append(f"update {ref} {new} {old or ZERO}\n")
    if not transfer.update_refs(store, lines):
        raise SyncRefusedError(
            "a ref moved while the tracker was syncing (another program changed it)",
            "nothing was changed; run 'tracker sync' again",
        )
    if moved and store.work_tree:
        _update_work_tree(store, *moved)
        for document, data in plan.drafts.items():
            # Left as an unrecorded edit on the new tip: the editor's wording to settle.
            store.write_work_bytes(document, data)


def _trees(store: Store, old: str | None, new: str | None) -> list[str]:
    empty = store.git("mktree", input=b"")
    return [f"{old}^{{tree}}" if old else empty, f"{new}^{{tree}}" if new else empty]


def _check_work_tree(store: Store, old: str | None, new: str | None) -> None:
    """Refuse before anything moves when the sync would overwrite unrecorded edits."""
    # The tracker writes index entries without file stat data (update-index --cacheinfo):
    # refresh them, or git would take every recorded file for an edited one.
    gitcmd.run(store.root, "update-index", "-q", "--refresh", check=False)
    proc = gitcmd.run(
        store.root, "read-tree", "-n", "-m", "-u", *_trees(store, old, new), check=False
    )
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").splitlines()
        names = [ln.split("'")[1] for ln in lines if ln.count("'") >= 2]
        what = names[0] if names else "a document"
        raise SyncRefusedError(
            f"{what} has unrecorded changes, and the sync would change it too",
            "record (or undo) your changes first, then sync; nothing was changed",
        )


def _update_work_tree(store: Store, old: str | None, new: str | None) -> None:
    """Bring the index and the files on disk to the branch's new tip (a two-tree merge:
    unrecorded edits to documents the sync does not touch stay as they are)."""
    gitcmd.run(store.root, "read-tree", "-m", "-u", *_trees(store, old, new), check=False)


def _pushes(branch: str, fetched: transfer.Fetched, refs: transfer.Refs) -> list[tuple[str, str]]:
    """(local, remote) ref pairs that the remote does not have as they are here."""
    pairs = []
    for ref in (branch, *NOTES_REFS, JOURNAL_REF):
        value = refs.get(ref)
        if value is not None and value != fetched.values.get(ref):
            pairs.append((ref, ref))
    for ref in sorted(refs):
        if ref.startswith(ORIGINALS_PREFIX) and (
            ref.removeprefix(ORIGINALS_PREFIX) not in fetched.originals
        ):
            pairs.append((ref, ref))
    return pairs
