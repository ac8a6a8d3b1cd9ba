"""Issue 7, second review: siblings of the fixed bugs in paths the first fixes missed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from tui_helpers import run_app, settle

from tracker import porcelain
from tracker.recording import init_store, record
from tracker.store import Store

from conftest import ANN, DATE, git, run_cli

# -- 8: a writer that opened the store before another writer moved the branch ------------


def test_a_store_opened_before_another_record_still_records(tmp_path):
    """The branch read when the store was opened may be stale by the time the lock is
    taken (two documents recorded at once): recording reads it again under the lock,
    rather than refusing with a false "staged by another program"."""
    store = init_store(tmp_path / "s", ANN, DATE)
    for name in ("a.txt", "b.txt"):
        (store.root / name).write_text(f"The {name} text.\n")
        record(store, name, f"Add {name}", identity=ANN, date=DATE)
    mine = Store.open(store.root)  # like a command that has just started
    mine.documents()
    (store.root / "a.txt").write_text("The a.txt words.\n")
    (store.root / "b.txt").write_text("The b.txt words.\n")
    other = run_cli("-C", str(store.root), "record", "b.txt", "-m", "Other writer",
                    "--author", str(ANN))  # fmt: skip
    assert other.code == 0, other.err
    revision = porcelain.record_revision(mine, "a.txt", "Mine", author=str(ANN))
    assert revision.summary == "Mine"
    log = git(store.root, "log", "--format=%s", "-3").splitlines()
    assert log == ["Mine", "Other writer", "Add b.txt"]
    assert git(store.root, "status", "--porcelain") == ""


# -- 10: one huge field in the human listings, not only in log --json ---------------------


def test_show_and_log_show_one_huge_field_whole(tmp_path):
    """A 20 MB message is shown whole by ``show`` and ``log``, as ``log --json`` reads it.

    How long that takes (``visible()`` once looked at each character in a Python loop) is
    measured by bench/bench_huge_field.py, not here: a timed test fails under load."""
    root = tmp_path / "big"
    root.mkdir()
    git(root, "init", "-q")
    (root / "doc.txt").write_text("Text.\n")
    git(root, "add", "doc.txt")
    body = ("plain words " * 2_000_000).encode()
    git(root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-F", "-",
        input=b"Big message\n\n" + body)  # fmt: skip
    for command in (("log", "--json"), ("show", "HEAD"), ("log",)):
        result = run_cli("-C", str(root), *command)
        assert result.code == 0, result.err
        assert result.out.count("plain words") == 2_000_000, command


def _visible_char_by_char(text: str, show_invisible: bool) -> str:
    """The rule ``visible`` follows, one character at a time (the old, slow loop)."""
    import unicodedata

    from tracker.text.escape import _INVISIBLE, _TABLE

    out = []
    for ch in text:
        code = ord(ch)
        if code in _TABLE:
            out.append(_TABLE[code])
        elif code in _INVISIBLE:
            out.append(f"⟨{_INVISIBLE[code]}⟩" if show_invisible else ch)
        elif code > 0x7F and unicodedata.category(ch) == "Cf":
            out.append(f"⟨U+{code:04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None)), st.booleans())
def test_the_fast_visible_marks_exactly_what_the_character_rule_does(text, show_invisible):
    from tracker.text.escape import visible

    assert visible(text, show_invisible) == _visible_char_by_char(text, show_invisible)
    sample = "a\u00adb\u2066c\u200bd\x1be\u061c\U000e0001"
    assert visible(sample, show_invisible) == _visible_char_by_char(sample, show_invisible)


# -- 13 in the other screens that take typing: flag comment and annotate --------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from tracker.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("review-b") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    return target


def burst(app, *keys: str) -> None:
    """Queue keys as a fast typist or a paste sends them: all at once, none waited for."""
    for part in keys:
        for key in [part] if len(part) > 1 and part.isidentifier() else list(part):
            character = key if len(key) == 1 else {"enter": "\r", "escape": "\x1b"}.get(key)
            event = events.Key("space" if key == " " else key, character)
            event.set_sender(app)
            app._driver.send_message(event)


def flags(root) -> list[dict]:
    """The flags in the store (the bundled history's approvals are not the test's)."""
    from tracker.reviews import reviews_of

    every = [entry for entries in reviews_of(Store.open(root)).values() for entry in entries]
    return [entry for entry in every if entry["status"] == "flagged"]


def test_a_flag_comment_typed_in_one_burst_after_f_is_kept_whole(demo_copy):
    async def scenario(pilot, screen):
        burst(pilot.app, "F", "Wrong date in the lede", "enter")
        await settle(pilot, lambda: bool(flags(demo_copy)))

    run_app(demo_copy, scenario)
    assert [e["comment"] for e in flags(demo_copy)] == ["Wrong date in the lede"]


def test_a_note_typed_in_one_burst_after_a_is_saved_whole(demo_copy):
    async def scenario(pilot, screen):
        await pilot.press("n")
        before = Store.open(demo_copy).ref("refs/notes/tracker")
        burst(pilot.app, "a", " Checked against the court record", "enter")
        await settle(pilot, lambda: Store.open(demo_copy).ref("refs/notes/tracker") != before)

    run_app(demo_copy, scenario)
    history = porcelain.notes_history(Store.open(demo_copy), "HEAD")
    # Typed after the current wording, which the box starts with; none of it went astray.
    assert history[-1]["text"].endswith(". Checked against the court record")
    assert history[-1]["category"] == history[0]["category"]


@pytest.mark.parametrize("key", ["F", "a"])
def test_escape_after_typing_a_comment_or_note_asks_first(demo_copy, key):
    from textual.widgets import Input

    from tracker.tui.screens.confirm import ConfirmScreen

    async def scenario(pilot, screen):
        await pilot.press("n", key)
        box = pilot.app.screen
        await settle(pilot, lambda: isinstance(pilot.app.focused, Input))
        await pilot.press(*"Half a thought")
        field = pilot.app.focused
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("n")  # keep editing: nothing is lost
        await settle(pilot, lambda: pilot.app.screen is box)
        assert field.value == "Half a thought"
        await pilot.press("escape", "y")  # yes discards
        await settle(pilot, lambda: pilot.app.screen is screen)
        await pilot.press(key)  # nothing typed: esc leaves at once
        await settle(pilot, lambda: isinstance(pilot.app.focused, Input))
        await pilot.press("escape")
        await settle(pilot, lambda: pilot.app.screen is screen)

    head = git(demo_copy, "for-each-ref")
    run_app(demo_copy, scenario)
    assert git(demo_copy, "for-each-ref") == head, "nothing was written"


# -- 7 in init: nothing after the setup commit turns it into a failure -------------------------


def _plain_repo(root):
    root.mkdir()
    git(root, "init", "-q")
    (root / "doc.txt").write_text("Text.\n")
    git(root, "add", "doc.txt")
    git(root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "Base")


@pytest.mark.parametrize("planted", ["file", "config"])
def test_init_refuses_a_tracker_folder_it_did_not_make_before_committing(tmp_path, planted):
    """A '.tracker' file made init commit the setup, then fail writing the settings
    (exit 1 for a store that was set up); an untracked .tracker/config.json was
    overwritten. Both are refused before anything is written."""
    root = tmp_path / "repo"
    _plain_repo(root)
    mine = root / ".tracker" if planted == "file" else root / ".tracker" / "config.json"
    mine.parent.mkdir(exist_ok=True)
    mine.write_text("someone else's settings\n")
    refs = git(root, "for-each-ref")
    result = run_cli("-C", str(root), "init", "--author", str(ANN))
    assert result.code == 1
    assert len(result.err.splitlines()) == 1 and "already exists" in result.err
    assert "nothing was written" in result.err
    assert git(root, "for-each-ref") == refs
    assert mine.read_text() == "someone else's settings\n"


def test_init_with_a_held_index_lock_warns_and_succeeds(tmp_path):
    """The setup commit is the commit point: a held index.lock after it is a warning (it
    was dropped unsaid, and git status then showed the settings as deleted)."""
    root = tmp_path / "repo"
    _plain_repo(root)
    (root / ".git" / "index.lock").write_bytes(b"")
    result = run_cli("-C", str(root), "init", "--author", str(ANN))
    (root / ".git" / "index.lock").unlink()
    assert result.code == 0, result.err
    assert "Initialised" in result.out
    assert result.err.startswith("tracker: warning: ") and "index.lock" in result.err
    assert (root / ".tracker" / "config.json").is_file()


def test_after_an_index_lock_warning_other_documents_still_record(tmp_path):
    """A record that warned about a held index.lock left its document's index entry one
    revision behind; every later record of another document was then refused for
    "changes staged by another program" (the tracker's own). The entry is recognised,
    put in step, and the record goes through."""
    store = init_store(tmp_path / "s", ANN, DATE)
    for name in ("a.txt", "b.txt"):
        (store.root / name).write_text(f"The {name} text.\n")
        record(store, name, f"Add {name}", identity=ANN, date=DATE)
    lock = store.git_dir / "index.lock"
    lock.write_bytes(b"")
    (store.root / "a.txt").write_text("The a.txt words.\n")
    held = run_cli("-C", str(store.root), "record", "a.txt", "-m", "A", "--author", str(ANN))
    lock.unlink()
    assert held.code == 0 and "warning" in held.err, held.err
    assert git(store.root, "status", "--porcelain") != ""  # as the warning said
    (store.root / "b.txt").write_text("The b.txt words.\n")
    later = run_cli("-C", str(store.root), "record", "b.txt", "-m", "B", "--author", str(ANN))
    assert later.code == 0, later.err
    assert later.err == ""
    assert git(store.root, "status", "--porcelain") == ""


def test_changes_staged_by_plain_git_are_still_refused(tmp_path):
    """The control: a change someone staged with git is not mistaken for a stale entry."""
    store = init_store(tmp_path / "s", ANN, DATE)
    for name in ("a.txt", "b.txt"):
        (store.root / name).write_text(f"The {name} text.\n")
        record(store, name, f"Add {name}", identity=ANN, date=DATE)
    (store.root / "a.txt").write_text("Staged by hand.\n")
    git(store.root, "add", "a.txt")
    (store.root / "b.txt").write_text("The b.txt words.\n")
    result = run_cli("-C", str(store.root), "record", "b.txt", "-m", "B", "--author", str(ANN))
    assert result.code == 1 and "staged by another program (a.txt)" in result.err
    assert git(store.root, "diff", "--cached", "--name-only").strip() == "a.txt"


# -- 11: verify on a shallow clone says so, rather than accusing the boundary revision -----


def test_verify_on_a_shallow_clone_says_it_cannot_check(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "doc.txt"
    for number in range(1, 4):
        doc.write_text(f"Revision {number} of the text.\n")
        record(store, "doc.txt", f"Revision {number}", identity=ANN, date=DATE)
    assert run_cli("-C", str(store.root), "verify").code == 0  # the control: sound store
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{store.root}", str(clone)], check=True
    )
    git(clone, "fetch", "-q", "--depth", "1", "origin", "refs/tracker/*:refs/tracker/*")
    result = run_cli("-C", str(clone), "verify", "--json")
    report = json.loads(result.out)
    assert result.code == 3
    assert [f["kind"] for f in report["findings"]] == ["shallow"]
    assert "git fetch --unshallow" in report["findings"][0]["message"]


# -- 7: a full disk behind the output, after the commit point --------------------------------


def _to_dev_full(*args: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "tracker", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("json_output", [False, True])
def test_a_write_whose_output_cannot_be_written_still_exits_0(tmp_path, json_output):
    """'tracker record ... > file' on a full disk recorded the revision, then exited 1
    with "the disk is full": a script retried and was told there was nothing to record.
    Past the commit point, a lost output is a warning; before it, still an error."""
    store = init_store(tmp_path / "s", ANN, DATE)
    (store.root / "doc.txt").write_text("The first text.\n")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text("The second text.\n")
    flag = ["--json"] if json_output else []
    where = ["-C", str(store.root)]
    author = ["--author", str(ANN)]
    recorded = _to_dev_full(*where, "record", "doc.txt", "-m", "Second", *flag, *author)
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stderr.startswith("tracker: warning: done and kept in the store")
    assert git(store.root, "log", "-1", "--format=%s").strip() == "Second"
    noted = _to_dev_full(*where, "note", "HEAD", "1", "Why.", *flag, *author)
    assert noted.returncode == 0 and "warning" in noted.stderr, noted.stderr
    reviewed = _to_dev_full(*where, "review", "HEAD", "--approve", *author)
    assert reviewed.returncode == 0 and "warning" in reviewed.stderr, reviewed.stderr
    assert json.loads(run_cli(*where, "verify", "--json").out)["ok"]
    # The control: a command that wrote nothing still fails on a full disk.
    status = _to_dev_full(*where, "status", "doc.txt", *flag)
    assert status.returncode == 1 and "disk is full" in status.stderr


def test_an_init_that_waited_for_another_finds_the_store_set_up(tmp_path, monkeypatch):
    """Eight inits at once: one that checked before another committed, and got the lock
    after it, failed ("main moved while the tracker was writing", or the other's settings
    file called a stranger's). Under the lock it now sees the store set up, and is done."""
    import contextlib

    from tracker import recording

    root = tmp_path / "repo"
    _plain_repo(root)
    real_lock = recording.store_lock

    @contextlib.contextmanager
    def lock_after_another_init(git_dir):
        other = run_cli("-C", str(root), "init", "--author", str(ANN))
        assert other.code == 0, other.err
        with real_lock(git_dir):
            yield

    monkeypatch.setattr(recording, "store_lock", lock_after_another_init)
    store = recording.init_store(root, ANN, DATE)
    assert store.config.created_by_tracker
    assert git(root, "log", "--format=%s").count("Set up tracker store") == 1


@pytest.mark.parametrize("rename", [False, True])
def test_verify_on_a_detached_older_revision_says_so_not_rewritten(tmp_path, rename):
    """A reviewer who checks out an older revision (or a renamed branch's) was told that
    history was rewritten. It was not: verify says what it did not check, exits 3, and
    still reports a branch really reset behind the tracker's back (the control)."""
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "doc.txt"
    for number in range(1, 4):
        doc.write_text(f"Revision {number} of the text.\n")
        record(store, "doc.txt", f"Revision {number}", identity=ANN, date=DATE)
    branch = git(store.root, "symbolic-ref", "--short", "HEAD").strip()
    if rename:
        git(store.root, "branch", "-m", branch, "renamed")
        branch = "renamed"
    git(store.root, "checkout", "-q", "--detach", "HEAD~1")
    result = run_cli("-C", str(store.root), "verify", "--json")
    findings = json.loads(result.out)["findings"]
    assert result.code == 3
    assert [f["kind"] for f in findings] == ["detached"]
    assert f"git checkout {branch}" in findings[0]["message"]
    git(store.root, "checkout", "-q", "--detach", branch)  # detached at the tip: all checked
    assert run_cli("-C", str(store.root), "verify").code == 0
    git(store.root, "checkout", "-q", branch)
    git(store.root, "reset", "-q", "--hard", "HEAD~1")
    result = run_cli("-C", str(store.root), "verify", "--json")
    assert [f["kind"] for f in json.loads(result.out)["findings"]] == ["rewritten"]


# -- 5: a file name that is not UTF-8, committed with plain git ------------------------------


def test_a_file_name_that_is_not_utf8_is_reported_not_called_missing(tmp_path):
    """Decoded with replacement characters, such a name named no file: status said the
    file was missing from the work tree (it was not), log and diff asked to name one of
    two documents (one of which cannot be typed), and verify skipped its history unsaid."""
    store = init_store(tmp_path / "s", ANN, DATE)
    (store.root / "ok.txt").write_text("Hello.\n")
    record(store, "ok.txt", "Add ok.txt", identity=ANN, date=DATE)
    (store.root / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"Latin-1 name.\n")
    git(store.root, "add", "-A")
    git(store.root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "Name")
    where = ("-C", str(store.root))
    status = run_cli(*where, "status")
    assert status.code == 0 and "missing" not in status.out, status.out
    log = run_cli(*where, "log")
    assert log.code == 0 and "of ok.txt" in log.out, log.err
    verify = run_cli(*where, "verify", "--json")
    names = [f for f in json.loads(verify.out)["findings"] if f["kind"] == "name"]
    assert verify.code == 3 and len(names) == 1
    assert "caf\\xe9.txt is not valid UTF-8" in names[0]["message"]


# -- 6: a note or review dated before its own revision ---------------------------------------


def test_a_note_or_review_dated_before_its_revision_is_refused(tmp_path):
    """'--date' was checked against the future only: a review could be dated years before
    the revision it approves existed, and verify said nothing about it."""
    store = init_store(tmp_path / "s", ANN, DATE)
    (store.root / "doc.txt").write_text("The first text.\n")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text("The second text.\n")
    record(store, "doc.txt", "Second", identity=ANN, date=DATE)
    where, author = ("-C", str(store.root)), ("--author", str(ANN))
    refs = git(store.root, "for-each-ref")
    before = "2025-06-05T09:50:00+01:00"  # ten minutes before the revision (same zone)
    earlier_zone = "2025-06-05T08:30:00+00:00"  # 09:30 at +01:00: before it too
    for date in (before, earlier_zone):
        noted = run_cli(*where, "note", "HEAD", "1", "Why.", "--date", date, *author)
        reviewed = run_cli(*where, "review", "HEAD", "--approve", "--date", date, *author)
        for result in (noted, reviewed):
            assert result.code == 1, result.err
            assert "is before revision" in result.err and len(result.err.splitlines()) == 1
    assert git(store.root, "for-each-ref") == refs, "nothing was written"
    skew = "2025-06-05T09:58:00+01:00"  # two minutes before: another machine's clock
    assert run_cli(*where, "note", "HEAD", "1", "Skew.", "--date", skew, *author).code == 0
    later = "2025-06-05T09:30:00-01:00"  # 11:30 at +01:00: after it, in another zone
    assert run_cli(*where, "note", "HEAD", "1", "Why.", "--date", later, *author).code == 0
    assert run_cli(*where, "review", "HEAD", "--approve", "--date", later, *author).code == 0
