"""The "Done when" property of issue 10: several editors, one remote, nothing lost.

A trial: 2-8 editors share one bare repository, each through its own transport (file://,
git daemon, smart HTTP, ssh: all serve the same folder). A seeded random sequence of
steps (record, later note, review, sync) by random editors; then rounds of syncs until
every clone agrees. A third of the records change a word of the one shared article, so
two editors may change the same words: the sync that meets that overlap is refused, and
the editor settles it as the refusal says (``sync --settle``, then records the draft).
Afterwards every clone must have identical refs; the notes, reviews and journal entries
found in the final refs must be exactly those ever written (as a multiset: none lost,
none doubled); and ``verify`` must pass everywhere.

Until the replay and notes-merge helpers are both installed a trial runs "serial": each
write is wrapped in sync-write-sync, so no two clones ever diverge.

    python bench/sync_property.py --trials 200            # every transport
    python bench/sync_property.py --trials 20 --transports file --seed 7

tests/test_sync_property.py runs a few small trials.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

from servers import bare, git_daemon, http_backend, sshd, sshd_missing  # noqa: E402

from tracker import porcelain  # noqa: E402
from tracker.errors import ConcurrentEditError, SyncRefusedError  # noqa: E402
from tracker.model import NoteInput  # noqa: E402
from tracker.recording import init_store  # noqa: E402
from tracker.store import Store  # noqa: E402

WORDS = [
    "council", "budget", "vote", "mayor", "street", "school",
    "river", "market", "bridge", "library", "harbour",
]  # fmt: skip


def can_diverge() -> bool:
    """True when both helpers that join diverged clones are installed."""
    try:
        import tracker.sync.notes_merge  # noqa: F401
        import tracker.sync.replay  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Trial:
    """One trial's editors and everything they wrote."""

    root: Path
    urls: list[str]
    rng: random.Random
    serial: bool
    editors: list[tuple[str, Store]] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)
    reviews: Counter = field(default_factory=Counter)
    journal: set[str] = field(default_factory=set)
    counter: int = 0
    replayed: int = 0  # revisions replayed onto another editor's work
    settled: int = 0  # revisions set aside by sync --settle after an overlap
    joined: int = 0  # notes, reviews or journals joined by a merge commit

    def author(self, i: int) -> str:
        return f"Editor {i} <e{i}@example.org>"

    def unique(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter}"

    def wrote(self, store: Store) -> None:
        self.journal.add(store.git("rev-parse", "refs/tracker/journal").strip())

    def sync(self, i: int) -> None:
        _name, store = self.editors[i]
        try:
            try:
                result = porcelain.sync(store, author=self.author(i))
            except ConcurrentEditError:
                # Two editors changed the same words of the shared article: settled here,
                # as the refusal says, and the draft recorded as the agreed wording.
                result = porcelain.sync(store, author=self.author(i), settle=True)
                assert result.set_aside, "a settling sync set nothing aside"
                self.settled += len(result.set_aside)
                for document in result.drafts:
                    self._record_draft(i, document)
        except SyncRefusedError as refused:
            raise AssertionError(f"editor {i}: {refused.one_line()}") from refused
        self.replayed += len(result.replayed)
        self.joined += len(result.merged_refs)

    def _record_draft(self, i: int, document: str) -> None:
        _name, store = self.editors[i]
        if (store.root / document).read_bytes() == store.read_blob(store.head(), document):
            return  # both editors wrote the same words: nothing left to settle
        porcelain.record_revision(
            store, document, self.unique("settle"), notes={1: NoteInput(self.unique("why"))},
            author=self.author(i),
        )  # fmt: skip
        self.wrote(store)

    def step(self) -> None:
        i = self.rng.randrange(len(self.editors))
        op = self.rng.choice(
            ["record", "record", "note", "note", "review", "review", "sync", "sync"]
        )
        if op == "sync":
            self.sync(i)
            return
        if self.serial:
            self.sync(i)
        getattr(self, op)(i)
        if self.serial:
            self.sync(i)

    def record(self, i: int) -> None:
        _name, store = self.editors[i]
        document = "shared.md" if self.rng.random() < 1 / 3 else f"desk-{i}.md"
        path = store.root / document
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 8))]
        if not path.exists():
            path.write_text(" ".join(words) + ".\n\nSecond paragraph here.\n")
            porcelain.add_document(store, str(path), author=self.author(i))
        else:
            text = path.read_text().split(" ")
            at = self.rng.randrange(len(text))
            text[at] = self.rng.choice(WORDS)
            path.write_text(" ".join(text) + (" " + self.rng.choice(WORDS) + ".\n"))
            porcelain.record_revision(
                store,
                document,
                self.unique("edit"),
                notes={1: NoteInput(self.unique("first note"))},
                author=self.author(i),
            )
        self.wrote(store)

    def _revisions(self, store: Store) -> list[tuple[str, int]]:
        found = []
        for document in store.documents():
            for revision in store.log(document):
                if revision.changes:
                    found.append((revision.rev, len(revision.changes)))
        return found

    def note(self, i: int) -> None:
        _name, store = self.editors[i]
        revisions = self._revisions(store)
        if not revisions:
            return
        rev, count = self.rng.choice(revisions)
        text = self.unique("later note")
        porcelain.note(store, rev, self.rng.randint(1, count), text, author=self.author(i))
        self.notes[text] += 1
        self.wrote(store)

    def review(self, i: int) -> None:
        _name, store = self.editors[i]
        revisions = [rev for rev, _ in self._revisions(store)]
        if not revisions:
            return
        rev = self.rng.choice(revisions)
        comment = self.unique("review")
        status = self.rng.choice(["approved", "flagged"])
        porcelain.review(store, rev, status, comment, author=self.author(i))
        self.reviews[comment] += 1
        self.wrote(store)


def entries(store: Store, ref: str, key: str) -> Counter:
    """Every entry of every notes file of ``ref`` (a multiset of ``key``)."""
    import json

    found: Counter = Counter()
    if store.ref(ref) is None:
        return found
    for line in store.git("notes", f"--ref={ref}", "list").splitlines():
        blob = line.split()[0]
        data = json.loads(store.git("cat-file", "-p", blob))
        for entry in data.get("entries", []):
            found[entry.get(key)] += 1
    return found


def run_trial(seed: int, root: Path, urls: list[str], editors: int, steps: int) -> Trial:
    """One trial; raises AssertionError naming what was lost, doubled or not verified."""
    rng = random.Random(seed)
    trial = Trial(root, urls, rng, serial=not can_diverge())
    first = init_store(root / "e0", None, None)
    porcelain.remote_add(first, "origin", rng.choice(urls))
    trial.editors.append(("e0", first))
    # A shared article with one recorded correction: something to note and review at once.
    (first.root / "shared.md").write_text("The vote was on Monday.\n\nTurnout rose.\n")
    porcelain.add_document(first, str(first.root / "shared.md"), author=trial.author(0))
    (first.root / "shared.md").write_text("The vote was on Tuesday.\n\nTurnout rose.\n")
    porcelain.record_revision(first, "shared.md", "Correct the day", author=trial.author(0))
    trial.wrote(first)
    porcelain.sync(first, author=trial.author(0))
    for i in range(1, editors):
        path = root / f"e{i}"
        subprocess.run(["git", "clone", "-q", urls[0], str(path)], check=True)
        store = Store.open(path)
        url = rng.choice(urls)
        subprocess.run(["git", "-C", str(path), "remote", "set-url", "origin", url], check=True)
        trial.editors.append((f"e{i}", store))
        trial.sync(i)
    for _ in range(steps):
        trial.step()
    # Rounds of syncs until the clones agree: the first gathers everything, the next
    # hands it out, and an editor who settles an overlap on the way writes once more.
    for _ in range(6):
        for i in range(editors):
            trial.sync(i)
        if len({listing(store) for _name, store in trial.editors}) == 1:
            break
    check(trial)
    return trial


SHARED = ("refs/heads/", "refs/notes/", "refs/tracker/journal", "refs/tracker/originals/")


def listing(store: Store) -> str:
    return store.git("for-each-ref", "--format=%(refname) %(objectname)", *SHARED)


def check(trial: Trial) -> None:
    listings = {name: listing(store) for name, store in trial.editors}
    assert len(set(listings.values())) == 1, f"clones differ: {listings}"
    store = Store.open(trial.editors[0][1].root)
    later = entries(store, "refs/notes/tracker", "text")
    assert later == trial.notes, f"notes: found {later - trial.notes}, lost {trial.notes - later}"
    reviews = entries(store, "refs/notes/tracker-reviews", "comment")
    assert reviews == trial.reviews, f"reviews lost {trial.reviews - reviews}"
    journal = set(store.git("rev-list", "refs/tracker/journal").split())
    assert trial.journal <= journal, f"journal lost {len(trial.journal - journal)} entries"
    for name, clone in trial.editors:
        report = porcelain.verify(Store.open(clone.root))
        assert report.ok, f"{name}: " + "; ".join(f"{f.kind}: {f.message}" for f in report.findings)


@contextlib.contextmanager
def served(root: Path, kinds: list[str]):
    """The bare repository ``root/desk.git`` and a URL for it per transport."""
    bare(root, "desk.git")
    urls = []
    with contextlib.ExitStack() as stack:
        for kind in kinds:
            if kind == "file":
                urls.append((root / "desk.git").as_uri())
            elif kind == "git":
                urls.append(stack.enter_context(git_daemon(root)).url("desk.git"))
            elif kind == "http":
                urls.append(stack.enter_context(http_backend(root)).url("desk.git"))
            elif kind == "ssh" and not sshd_missing():
                server = stack.enter_context(sshd(root, root / "keys"))
                config = Path(os.environ["GIT_CONFIG_GLOBAL"])
                config.write_text(
                    config.read_text() + f"[core]\n\tsshCommand = {server.ssh_command}\n"
                )
                urls.append(server.url("desk.git"))
        yield urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--transports", default="file,git,http,ssh")
    args = parser.parse_args()
    failures = replayed = joined = settled = 0
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.org\n")
        for key in [k for k in os.environ if k.startswith("GIT_")]:
            del os.environ[key]
        os.environ.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(home / ".gitconfig"))
        os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
        for trial in range(args.trials):
            seed = args.seed + trial
            rng = random.Random(seed)
            root = Path(tmp) / f"t{trial}"
            root.mkdir()
            kinds = args.transports.split(",")
            editors = rng.randint(2, 8)
            started = time.perf_counter()
            try:
                with served(root, kinds) as urls:
                    done = run_trial(seed, root, urls, editors, args.steps)
                replayed += done.replayed
                joined += done.joined
                settled += done.settled
            except AssertionError as error:
                failures += 1
                print(f"trial {trial} (seed {seed}, {editors} editors): FAILED {error}", flush=True)
            times.append(time.perf_counter() - started)
            if (trial + 1) % 10 == 0:
                print(f"{trial + 1} trials, {failures} failed", flush=True)
            subprocess.run(["rm", "-rf", str(root)], check=False)
    times.sort()
    mode = "diverging" if can_diverge() else "serial (helpers missing)"
    print(
        f"{args.trials} trials, {mode}, {failures} failed; {replayed} revisions replayed, "
        f"{settled} set aside by --settle, "
        f"{joined} refs joined by a merge commit; "
        f"median {times[len(times) // 2]:.1f} s per trial"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
