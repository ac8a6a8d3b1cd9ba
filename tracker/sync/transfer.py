"""Provides the two conversations with a remote: fetch (into refs of the remote's own,
never the user's) and an atomic, never forced push.

A fetch writes only ``refs/tracker/incoming/NAME/...``; ``check_not_rewound`` then holds
each value against the last one seen (``refs/tracker/remotes/NAME/...``, sync/refs.py):
a remote whose branch, notes, reviews or journal went backwards (or vanished) is refused
before anything is merged, and its incoming refs stay for ``verify`` to name. Only then
do the tracking refs move (``move_tracking``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.errors import SyncRefusedError
from tracker.git import cmd as gitcmd
from tracker.git.repo import Repository
from tracker.sync.refs import ORIGINALS_PREFIX, SHARED_REFS, TRACKING_PREFIX, tracking_ref

INCOMING_PREFIX = "refs/tracker/incoming/"


def incoming_ref(remote: str, ref: str) -> str:
    """Where the last fetch from ``remote`` put its ``ref``."""
    return f"{INCOMING_PREFIX}{remote}/{ref.removeprefix('refs/')}"


@dataclass
class Fetched:
    """What the remote holds: each shared ref's value (None: the remote has none), and
    its originals (full id -> the commit its ref names)."""

    values: dict[str, str | None]
    originals: dict[str, str] = field(default_factory=dict)


Refs = dict[str, str]  # ref name -> value: one ``for-each-ref`` of the tracker's refs


def snapshot(store: Repository) -> Refs:
    """Every branch, notes ref and ``refs/tracker/`` ref with its value, in one process
    (a sync reads some twenty of them on every attempt)."""
    out = store.git(
        "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/notes/",
        "refs/tracker/",
    )  # fmt: skip
    return {name: value for value, _, name in (ln.partition(" ") for ln in out.splitlines())}


def fetch(store: Repository, remote: str, branch: str) -> tuple[Fetched, Refs]:
    """Fetch ``branch`` and the shared refs of ``remote`` into its incoming refs; return
    what it holds and the refs here afterwards.

    Patterns (``refs/notes/tracker*``) rather than names, so a ref the remote does not
    have yet is simply absent, not an error; ``--prune`` drops an incoming ref the remote
    no longer has, so an absent one reads as absent, not as what the last fetch saw."""
    specs = [f"+{ref}*:{incoming_ref(remote, ref)}*" for ref in (branch, *SHARED_REFS)]
    specs.append(f"+{ORIGINALS_PREFIX}*:{incoming_ref(remote, ORIGINALS_PREFIX)}*")
    proc = gitcmd.run(
        store.root,
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-show-forced-updates",
        "--refmap=",  # the remote's configured refspecs never write refs/remotes/ here
        "--prune",  # only refs matching the incoming patterns above
        "--quiet",
        remote,
        *specs,
        check=False,
    )
    if proc.returncode != 0:
        raise SyncRefusedError(
            f"could not fetch from {remote}: {_last_line(proc.stderr)}",
            "check the remote's URL ('tracker remote') and that you can reach it; "
            "nothing was changed",
        )
    store.refresh()
    refs = snapshot(store)
    values = {ref: refs.get(incoming_ref(remote, ref)) for ref in (branch, *SHARED_REFS)}
    originals_at = incoming_ref(remote, ORIGINALS_PREFIX)
    originals = {
        name.removeprefix(originals_at): value
        for name, value in refs.items()
        if name.startswith(originals_at)
    }
    return Fetched(values, originals), refs


def check_not_rewound(store: Repository, remote: str, fetched: Fetched, refs: Refs) -> None:
    """Refuse when a ref of the remote no longer contains what this store last saw there
    (a forced push, a reset, a deleted ref): merging it would undo other people's work or
    hide that history was rewritten. Nothing has been merged yet."""
    for ref, value in fetched.values.items():
        seen = refs.get(tracking_ref(remote, ref))
        if seen is None or seen == value:
            continue
        if value is None:
            what = "deleted"
        elif not contains(store, value, seen):
            what = "rewound"
        else:
            continue
        raise SyncRefusedError(
            f"the remote's {ref} was {what} (it was at {seen[:12]} when this store last "
            f"synced with {remote}); nothing was merged",
            "ask whoever changed the remote; 'tracker verify' names it until it is resolved",
        )


def contains(store: Repository, descendant: str, ancestor: str) -> bool:
    """True when ``ancestor`` is ``descendant`` or in its history."""
    if descendant == ancestor:
        return True
    proc = gitcmd.run(store.root, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
    return proc.returncode == 0


def move_tracking(
    store: Repository,
    remote: str,
    values: dict[str, str | None],
    refs: Refs,
    settled: bool = False,
) -> None:
    """Record ``values`` as what the remote holds (after a fetch that passed the check, or
    after a push): the tracking refs, in one transaction. ``settled`` (the sync went
    through) sets the incoming refs to the same values: only a refused fetch leaves them
    behind the tracking refs, which is how ``verify`` still sees the refusal."""
    lines = []
    for ref, value in values.items():
        names = [tracking_ref(remote, ref)] + ([incoming_ref(remote, ref)] if settled else [])
        for name in names:
            if refs.get(name) == value:
                continue  # already there (``refs``: the refs as they are now)
            # Deleting a ref that is not there is no error in a transaction.
            lines.append(f"update {name} {value}\n" if value else f"delete {name}\n")
    if lines:
        update_refs(store, lines)


def rewound(store: Repository) -> list[tuple[str, str, str, str | None]]:
    """What the last fetch of each remote found behind what was seen before: (remote,
    ref, last seen, fetched or None), from the refs a refused sync leaves."""
    found = []
    listing = store.git("for-each-ref", "--format=%(objectname) %(refname)", TRACKING_PREFIX)
    fetched_from = {
        name.removeprefix(INCOMING_PREFIX).partition("/")[0]
        for name in store.git("for-each-ref", "--format=%(refname)", INCOMING_PREFIX).split()
    }
    for line in listing.splitlines():
        seen, _, name = line.partition(" ")
        remote, _, rest = name.removeprefix(TRACKING_PREFIX).partition("/")
        if remote not in fetched_from:
            continue  # never fetched by sync (tracking refs written some other way)
        ref = f"refs/{rest}"
        fetched = store.ref(incoming_ref(remote, ref))
        if fetched is None or not contains(store, fetched, seen):
            found.append((remote, ref, seen, fetched))
    return found


def update_refs(store: Repository, lines: list[str]) -> bool:
    """Run one ``update-ref --stdin`` transaction; False when a compare-and-swap failed."""
    transaction = "start\n" + "".join(lines) + "prepare\ncommit\n"
    proc = gitcmd.run(
        store.root, "update-ref", "-m", "tracker sync", "--stdin",
        input=transaction.encode(), check=False,
    )  # fmt: skip
    store.refresh()
    return proc.returncode == 0


@dataclass(frozen=True)
class PushOutcome:
    """How a push went: ``ok`` (every ref taken), ``raced`` (the remote moved since the
    fetch: fetch and merge again), else ``message`` says why it failed."""

    ok: bool
    raced: bool = False
    message: str = ""


def push(store: Repository, remote: str, refs: list[tuple[str, str]]) -> PushOutcome:
    """Push (local ref, remote ref) pairs in one atomic, never forced ``git push``.

    The result is read from ``--porcelain`` output: a ref rejected because the remote is
    ahead (someone pushed since the fetch) means a race, anything else a failure."""
    specs = [f"{local}:{target}" for local, target in refs]
    proc = gitcmd.run(
        store.root, "push", "--atomic", "--porcelain", "--no-verify", remote, *specs,
        check=False,
    )  # fmt: skip
    out = proc.stdout.decode("utf-8", "replace")
    rejected = []
    for line in out.splitlines():
        flag, tab, rest = line.partition("\t")
        if not tab or len(flag) != 1:
            continue
        if flag == "!":
            rejected.append(rest)
    if proc.returncode == 0 and not rejected:
        return PushOutcome(True)
    reasons = " ".join(rejected)
    if any(word in reasons for word in ("fetch first", "non-fast-forward", "stale info")):
        return PushOutcome(False, raced=True)
    why = rejected[0].split("\t")[-1] if rejected else _last_line(proc.stderr)
    return PushOutcome(False, message=why)


def _last_line(stderr: bytes) -> str:
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "git failed"
