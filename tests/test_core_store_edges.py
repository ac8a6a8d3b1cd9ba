"""The store's read and write sides at their edges: names, documents, history, journal.

Written to kill mutants that survived bench/mutate.py (see bench/README.md). Tests that
only read share one store built per module; tests that write build their own.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tracker.errors import (
    DirtyStoreError,
    NotAStoreError,
    NoteError,
    RecordRefusedError,
    SigningError,
    UnknownDocumentError,
    UnknownRevisionError,
)
from tracker.git import cmd as gitcmd
from tracker.git.journal import JOURNAL_REF, read_journal
from tracker.git.write import signing, write_with_journal
from tracker.notes import NOTES_REF
from tracker.recording import (
    EVERY_OTHER_CHANGE,
    NoteInput,
    add_later_note,
    add_review,
    init_store,
    record,
)
from tracker.store import WORKTREE, Store, StoreConfig

from conftest import ANN, BOB, git

D = [f"2001-01-{d:02d}T10:00:00+00:00" for d in range(5, 12)]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Store:
    """doc.txt with three revisions (one later note, one review), and other.txt."""
    store = init_store(tmp_path_factory.mktemp("edges") / "s", ANN, D[0])
    doc = store.root / "doc.txt"
    doc.write_text("alpha beta gamma\n", encoding="utf-8")
    record(store, "doc.txt", "Add doc", identity=ANN, date=D[0])
    doc.write_text("alpha BETA gamma delta\n", encoding="utf-8")
    record(store, "doc.txt", "Caps", "Why: style", {1: NoteInput("caps", "style")}, ANN, D[1])
    add_later_note(store, "HEAD", 2, NoteInput("added later", "factual"), BOB, D[2])
    doc.write_text("alpha BETA gamma delta epsilon\n", encoding="utf-8")
    record(store, "doc.txt", "More", identity=ANN, date=D[3])
    add_review(store, "HEAD", "approved", "", identity=BOB, date=D[4])
    (store.root / "other.txt").write_text("other\n", encoding="utf-8")
    record(store, "other.txt", "Add other", identity=ANN, date=D[4])
    return Store.open(store.root)


# -- reading -------------------------------------------------------------------------------


def test_open_refuses_what_is_not_a_store(tmp_path):
    with pytest.raises(NotAStoreError):
        Store.open(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotAStoreError):
        Store.open(tmp_path / "plain")
    (tmp_path / "broken" / ".git").mkdir(parents=True)
    with pytest.raises(NotAStoreError, match="git cannot open it"):
        Store.open(tmp_path / "broken")


def test_init_where_a_tracker_folder_already_exists(tmp_path):
    (tmp_path / "s" / ".tracker").mkdir(parents=True)
    warnings: list[str] = []
    store = init_store(tmp_path / "s", ANN, D[0], warnings=warnings)
    assert warnings == []
    assert (store.root / ".tracker/config.json").is_file()
    assert git(store.root, "status", "--porcelain").strip() == ""


def test_open_from_a_subfolder_finds_the_root_and_head(history):
    sub = history.root / "sub"
    sub.mkdir(exist_ok=True)
    opened = Store.open(sub)
    assert opened.root == history.root and opened.head() == history.head()
    assert opened.git_dir == history.root / ".git"


@pytest.mark.parametrize("bad", ["", "-x", "--all", "a\nb", "a\x00b", "nosuchrev"])
def test_resolve_refuses_option_like_and_unknown_names(history, bad):
    with pytest.raises(UnknownRevisionError):
        history.resolve(bad)


def test_resolve_and_ref(history):
    head = history.head()
    assert history.resolve("HEAD") == head and len(head) == 40
    assert history.resolve(head[:10]) == head
    assert history.ref("refs/heads/nope") is None
    assert history.ref("HEAD") == head


def test_relpath_accepts_inside_and_refuses_outside(history, tmp_path, monkeypatch):
    monkeypatch.chdir(history.root)
    assert history.relpath("doc.txt") == "doc.txt"
    assert history.relpath(history.root / "sub" / ".." / "doc.txt") == "doc.txt"
    for bad in ("", "-doc.txt", "a\x00b", ".git/config", str(tmp_path / "elsewhere.txt")):
        with pytest.raises(UnknownDocumentError):
            history.relpath(bad)


def test_documents_and_document_choice(history, tmp_path, monkeypatch):
    monkeypatch.chdir(history.root)
    assert history.documents() == ["doc.txt", "other.txt"]
    assert history.documents("HEAD~1") == ["doc.txt"]
    assert history.document("doc.txt") == "doc.txt"
    with pytest.raises(UnknownDocumentError, match="2 documents"):
        history.document(None)
    with pytest.raises(UnknownDocumentError, match="not a document"):
        history.document(".tracker/config.json")
    empty = init_store(tmp_path / "empty", ANN, D[0])
    assert empty.documents() == []
    with pytest.raises(UnknownDocumentError, match="no documents"):
        empty.document(None)
    (empty.root / "one.txt").write_text("x\n")
    record(empty, "one.txt", "One", identity=ANN, date=D[0])
    assert Store.open(empty.root).document(None) == "one.txt"


def test_names_that_are_not_utf8_are_listed_apart(history, tmp_path):
    assert history.undecodable_names() == []
    root = tmp_path / "latin"
    root.mkdir()
    git(root, "init", "-q")
    (root / os.fsdecode(b"caf\xe9.txt")).write_text("x\n")
    (root / "ok.txt").write_text("y\n")
    git(root, "add", ".")
    git(root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "Latin-1 name")
    store = Store.open(root)
    assert store.undecodable_names() == ["caf\\xe9.txt"]
    assert store.documents() == ["ok.txt"]


def test_text_at_reads_revisions_worktree_and_absence(history):
    assert history.text_at("HEAD~3", "doc.txt") == "alpha beta gamma\n"
    assert history.text_at("HEAD", "doc.txt") == "alpha BETA gamma delta epsilon\n"
    assert history.text_at(WORKTREE, "doc.txt") == "alpha BETA gamma delta epsilon\n"
    assert history.text_at("HEAD~1", "other.txt") == ""
    assert history.read_blob("HEAD", "nope.txt") is None


def test_work_bytes_refuses_what_is_not_a_file(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[0])  # its own: the FIFO must not be shared
    with pytest.raises(UnknownDocumentError, match="does not exist"):
        store.work_bytes("nope.txt")
    (store.root / "adir").mkdir()
    with pytest.raises(UnknownDocumentError, match="directory"):
        store.work_bytes("adir")
    os.mkfifo(store.root / "fifo")
    with pytest.raises(UnknownDocumentError, match="not a regular file"):
        store.work_bytes("fifo")


def test_log_is_newest_first_with_limits_search_and_review_filter(history):
    summaries = [r.summary for r in history.log("doc.txt")]
    assert summaries == ["More", "Caps", "Add doc"]
    assert [r.summary for r in history.log("doc.txt", limit=2)] == ["More", "Caps"]
    assert list(history.log("doc.txt", limit=0)) == []
    assert [r.summary for r in history.log("doc.txt", search="BETA")] == ["Caps"]
    assert [r.summary for r in history.log("doc.txt", search="epsilon", limit=5)] == ["More"]
    assert [r.summary for r in history.log("doc.txt", unreviewed=True)] == ["Caps", "Add doc"]
    assert [r.summary for r in history.log("doc.txt", unreviewed=True, limit=1)] == ["Caps"]
    assert history.pickaxe("doc.txt", "gamma") == {history.resolve("HEAD~3")}


def test_revision_reads_record_notes_and_review(history):
    caps = history.revision("HEAD~2")
    assert (caps.summary, caps.reason, caps.document) == ("Caps", "Why: style", "doc.txt")
    assert caps.parent == history.resolve("HEAD~3") and caps.recorded
    assert caps.author == "Ann Editor <ann@example.org>" and caps.date == D[1]
    assert [c.note.text if c.note else None for c in caps.changes] == ["caps", "added later"]
    assert caps.changes[1].note.origin == "later" and caps.later_note_count == 1
    assert caps.review is None and not caps.initial
    more = history.revision("HEAD~1")
    assert more.review.status == "approved" and more.later_note_count == 0
    first = history.revision("HEAD~3")
    assert first.initial is True and first.changes == ()
    assert history.revision("HEAD").document == "other.txt"
    assert history.later_notes(caps.rev)[0]["text"] == "added later"
    assert history.later_notes(more.rev) == []


def test_pending_and_diff(history, tmp_path):
    assert history.pending("doc.txt") == []
    (change,) = history.diff("HEAD~3", "HEAD~2", "doc.txt")[:1]
    assert (change.old.text, change.new.text) == ("beta", "BETA")
    fresh = init_store(tmp_path / "p", ANN, D[0])
    (fresh.root / "n.txt").write_text("new words\n")
    (only,) = fresh.pending("n.txt")
    assert (only.kind, only.new.text) == ("insert", "new words\n")


def test_config_reads_rules_and_survives_damage(tmp_path):
    strict = init_store(tmp_path / "strict", ANN, D[0], require_notes=True, categories=("a", "b"))
    assert strict.config.require_notes and strict.config.categories == ("a", "b")
    assert strict.config.created_by_tracker
    assert json.loads((strict.root / ".tracker/config.json").read_text())["require_notes"]
    assert StoreConfig.from_json({}).require_notes is False
    assert StoreConfig.from_json({}).categories == StoreConfig().categories
    assert StoreConfig().created_by_tracker is False
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q")
    assert Store.open(plain).config.created_by_tracker is False
    # A repository the tracker did not set up demands no notes and has no journal.
    assert Store.open(plain).config.require_notes is False
    assert read_journal(Store.open(plain)) == []


def test_foreign_history_is_read_with_computed_changes(tmp_path):
    root = tmp_path / "foreign"
    root.mkdir()
    git(root, "init", "-q")
    ident = ["-c", "user.name=P", "-c", "user.email=p@x"]
    (root / "a.txt").write_text("one two\n")
    git(root, "add", "a.txt")
    git(root, *ident, "commit", "-qm", "First\n\nBody text")
    (root / "a.txt").write_text("one three\n")
    git(root, *ident, "commit", "-qam", "Second")
    store = Store.open(root)
    newest, oldest = list(store.log("a.txt"))
    assert not newest.recorded and newest.summary == "Second"
    assert [(c.old.text, c.new.text) for c in newest.changes] == [("two", "three")]
    assert oldest.initial is True and oldest.reason == "Body text"
    assert store.revision("HEAD").document == "a.txt"
    assert [(c.old.text, c.new.text) for c in store.revision("HEAD").changes] == [("two", "three")]
    # Bytes that are not text, committed with plain git: said, not diffed, not a crash.
    (root / "a.txt").write_bytes(b"one\x00three\n")
    git(root, *ident, "commit", "-qam", "Binary")
    binary = next(iter(store.log("a.txt")))
    assert binary.changes == () and binary.not_text.kind == "binary"
    assert store.revision("HEAD").not_text.rev == binary.rev


# -- writing -------------------------------------------------------------------------------


@pytest.fixture
def doc_store(tmp_path) -> Store:
    store = init_store(tmp_path / "w", ANN, D[0])
    (store.root / "doc.txt").write_text("one two three four\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=D[0])
    return store


def test_notes_bind_by_number_and_every_other_change(doc_store):
    (doc_store.root / "doc.txt").write_text("ONE two THREE four FIVE\n", encoding="utf-8")
    notes = {
        2: NoteInput("  second  ", "factual", " src "),
        EVERY_OTHER_CHANGE: NoteInput("the rest", "style"),
    }
    rev = record(doc_store, "doc.txt", "Caps", notes=notes, identity=BOB, date=D[1])
    changes = doc_store.revision(rev).changes
    assert [(c.new.text, c.note.text, c.note.category) for c in changes] == [
        ("ONE", "the rest", "style"),
        ("THREE", "second", "factual"),
        (" FIVE", "the rest", "style"),
    ]
    assert changes[1].note.source == "src"
    assert (
        changes[1].note.author == "Bob Checker <bob@example.org>" and changes[1].note.date == D[1]
    )


def test_a_note_for_a_change_that_does_not_exist_records_nothing(doc_store):
    head = doc_store.head()
    (doc_store.root / "doc.txt").write_text("one TWO three four\n", encoding="utf-8")
    with pytest.raises(NoteError, match="no change 2"):
        record(doc_store, "doc.txt", "x", notes={2: NoteInput("n")}, identity=ANN, date=D[1])
    with pytest.raises(NoteError):
        record(doc_store, "doc.txt", "x", notes={1: NoteInput(" ")}, identity=ANN, date=D[1])
    doc_store.refresh()
    assert doc_store.head() == head


def test_refusals_leave_the_branch_alone(doc_store, tmp_path):
    head = doc_store.head()
    with pytest.raises(RecordRefusedError, match="no changes"):
        record(doc_store, "doc.txt", "Same", identity=ANN, date=D[1])
    (doc_store.root / "doc.txt").write_text("one two\n", encoding="utf-8")
    with pytest.raises(RecordRefusedError, match="summary"):
        record(doc_store, "doc.txt", "  ", identity=ANN, date=D[1])
    with pytest.raises(RecordRefusedError, match="before the last revision"):
        record(doc_store, "doc.txt", "Back", identity=ANN, date="2001-01-04T10:00:00+00:00")
    doc_store.refresh()
    assert doc_store.head() == head
    # The same date as the last revision is fine.
    record(doc_store, "doc.txt", "Same day", identity=ANN, date=D[0])


def test_require_notes_lists_the_unexplained_changes(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[0], require_notes=True)
    (store.root / "d.txt").write_text("a b c\n")
    record(store, "d.txt", "Add", identity=ANN, date=D[0])
    (store.root / "d.txt").write_text("A b C\n")
    with pytest.raises(RecordRefusedError, match=r"unexplained: 2: 'c' -> 'C'$"):
        record(store, "d.txt", "x", notes={1: NoteInput("n")}, identity=ANN, date=D[1])
    record(store, "d.txt", "x", notes={0: NoteInput("all")}, identity=ANN, date=D[1])


def test_record_leaves_git_clean_and_keeps_the_file_mode(doc_store):
    doc = doc_store.root / "doc.txt"
    doc.chmod(0o755)
    git(doc_store.root, "-c", "core.fileMode=true", "update-index", "--chmod=+x", "doc.txt")
    git(doc_store.root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "exec")
    doc.write_text("one two three four five\n", encoding="utf-8")
    record(doc_store, "doc.txt", "Five", identity=ANN)  # now: after the plain commit
    assert git(doc_store.root, "status", "--porcelain").strip() == ""
    assert git(doc_store.root, "ls-tree", "HEAD", "doc.txt").startswith("100755 ")
    assert git(doc_store.root, "rev-list", "--count", "HEAD").strip() == "4"


def test_journal_records_each_write_with_its_previous_value(doc_store):
    (doc_store.root / "doc.txt").write_text("one 2 three four\n", encoding="utf-8")
    rev = record(doc_store, "doc.txt", "Two", identity=ANN, date=D[1])
    add_later_note(doc_store, rev, 1, NoteInput("first"), ANN, D[2])
    notes_commit = add_later_note(doc_store, rev, 1, NoteInput("second"), ANN, D[2])
    events = read_journal(doc_store)
    assert [e["event"] for e in events] == ["setup", "record", "record", "note", "note"]
    assert events[2]["commit"] == rev and events[2]["previous"] == events[1]["commit"]
    assert events[0]["previous"] is None and events[2]["document"] == "doc.txt"
    assert events[4]["ref"] == NOTES_REF and events[4]["commit"] == notes_commit
    assert events[4]["previous"] == events[3]["commit"]
    assert all(e["v"] == 1 and len(e["journal_commit"]) == 40 for e in events)
    assert git(doc_store.root, "rev-parse", f"{notes_commit}^").strip() == events[3]["commit"]
    log = git(doc_store.root, "log", "--format=%s", NOTES_REF).splitlines()
    assert log == [f"Correct note on {rev[:12]} change 1 [other]", f"Add note on {rev[:12]} "
                   "change 1 [other]"]  # fmt: skip
    entries = doc_store.later_notes(rev)
    assert [e["text"] for e in entries] == ["first", "second"]
    with pytest.raises(NoteError, match="no change 2"):
        add_later_note(doc_store, rev, 2, NoteInput("x"), ANN, D[2])


def test_journal_write_is_a_compare_and_swap(doc_store):
    head = doc_store.head()
    journal = doc_store.ref(JOURNAL_REF)
    stale = git(doc_store.root, "rev-parse", "HEAD~1").strip()
    with pytest.raises(DirtyStoreError):
        write_with_journal(doc_store, "refs/heads/main", stale, stale, {"event": "x"}, ANN, D[1])
    assert doc_store.ref("HEAD") == head and doc_store.ref(JOURNAL_REF) == journal


def test_read_journal_skips_commits_that_are_not_events(doc_store):
    assert read_journal(Store.open(doc_store.root))[-1]["event"] == "record"
    tree = git(doc_store.root, "mktree", input=b"").strip()
    tip = doc_store.ref(JOURNAL_REF)
    env = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x",
           "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@x"}  # fmt: skip
    for message in ("no event", "Tracker-Event: {bad json", 'Tracker-Event: ["list"]'):
        tip = subprocess.run(
            ["git", "commit-tree", tree, "-p", tip, "-m", message],
            cwd=doc_store.root, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    git(doc_store.root, "update-ref", JOURNAL_REF, tip)
    # Events recorded after the strangers are still read.
    (doc_store.root / "doc.txt").write_text("one 2 three four\n", encoding="utf-8")
    record(doc_store, "doc.txt", "Two", identity=ANN, date=D[1])
    assert [e["event"] for e in read_journal(doc_store)] == ["setup", "record", "record"]


def test_creating_a_ref_that_appeared_meanwhile_is_refused(doc_store):
    head = doc_store.head()
    git(doc_store.root, "update-ref", "refs/notes/other", head)
    with pytest.raises(DirtyStoreError):
        write_with_journal(doc_store, "refs/notes/other", head, None, {"event": "x"}, ANN, D[1])


def test_the_store_object_sees_its_own_writes(doc_store):
    (doc_store.root / "doc.txt").write_text("one 2 three four\n", encoding="utf-8")
    rev = record(doc_store, "doc.txt", "Two", identity=ANN, date=D[1])
    assert doc_store.head() == rev
    assert doc_store.revision("HEAD").review is None
    add_review(doc_store, "HEAD", "approved", identity=BOB, date=D[2])
    assert doc_store.revision("HEAD").review.status == "approved"


def test_signing_settings_are_read_as_git_reads_booleans(doc_store):
    root = doc_store.root

    def config(*args: str) -> None:
        git(root, "config", *args)
        gitcmd.forget_config(root)  # as the tracker does after it writes config

    assert signing(doc_store) == []
    for false in ("false", "0", "no", "off"):
        config("commit.gpgSign", false)
        assert signing(doc_store) == [], false
    config("gpg.format", "openpgp")
    for true in ("true", "1", "yes", "on", "-2"):
        config("commit.gpgSign", true)
        assert signing(doc_store) == ["-c", "gpg.format=openpgp"], true
    config("user.signingKey", " KEY1 ")
    assert signing(doc_store) == ["-c", "gpg.format=openpgp", "-c", "user.signingKey=KEY1"]
    config("gpg.format", "X509")
    assert signing(doc_store)[:2] == ["-c", "gpg.format=x509"]
    config("gpg.format", "pgp2")
    with pytest.raises(SigningError):
        signing(doc_store)
    config("gpg.format", "ssh")
    assert signing(doc_store)[:2] == ["-c", "gpg.format=ssh"]
    config("--unset", "user.signingKey")
    with pytest.raises(SigningError):
        signing(doc_store)


def test_a_review_needs_a_known_status_and_a_flag_a_comment(doc_store):
    with pytest.raises(Exception, match="unknown review status"):
        add_review(doc_store, "HEAD", "maybe", identity=ANN, date=D[1])
    with pytest.raises(Exception, match="needs a comment"):
        add_review(doc_store, "HEAD", "flagged", "  ", identity=ANN, date=D[1])
    add_review(doc_store, "HEAD", "flagged", "typo", identity=ANN, date=D[1])
    add_review(doc_store, "HEAD", "approved", identity=BOB, date=D[2])
    status = Store.open(doc_store.root).revision("HEAD").review
    assert status.status == "approved" and status.history == 1


def test_require_notes_message_names_each_unexplained_change_briefly(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[0], require_notes=True)
    words = [f"w{i}" for i in range(24)]
    (store.root / "d.txt").write_text(" ".join(words) + "\n")
    record(store, "d.txt", "Add", identity=ANN, date=D[0])

    def refusal(text: str) -> str:
        (store.root / "d.txt").write_text(text)
        with pytest.raises(RecordRefusedError) as refused:
            record(store, "d.txt", "x", identity=ANN, date=D[1])
        return refused.value.message

    twelve = " ".join(w.upper() if i % 2 else w for i, w in enumerate(words)) + "\n"
    message = refusal(twelve)
    assert "unexplained: 1: 'w1' -> 'W1'; 2: 'w3' -> 'W3'; " in message
    assert message.endswith("10: 'w19' -> 'W19' and 2 more")
    assert refusal(" ".join(words[1:]) + "\n").endswith("unexplained: 1: -'w0'")
    long = " ".join(words) + " " + "x" * 40 + "\n"
    assert refusal(long).endswith(f"unexplained: 1: +'{'x' * 27}...'")
    exact = " ".join(words) + " " + "y" * 30 + "\n"
    assert refusal(exact).endswith(f"unexplained: 1: +'{'y' * 30}'")
    assert refusal(" ".join(words) + "\n\n").endswith("unexplained: 1: +'\\\\n'")


def test_a_stale_index_entry_left_by_the_tracker_does_not_block_the_next_record(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[0])
    for name in ("a.txt", "b.txt"):
        (store.root / name).write_text(f"{name} one\n")
        record(store, name, f"Add {name}", identity=ANN, date=D[0])
    (store.root / "a.txt").write_text("a.txt two\n")
    lock = store.git_dir / "index.lock"
    lock.write_text("")  # another program holds the index past the commit point
    warnings: list[str] = []
    record(store, "a.txt", "Two", identity=ANN, date=D[1], warnings=warnings)
    assert len(warnings) == 1 and "index" in warnings[0]
    lock.unlink()
    assert "a.txt" in git(store.root, "diff", "--cached", "--name-only")
    (store.root / "b.txt").write_text("b.txt two\n")
    record(store, "b.txt", "Two", identity=ANN, date=D[1])  # not "staged by another program"
    assert git(store.root, "status", "--porcelain").strip() == ""
    # A change staged by someone else still blocks.
    (store.root / "a.txt").write_text("a.txt three\n")
    git(store.root, "add", "a.txt")
    (store.root / "b.txt").write_text("b.txt three\n")
    with pytest.raises(DirtyStoreError, match=r"staged by another program \(a.txt\)"):
        record(store, "b.txt", "Three", identity=ANN, date=D[2])


@pytest.mark.parametrize("planted", ["a .tracker file", "an untracked .tracker/config.json"])
def test_init_refuses_a_tracker_settings_path_that_is_someone_elses(tmp_path, planted):
    """A ``.tracker`` already in the work tree is not the tracker's: ``init`` must not
    overwrite it (or half set up the store and then fail)."""
    from conftest import run_cli

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    theirs = b"someone's own notes, not ours\n"
    if planted == "a .tracker file":
        (root / ".tracker").write_bytes(theirs)
        path = root / ".tracker"
    else:
        (root / ".tracker").mkdir()
        path = root / ".tracker" / "config.json"
        path.write_bytes(theirs)
    refused = run_cli("init", str(root))
    assert refused.code != 0
    assert "not the tracker's" in refused.err or "not a folder" in refused.err
    assert path.read_bytes() == theirs
    assert git(root, "for-each-ref") == ""  # no commit, no journal, no notes


def test_a_new_note_keeps_every_other_revisions_notes(tmp_path):
    """Setting one revision's note rewrites the notes tree: every other revision's note
    (records' later notes, reviews) must come through it whole."""
    store = init_store(tmp_path / "s", ANN, D[0])
    doc = store.root / "doc.txt"
    revs = []
    for i, text in enumerate(["one two\n", "one TWO\n", "ONE TWO\n", "ONE TWO three\n"]):
        doc.write_text(text, encoding="utf-8")
        record(store, "doc.txt", f"Rev {i}", identity=ANN, date=D[i])
        revs.append(git(store.root, "rev-parse", "HEAD").strip())
    add_later_note(store, revs[1], 1, NoteInput("first later", "factual"), BOB, D[4])
    add_review(store, revs[1], "approved", "fine", identity=BOB, date=D[4])

    def entries(ref: str) -> dict[str, str]:
        listing = git(store.root, "notes", f"--ref={ref}", "list")
        return dict(reversed(line.split()) for line in listing.splitlines())

    notes_before, reviews_before = entries(NOTES_REF), entries("refs/notes/tracker-reviews")
    add_later_note(store, revs[2], 1, NoteInput("second later", "style"), BOB, D[5])
    add_review(store, revs[3], "flagged", "check", identity=BOB, date=D[5])
    notes_after, reviews_after = entries(NOTES_REF), entries("refs/notes/tracker-reviews")
    assert set(notes_after) == set(notes_before) | {revs[2]}
    assert all(notes_after[rev] == blob for rev, blob in notes_before.items())
    assert set(reviews_after) == set(reviews_before) | {revs[3]}
    assert all(reviews_after[rev] == blob for rev, blob in reviews_before.items())
