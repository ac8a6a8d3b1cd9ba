"""The command line and the file system (issue 7): names never reach the terminal raw,
special files are refused without blocking, only tracker stores are written to, and
ordinary conditions (a full disk, Ctrl-C, a closed pipe, the C locale) end cleanly."""

from __future__ import annotations

import errno
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, git, run_cli, snapshot

# OSC "set title" + BEL, a CSI colour, an 8-bit CSI (C1) and a newline, in one file name.
EVIL = "e\x1b]0;PWNED\x07 \x1b[31mred\u009b1m\nend.md"


def run_bytes(
    *args: str, cwd=None, env=None, timeout: float = 60, prefix: tuple[str, ...] = ()
) -> tuple[int, bytes, bytes]:
    """The real CLI with its raw output bytes (run_cli decodes, which could hide a byte)."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr


def run_pty(*args: str, cwd=None, timeout: float = 60) -> tuple[int, bytes]:
    """The real CLI on a pseudo-terminal (stdout and stderr), as a person runs it."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError as error:  # EIO: the child closed the terminal
                    if error.errno != errno.EIO:
                        raise
                    data = b""
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, b"".join(chunks)


def assert_nothing_raw(data: bytes, on_terminal: bool = False) -> str:
    """No ESC/BEL/C1 from the name reaches the output; returns the text for more checks.

    On a terminal rich styles text with CSI sequences of its own, so there only the
    name's own sequences (OSC, BEL, 8-bit CSI) are looked for.
    """
    text = data.decode("utf-8")
    assert "\x07" not in text, text
    assert not any(0x80 <= ord(ch) <= 0x9F for ch in text), text
    if on_terminal:
        assert "\x1b]" not in text, text
    else:
        assert "\x1b" not in text, text
    return text


@pytest.fixture
def evil_store(tmp_path):
    """A store whose one document has ESC, BEL, CSI, C1 and a newline in its name."""
    root = tmp_path / "s"
    assert run_cli("init", str(root)).code == 0
    (root / EVIL).write_text("The red fox.\n", encoding="utf-8")
    return root


def test_a_name_with_escapes_is_shown_not_obeyed_on_a_pipe(evil_store):
    root = str(evil_store)
    code, out, err = run_bytes("-C", root, "add", EVIL)
    assert code == 0, err
    text = assert_nothing_raw(out + err)
    assert "Tracking e␛]0;PWNED␇" in text and "end.md" in text
    (evil_store / EVIL).write_text("The green fox.\n", encoding="utf-8")
    runs = [
        ["status"],
        ["status", EVIL],
        ["diff", EVIL],
        ["record", EVIL, "-m", "Colour", "--note", "1=checked"],
        ["log"],
        ["log", EVIL],
        ["show", "HEAD"],
        ["diff", "HEAD~1", "HEAD", EVIL],
        ["blame"],
        ["export", "--format", "md"],
        ["export", "--format", "html"],
        ["export", "--format", "md", "-o", str(evil_store.parent / ("report " + EVIL))],
    ]
    for args in runs:
        code, out, err = run_bytes("-C", root, *args)
        assert code == 0, (args, err)
        text = assert_nothing_raw(out + err)
        if args[0] not in ("record", "blame"):  # those two do not print the name
            assert "PWNED" in text and "end.md" in text, (args, text)
    report = (evil_store.parent / ("report " + EVIL)).read_bytes()
    assert_nothing_raw(report)
    assert "PWNED" in report.decode()


def test_a_name_with_escapes_committed_by_plain_git_is_shown_literally(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    for text in ("The red fox.\n", "The green fox.\n"):
        (root / EVIL).write_text(text)
        git(root, "add", "-A")
        git(root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "Edit")
    (root / EVIL).write_text("The blue fox.\n")
    for args in (
        ["log"],
        ["show", "HEAD"],
        ["status"],
        ["diff"],
        ["diff", "HEAD~1", "HEAD"],
        ["verify"],
        ["export", "--format", "md"],
        ["add", EVIL],  # refused (not a store): the error names the file's store
    ):
        code, out, err = run_bytes("-C", str(root), *args)
        assert code != 70 and b"Traceback" not in err, (args, err)
        text = assert_nothing_raw(out + err)
        if args[0] in ("log", "show", "status", "diff", "export"):
            assert "␛" in text and "PWNED␇" in text, (args, text)


def test_error_messages_show_names_and_revisions_literally(evil_store):
    root = str(evil_store)
    assert run_bytes("-C", root, "add", EVIL)[0] == 0
    failures = [
        ["record", EVIL, "-m", "x"],  # no changes: the message names the document
        ["log", "missing " + EVIL],  # not a document, and the hint lists the real one
        ["show", "HEAD\x1b]0;PWNED\x07"],  # an unknown revision
        ["show", "refs/heads/\u009b31mPWNED"],  # a ref name may hold C1 characters
        ["log", "--\x1b]0;PWNED\x07"],  # argparse quotes the unknown option
        ["init", str(evil_store / EVIL)],  # a file, not a folder
    ]
    for args in failures:
        code, out, err = run_bytes("-C", root, *args)
        assert code not in (0, 70), (args, err)
        text = assert_nothing_raw(out + err)
        lines = text.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tracker: error: "), (args, text)
        assert "PWNED" in text, (args, text)


def test_a_name_with_escapes_is_shown_not_obeyed_on_a_terminal(evil_store):
    root = str(evil_store)
    code, data = run_pty("-C", root, "add", EVIL)
    assert code == 0, data
    assert "e␛]0;PWNED␇" in assert_nothing_raw(data, on_terminal=True)
    (evil_store / EVIL).write_text("The green fox.\n", encoding="utf-8")
    for args in (
        ["status"],
        ["record", EVIL, "-m", "Colour", "--note", "1=checked"],
        ["log"],
        ["show", "HEAD"],
        ["diff", "HEAD~1", "HEAD"],
        ["export", "--format", "md"],
        ["log", "missing " + EVIL],
    ):
        code, data = run_pty("-C", root, *args)
        text = assert_nothing_raw(data, on_terminal=True)
        if args[0] != "record":
            assert "PWNED" in text, (args, text)


def plant_note_document(root: Path, ref: str, entries: list) -> None:
    """Write a notes document for HEAD with plain git, as anyone with the repository can."""
    import json

    blob = json.dumps({"v": 1, "entries": entries})
    git(root, "notes", f"--ref={ref}", "add", "-f", "-m", blob, "HEAD")


OSC = "\x1b]0;PWNED\x07"


@pytest.mark.parametrize("values", ["escapes", "not-text"])
def test_reviews_and_later_notes_planted_with_plain_git_are_shown_literally(doc_store, values):
    """Every field of a review or later note is untrusted text (dates and statuses too),
    and may not even be text: each command shows it literally and none crashes."""
    (doc_store / "article.txt").write_text("The big red fox.\n", encoding="utf-8")
    args = ["record", "article.txt", "-m", "Two", "--note", "1=why"]
    assert run_cli("-C", str(doc_store), *args).code == 0
    if values == "escapes":
        review = {"status": OSC, "comment": OSC, "author": OSC, "date": OSC}
        note = {"change": OSC, "text": OSC, "category": OSC, "author": OSC, "date": OSC}
        later = {**note, "change": 1, "source": OSC}
    else:
        review = {"status": "approved", "comment": ["x"], "author": 5, "date": 7}
        note = {"change": {"n": 1}, "text": ["t"], "category": 3, "author": None, "date": 3}
        later = {**note, "change": 1, "source": 7}
    plant_note_document(doc_store, "refs/notes/tracker-reviews", [review])
    plant_note_document(doc_store, "refs/notes/tracker", [note, later])
    for command in (
        ["log"],
        ["log", "--json"],
        ["show", "HEAD"],
        ["notes-history", "HEAD"],
        ["blame"],
        ["export", "--format", "md"],
        ["export", "--format", "html"],
        ["export", "--format", "json"],
    ):
        code, out, err = run_bytes("-C", str(doc_store), *command)
        assert code == 0, (command, err)
        assert_nothing_raw(out + err)


def test_a_forged_change_kind_in_a_record_is_not_shown(doc_store):
    """A record is JSON in a commit message that anyone can write; a change kind that is
    not insert, delete or replace makes it a forged record, read as a foreign commit."""
    (doc_store / "article.txt").write_text("The big red fox.\n", encoding="utf-8")
    args = ["record", "article.txt", "-m", "Two", "--note", "1=why"]
    assert run_cli("-C", str(doc_store), *args).code == 0
    message = git(doc_store, "log", "-1", "--format=%B")
    forged = message.replace('"kind": "insert"', '"kind": "\\u001b]0;PWNED\\u0007"')
    assert forged != message
    git(doc_store, "-c", "user.name=E", "-c", "user.email=e@x", "commit", "-q", "--amend",
        "-m", forged)  # fmt: skip
    for command in (["show", "HEAD"], ["diff", "HEAD~1", "HEAD"], ["diff", "HEAD~1", "HEAD",
                    "--inline"], ["show", "HEAD", "--json"]):  # fmt: skip
        code, out, err = run_bytes("-C", str(doc_store), *command)
        assert code == 0, (command, err)
        text = assert_nothing_raw(out + err)
        assert "PWNED" not in text and "big" in text, (command, text)
        if command[0] == "show":  # the change, computed from the texts, is listed
            assert "insert" in text, text
    # log --json (which copies a well-formed record's changes as they are) agrees.
    import json

    newest = json.loads(run_cli("-C", str(doc_store), "log", "--json").out)["revisions"][0]
    assert newest["recorded_by_tracker"] is False
    assert [c["kind"] for c in newest["changes"]] == ["insert"]


# -- special files -----------------------------------------------------------------------


@pytest.fixture
def doc_store(tmp_path):
    root = tmp_path / "s"
    assert run_cli("init", str(root)).code == 0
    (root / "article.txt").write_text("The red fox.\n", encoding="utf-8")
    assert run_cli("-C", str(root), "add", "article.txt").code == 0
    return root


def assert_clean_failure(code: int, out: bytes, err: bytes, *words: str) -> None:
    assert code not in (0, 70), err
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: error: "), err
    assert b"Traceback" not in out + err
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "article.txt"],
        ["diff"],
        ["record", "article.txt", "-m", "x", "--note", "1=why"],
    ],
)
def test_a_fifo_as_the_document_is_refused_without_blocking(doc_store, args):
    (doc_store / "article.txt").unlink()
    os.mkfifo(doc_store / "article.txt")
    before = snapshot_refs(doc_store)
    started = time.monotonic()
    # A blocked open would never return: the timeout turns that into a failure.
    code, out, err = run_bytes("-C", str(doc_store), *args, timeout=60)
    assert_clean_failure(code, out, err, "article.txt", "not a regular file")
    assert time.monotonic() - started < 60
    assert snapshot_refs(doc_store) == before


def test_adding_a_fifo_is_refused_without_blocking(doc_store):
    os.mkfifo(doc_store / "pipe.txt")
    before = snapshot_refs(doc_store)
    code, out, err = run_bytes("-C", str(doc_store), "add", "pipe.txt", timeout=60)
    assert_clean_failure(code, out, err, "pipe.txt", "not a regular file")
    assert snapshot_refs(doc_store) == before


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["diff"],
        ["diff", "article.txt"],
        ["record", "article.txt", "-m", "x", "--note", "*=why"],
    ],
)
def test_a_symlink_leaving_the_store_is_not_read(doc_store, tmp_path, args):
    secret = tmp_path / "secret.txt"
    secret.write_text("The red fox. SECRET\n", encoding="utf-8")
    (doc_store / "article.txt").unlink()
    (doc_store / "article.txt").symlink_to(secret)
    before = snapshot_refs(doc_store)
    code, out, err = run_bytes("-C", str(doc_store), *args)
    assert_clean_failure(code, out, err, "article.txt", "outside the store")
    assert b"SECRET" not in out + err
    assert snapshot_refs(doc_store) == before
    assert "SECRET" not in git(doc_store, "log", "-p", "--all")


def test_a_document_in_a_folder_linked_out_of_the_store_is_not_read(doc_store, tmp_path):
    (doc_store / "part").mkdir()
    (doc_store / "part" / "b.txt").write_text("Inside.\n")
    assert run_cli("-C", str(doc_store), "add", "part/b.txt").code == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("Inside. SECRET\n")
    (doc_store / "part" / "b.txt").unlink()
    (doc_store / "part").rmdir()
    (doc_store / "part").symlink_to(outside)
    code, out, err = run_bytes("-C", str(doc_store), "status")
    assert_clean_failure(code, out, err, "part/b.txt", "outside the store")
    assert b"SECRET" not in out + err


def test_adding_a_symlink_that_leaves_the_store_is_refused(doc_store, tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET\n")
    (doc_store / "link.txt").symlink_to(tmp_path / "secret.txt")
    before = snapshot_refs(doc_store)
    code, out, err = run_bytes("-C", str(doc_store), "add", "link.txt")
    assert_clean_failure(code, out, err, "link.txt", "symbolic link", "outside the store")
    assert snapshot_refs(doc_store) == before


def test_export_refuses_a_fifo_a_symlink_and_a_device(doc_store, tmp_path):
    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)
    target = tmp_path / "target.html"
    target.write_text("keep me")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    for output in (str(fifo), str(link), os.devnull):
        code, out, err = run_bytes("-C", str(doc_store), "export", "-o", output, timeout=60)
        assert_clean_failure(code, out, err, output, "regular file")
    assert fifo.is_fifo()
    assert link.is_symlink() and target.read_text() == "keep me"
    assert Path(os.devnull).is_char_device()
    assert not list(tmp_path.glob(".tracker-export-*"))


def test_export_dash_o_dash_writes_to_stdout(doc_store):
    code, out, err = run_bytes("-C", str(doc_store), "export", "--format", "md", "-o", "-")
    assert code == 0, err
    assert out.startswith(b"# Corrections: article.txt")
    assert not (doc_store / "-").exists()
    code, out, err = run_bytes("-C", str(doc_store), "export", "-o", "report.html")
    assert code == 0 and (doc_store / "report.html").read_text().startswith("<!DOCTYPE html>")


def snapshot_refs(root: Path) -> str:
    return git(root, "for-each-ref", "--format=%(refname) %(objectname)")


# -- no store, no write ------------------------------------------------------------------


@pytest.fixture
def plain_repo(tmp_path):
    """Someone's ordinary git project, with one committed file and a sub-folder."""
    root = tmp_path / "project"
    (root / "notes").mkdir(parents=True)
    git(root, "init", "-q", "--initial-branch=main")
    (root / "README.md").write_text("A project.\n")
    git(root, "add", ".")
    git(root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "Start")
    return root


def test_add_in_a_folder_inside_a_plain_repository_is_refused(plain_repo):
    folder = plain_repo / "notes"
    (folder / "draft.txt").write_text("A draft.\n")
    before = snapshot(plain_repo)
    for args in (["add", "draft.txt"], ["record", "draft.txt", "-m", "x"]):
        result = run_cli(*args, cwd=folder)
        assert result.code not in (0, 70), result
        assert result.err.startswith("tracker: error: ") and len(result.err.splitlines()) == 1
        assert "not a tracker store" in result.err and "tracker init" in result.err
    assert snapshot(plain_repo) == before
    assert git(plain_repo, "rev-list", "--count", "--all").strip() == "1"


def test_every_writing_command_needs_a_store_made_by_init(plain_repo):
    (plain_repo / "README.md").write_text("A changed project.\n")
    git(plain_repo, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qam", "Edit")
    (plain_repo / "README.md").write_text("A changed project, again.\n")
    before = snapshot(plain_repo)
    for args in (
        ["add", "README.md"],
        ["record", "README.md", "-m", "x", "--note", "1=why"],
        ["note", "HEAD", "1", "why"],
        ["review", "HEAD", "--approve"],
        ["review", "HEAD", "--flag", "wrong"],
    ):
        result = run_cli("-C", str(plain_repo), *args)
        assert result.code not in (0, 70), (args, result)
        assert "not a tracker store" in result.err and "tracker init" in result.err, args
    assert snapshot(plain_repo) == before
    # Reading a plain repository stays allowed.
    assert run_cli("-C", str(plain_repo), "log", "README.md").code == 0
    # And tracker init makes it one, after which writing works.
    assert run_cli("-C", str(plain_repo), "init").code == 0
    assert run_cli("-C", str(plain_repo), "review", "HEAD~1", "--approve").code == 0


def test_the_app_writes_through_the_same_check(plain_repo):
    """The app records, annotates and approves through porcelain.py and reviews.py."""
    from tracker import porcelain
    from tracker.errors import NotAStoreError
    from tracker.model import APPROVED
    from tracker.recording import add_review as review

    store = porcelain.open_store(plain_repo)
    (plain_repo / "README.md").write_text("Changed.\n")
    with pytest.raises(NotAStoreError):
        porcelain.record_revision(store, "README.md", "x", notes={1: porcelain.NoteInput("why")})
    with pytest.raises(NotAStoreError):
        porcelain.note(store, "HEAD", 1, "why")
    with pytest.raises(NotAStoreError):
        review(store, "HEAD", APPROVED)
    assert git(plain_repo, "rev-list", "--count", "--all").strip() == "1"


# -- ordinary conditions: clean errors, never exit 70 --------------------------------------


def test_init_and_demo_given_a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    for args in (["init", str(path)], ["demo", "--path", str(path), "--no-tui"]):
        code, out, err = run_bytes(*args)
        assert_clean_failure(code, out, err, str(path), "not a folder")
    assert path.read_text() == "not a folder"


def test_a_non_utf8_file_name_is_refused_by_name(doc_store):
    name = os.fsdecode(b"caf\xe9.txt")
    (doc_store / name).write_text("text\n")
    code, out, err = run_bytes("-C", str(doc_store), "add", name)
    assert_clean_failure(code, out, err, "caf\\xe9.txt", "not valid UTF-8")


def test_a_store_in_a_folder_whose_name_is_not_utf8(tmp_path):
    """Only document names must be UTF-8; the folder a store sits in can be anything the
    file system allows (an old Latin-1 home folder), and git was never "not installed"."""
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    code, out, err = run_bytes("init", str(folder))
    assert code == 0, err
    (folder / "a.txt").write_text("One.\n")
    code, out, err = run_bytes("-C", str(folder), "add", "a.txt")
    assert code == 0, err
    (folder / "a.txt").write_text("Two.\n")
    code, out, err = run_bytes("-C", str(folder), "record", "a.txt", "-m", "x", "--note", "1=y")
    assert code == 0, err
    code, out, err = run_bytes("-C", str(folder), "log")
    assert code == 0 and b"2 revision(s) of a.txt" in out, err
    code, out, err = run_bytes("demo", "--path", str(tmp_path / os.fsdecode(b"d\xe9")), "--no-tui")
    assert code == 0 and out.strip().endswith(b"/d\\udce9"), (out, err)  # shown, not raw


def test_a_store_owned_by_another_user_is_named_as_such(doc_store):
    """git refuses a repository another user owns (safe.directory); telling the user it
    is "not in a git repository" and to run init there sends them the wrong way."""
    if os.geteuid() != 0:
        pytest.skip("giving the store to another user needs root")
    subprocess.run(["chown", "-R", "65534:65534", str(doc_store)], check=True)
    for args in (["log"], ["status"], ["init"]):
        code, out, err = run_bytes("-C", str(doc_store), *args)
        assert_clean_failure(code, out, err, "owned by another user", "safe.directory")
        assert b"tracker init" not in err and b"not in a git repository" not in err, err


def test_the_c_locale_with_coercion_off(tmp_path):
    """Python reads arguments and file names as ASCII there, and stdout is ASCII."""
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    root = tmp_path / "s"
    assert run_cli("init", str(root), env=env).code == 0
    (root / "café.txt").write_text("Le café “noir”.\n", encoding="utf-8")
    result = run_cli("-C", str(root), "add", "café.txt", "-m", "Ajouté", env=env)
    assert result.code == 0, result.err
    assert "Tracking café.txt" in result.out
    (root / "café.txt").write_text("Le café “noir”, déjà.\n", encoding="utf-8")
    result = run_cli("-C", str(root), "status", env=env)
    assert result.code == 0 and "déjà" in result.out, result.err
    args = ["record", "café.txt", "-m", "Précisé", "--note", "1=déjà vu"]
    assert run_cli("-C", str(root), *args, env=env).code == 0
    result = run_cli("-C", str(root), "log", env=env)
    assert result.code == 0 and "Précisé" in result.out and "café.txt" in result.out
    assert git(root, "log", "-1", "--format=%s").strip() == "Précisé"


def test_stdout_on_a_full_disk(doc_store):
    for args in (["log"], ["log", "--json"], ["export"]):
        with open("/dev/full", "wb") as full:
            proc = subprocess.run(
                [sys.executable, "-m", "tracker", "-C", str(doc_store), *args],
                stdout=full,
                stderr=subprocess.PIPE,
                timeout=60,
            )
        assert_clean_failure(proc.returncode, b"", proc.stderr, "No space left on device")


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 1 MiB file system of our own (needs root and mount); skipped elsewhere."""
    point = tmp_path / "mnt"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_read_only_store(small_tmpfs):
    root = small_tmpfs / "s"
    assert run_cli("init", str(root)).code == 0
    (root / "a.txt").write_text("One.\n")
    assert run_cli("-C", str(root), "add", "a.txt").code == 0
    (root / "a.txt").write_text("Two.\n")
    remount = ["mount", "-o", "remount,ro", str(small_tmpfs)]
    assert subprocess.run(remount, capture_output=True).returncode == 0
    for args in (
        ["record", "a.txt", "-m", "x", "--note", "1=why"],
        ["review", "HEAD", "--approve"],
        ["export", "-o", "r.html"],
        ["init", "other"],
        ["demo", "--path", "d", "--no-tui"],
    ):
        code, out, err = run_bytes("-C", str(root), *args)
        assert_clean_failure(code, out, err, "Read-only file system")
    assert run_cli("-C", str(root), "log").code == 0  # reading still works


def test_a_store_without_write_permission(tmp_path):
    """The same for a user who may not write (chmod -R a-w)."""
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        # Root writes through permissions; without these capabilities it cannot.
        if shutil.which("setpriv") is None:
            pytest.skip("root ignores permissions and setpriv is missing")
        prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--")
    root = tmp_path / "s"
    assert run_cli("init", str(root)).code == 0
    (root / "a.txt").write_text("One.\n")
    assert run_cli("-C", str(root), "add", "a.txt").code == 0
    (root / "a.txt").write_text("Two.\n")
    subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
    try:
        for args in (
            ["record", "a.txt", "-m", "x", "--note", "1=why"],
            ["review", "HEAD", "--approve"],
            ["export", "-o", "r.html"],
            ["init", "other"],
        ):
            code, out, err = run_bytes("-C", str(root), *args, prefix=prefix)
            assert_clean_failure(code, out, err, "Permission denied")
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=True)


def test_a_full_disk(small_tmpfs):
    root = small_tmpfs / "s"
    assert run_cli("init", str(root)).code == 0
    (root / "a.txt").write_text("One.\n")
    assert run_cli("-C", str(root), "add", "a.txt").code == 0
    filler = small_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):
        while True:
            handle.write(b"x" * 4096)
            handle.flush()
    for args in (["export", "-o", "r.html"], ["review", "HEAD", "--approve"]):
        code, out, err = run_bytes("-C", str(root), *args)
        assert code not in (0, 70), err
        assert b"Traceback" not in err and len(err.splitlines()) == 1, err
    assert not (root / "r.html").exists()


def test_init_refused_by_a_full_disk_leaves_nothing_and_can_be_run_again(small_tmpfs):
    """git init stopped half-way by a full disk left a broken .git, and every later
    'tracker init' there said the folder is not in a git repository: a dead end."""
    filler = small_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):
        while True:
            handle.write(b"x" * 4096)
    for target in (small_tmpfs / "new", small_tmpfs / "existing"):
        if target.name == "existing":
            target.mkdir()
        code, out, err = run_bytes("init", str(target))
        assert_clean_failure(code, out, err, "No space left on device")
        if target.name == "existing":
            assert list(target.iterdir()) == []  # the user's folder stays, empty
        else:
            assert not target.exists()
    filler.unlink()
    for target in (small_tmpfs / "new", small_tmpfs / "existing"):
        assert run_cli("init", str(target)).code == 0
        assert run_cli("-C", str(target), "verify").code == 0


def test_a_git_folder_git_cannot_open_is_named_not_called_missing(tmp_path):
    """A .git left half-made (by an older tracker, a full disk, a copy cut short) is not
    "no git repository": init there could never succeed, so say what is wrong."""
    root = tmp_path / "s"
    (root / ".git").mkdir(parents=True)
    for args in (["log"], ["init"]):
        code, out, err = run_bytes("-C", str(root), *args)
        assert_clean_failure(code, out, err, ".git", "git cannot open it")
        assert b"not in a git repository" not in err, err


def test_a_write_refused_by_a_full_disk_leaves_no_lock_file_behind(small_tmpfs):
    """The store lock's pid file is written first: on a full disk it cannot be, and the
    half-made file must not stay in .git (one more on every try), nor block the next write."""
    root = small_tmpfs / "s"
    assert run_cli("init", str(root)).code == 0
    (root / "a.txt").write_text("One.\n")
    assert run_cli("-C", str(root), "add", "a.txt").code == 0
    (root / "a.txt").write_text("Two.\n")
    assert run_cli("-C", str(root), "record", "a.txt", "-m", "2", "--note", "1=why").code == 0
    (root / "a.txt").write_text("Three.\n")
    before = sorted(p.name for p in (root / ".git").iterdir())
    filler = small_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):
        while True:
            handle.write(b"x" * 4096)
    for args in (
        ["review", "HEAD", "--approve"],
        ["note", "HEAD", "1", "why"],
        ["record", "a.txt", "-m", "x", "--note", "1=why"],
    ):
        code, out, err = run_bytes("-C", str(root), *args)
        assert_clean_failure(code, out, err, "No space left on device")
    assert sorted(p.name for p in (root / ".git").iterdir()) == before
    filler.unlink()
    result = run_cli("-C", str(root), "record", "a.txt", "-m", "x", "--note", "1=why")
    assert result.code == 0, result.err


def test_human_output_piped_to_head_exits_quietly(doc_store):
    # Far more output than a pipe holds, so the writer meets the closed pipe.
    lines = [f"Line {n} of the article." for n in range(4000)]
    (doc_store / "article.txt").write_text("\n".join(lines) + "\n")
    assert run_cli("-C", str(doc_store), "record", "article.txt", "-m", "Long").code == 0
    (doc_store / "article.txt").write_text("\n".join(f"{x} Changed." for x in lines) + "\n")
    for args in (["status"], ["log"], ["show", "HEAD"], ["export", "--format", "md"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "-C", str(doc_store), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout.readline()  # head -1
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) in (0, 141, -signal.SIGPIPE), (args, err)
        assert err == b"", (args, err)


def run_into_closed_pipe(*args: str, stream: str, cwd=None) -> tuple[int, bytes]:
    """The real CLI with stdout or stderr a pipe whose reader has gone (head -0)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tracker", *args],
            cwd=cwd,
            stdout=write_end if stream == "stdout" else subprocess.PIPE,
            stderr=write_end if stream == "stderr" else subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    return proc.returncode, proc.stdout if stream == "stderr" else proc.stderr


def test_a_failure_is_not_reported_as_success_when_stderr_is_gone(doc_store):
    """Only the message is lost when nobody reads stderr: the exit code still says it failed."""
    for args, expected in (
        (["log", "nothing.txt"], 1),
        (["record", "nothing.txt", "-m", "x"], 1),
        (["log", "--no-such-option"], 2),
    ):
        code, _out = run_into_closed_pipe("-C", str(doc_store), *args, stream="stderr")
        assert code == expected, args


@pytest.mark.parametrize("args", [["verify"], ["verify", "--json"]])
def test_verify_keeps_its_verdict_when_its_reader_goes_away(doc_store, args):
    """verify | head: the findings may go unread, but the exit code must not turn into OK."""
    (doc_store / "article.txt").write_text("The red fox, changed by hand.\n", encoding="utf-8")
    git(doc_store, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qam", "By hand")
    assert run_cli("-C", str(doc_store), *args).code == 3
    code, err = run_into_closed_pipe("-C", str(doc_store), *args, stream="stdout")
    assert code == 3 and err == b"", err


@pytest.mark.parametrize("entry", ["module", "script"])
def test_ctrl_c_while_python_loads_the_cli(tmp_path, doc_store, entry):
    """SIGINT while the CLI's modules load (argparse here, made slow on purpose)."""
    if entry == "script":
        script = Path(sys.executable).parent / "tracker"
        if not script.exists():
            pytest.skip("no installed tracker script next to this python")
        command = [str(script)]
    else:
        command = [sys.executable, "-m", "tracker"]
    shim = tmp_path / "shim"
    shim.mkdir()
    ready = tmp_path / "ready"
    # Shadows the standard argparse: says it is loading, then takes its time.
    (shim / "argparse.py").write_text(
        "import os, time\nopen(os.environ['TRACKER_TEST_READY'], 'w').close()\ntime.sleep(60)\n"
    )
    pythonpath = os.pathsep.join((str(shim), str(REPO_ROOT)))  # the shim, then this tree
    env = {**os.environ, "PYTHONPATH": pythonpath, "TRACKER_TEST_READY": str(ready)}
    proc = subprocess.Popen(
        [*command, "-C", str(doc_store), "log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert ready.exists(), proc.communicate()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err, err
    assert proc.returncode == 130, err
    assert err == b"tracker: interrupted\n"


def test_an_internal_error_keeps_its_exit_code_when_stderr_is_gone(monkeypatch, doc_store):
    """A bug has no outside trigger, so one is planted in-process; the code must stay 70."""
    import io

    from tracker import porcelain
    from tracker.cli.main import main

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def bug(*args, **kwargs):
        raise RuntimeError("a planted bug")

    monkeypatch.setattr(porcelain, "open_store", bug)
    monkeypatch.setattr(sys, "stderr", Gone())
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not pytest's own file descriptor
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    assert main(["-C", str(doc_store), "status"]) == 70
