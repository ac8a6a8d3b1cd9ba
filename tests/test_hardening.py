"""The tracker never runs code that a repository or the environment names.

Every test sets up something hostile (a hook, an fsmonitor, a diff or filter driver, a
signing program, a poisoned environment) whose script only touches a marker file, runs
the tracker, and asserts that no marker appeared. Each test also has a positive control:
plain ``git`` run against the same setup *does* touch the marker, so the hostile setup is
known to be live and the test could fail.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.recording import init_store

from conftest import ANN, DATE, git, run_cli, snapshot

# -- helpers ---------------------------------------------------------------------------


def script(path: Path, body: str) -> Path:
    """Write an executable shell script."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body.rstrip("\n") + "\n")
    path.chmod(0o755)
    return path


def marker_script(path: Path, markers: Path, name: str, then: str = "exit 0") -> Path:
    """A script that touches ``markers/name`` and then runs ``then``."""
    return script(path, f"touch {shlex.quote(str(markers / name))}\n{then}")


def fired(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


def clear(markers: Path) -> None:
    for p in markers.iterdir():
        p.unlink()


def ok(result) -> str:
    assert result.code == 0, result.err
    return result.out


def as_json(result) -> dict:
    return json.loads(ok(result))


def plain_git(root: Path, *args: str, env: dict | None = None, check: bool = True):
    """Plain git with an explicit environment (for controls that use a hostile one)."""
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        check=check,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def markers(tmp_path) -> Path:
    path = tmp_path / "markers"
    path.mkdir()
    return path


def _plain_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    return root


def _tracker_session(root: Path, doc: str = "article.txt") -> None:
    """Use every writing and reading command of the CLI on a store (identity from git
    config, so that GitPython's config reader is used too)."""
    ok(run_cli("-C", str(root), "init"))
    (root / doc).write_text("The committee met on Monday to discuss the budget.\n")
    ok(run_cli("-C", str(root), "add", doc))
    (root / doc).write_text("The committee met on Tuesday to discuss the annual budget.\n")
    status = as_json(run_cli("-C", str(root), "status", "--json"))
    assert status["documents"][0]["changes"]
    ok(
        run_cli(
            "-C",
            str(root),
            "record",
            doc,
            "-m",
            "Fix the meeting day",
            "--reason",
            "The minutes say Tuesday.",
            "--note",
            "1=The minutes are dated Tuesday.",
            "--category",
            "1=factual",
        )
    )
    ok(run_cli("-C", str(root), "note", "HEAD", "1", "Checked against the minutes again."))
    (root / "second.txt").write_text("Another document.\n")
    ok(run_cli("-C", str(root), "add", "second.txt", "-m", "Add a second document"))
    log = as_json(run_cli("-C", str(root), "log", doc, "--json"))
    assert [r["summary"] for r in log["revisions"]] == ["Fix the meeting day", f"Add {doc}"]
    note = log["revisions"][0]["changes"][0]["note"]
    assert note["text"] == "Checked against the minutes again."
    ok(run_cli("-C", str(root), "show", "HEAD~1", doc, "--json"))
    ok(run_cli("-C", str(root), "diff", "HEAD~2", "HEAD~1", doc, "--json"))
    ok(run_cli("-C", str(root), "log", doc, "-S", "Tuesday", "--json"))
    ok(run_cli("-C", str(root), "notes-history", "HEAD~1", "--json"))


# -- hooks -----------------------------------------------------------------------------

HOOKS = (
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "reference-transaction",
    "post-index-change",
)


@pytest.mark.parametrize("where", [".git/hooks", "core.hooksPath", "global core.hooksPath"])
def test_repository_hooks_never_run(tmp_path, markers, where):
    root = _plain_repo(tmp_path / "store")
    if where == ".git/hooks":
        hooks = root / ".git" / "hooks"
    else:
        hooks = tmp_path / "hook-dir"
        if where == "core.hooksPath":
            git(root, "config", "core.hooksPath", str(hooks))
        else:
            with open(Path(os.environ["HOME"]) / ".gitconfig", "a") as handle:
                handle.write(f"[core]\n\thooksPath = {hooks}\n")
    for name in HOOKS:
        marker_script(hooks / name, markers, name)

    # Control: plain git runs every one of them.
    git(root, "commit", "--allow-empty", "--quiet", "-m", "control")
    assert fired(markers) == sorted(HOOKS)
    clear(markers)

    _tracker_session(root)

    assert fired(markers) == []
    # The hooks are still in place and live: the tracker did not disarm them either.
    git(root, "commit", "--allow-empty", "--quiet", "-m", "control again")
    assert "pre-commit" in fired(markers)


def test_hooks_do_not_run_through_the_library(tmp_path, markers):
    """init_store/record/add_later_note used directly (no CLI) run no hook either."""
    from tracker.recording import NoteInput, add_later_note, record

    root = _plain_repo(tmp_path / "lib")
    for name in HOOKS:
        marker_script(root / ".git" / "hooks" / name, markers, name)
    git(root, "commit", "--allow-empty", "--quiet", "-m", "control")
    assert fired(markers) == sorted(HOOKS)
    clear(markers)

    store = init_store(root, ANN, DATE)
    (root / "doc.txt").write_text("one two three\n")
    record(store, "doc.txt", "Add doc.txt", identity=ANN, date=DATE)
    (root / "doc.txt").write_text("one 2 three\n")
    rev = record(store, "doc.txt", "Use a digit", notes={1: NoteInput("house style")}, identity=ANN)
    add_later_note(store, rev, 1, NoteInput("house style, rule 4"), ANN, DATE)

    assert fired(markers) == []


# -- fsmonitor -------------------------------------------------------------------------


def test_fsmonitor_never_runs(store, markers, tmp_path):
    root = store.root
    fsmonitor = marker_script(tmp_path / "fsmonitor", markers, "fsmonitor", "exit 1")
    git(root, "config", "core.fsmonitor", str(fsmonitor))

    # Control: plain git status asks the fsmonitor.
    git(root, "status", "--short")
    assert fired(markers) == ["fsmonitor"]
    clear(markers)

    doc = root / "doc.txt"
    doc.write_text("Alpha beta gamma.\n")
    ok(run_cli("-C", str(root), "add", "doc.txt", "--author", str(ANN)))
    doc.write_text("Alpha delta gamma.\n")
    ok(run_cli("-C", str(root), "status", "--json"))
    ok(run_cli("-C", str(root), "status"))
    ok(run_cli("-C", str(root), "diff", "--json"))
    ok(run_cli("-C", str(root), "record", "doc.txt", "-m", "Change beta", "--note", "1=why"))
    ok(run_cli("-C", str(root), "log", "--json"))
    ok(run_cli("-C", str(root), "log"))
    ok(run_cli("-C", str(root), "diff", "HEAD~1", "HEAD", "--json"))
    ok(run_cli("-C", str(root), "show", "HEAD", "--json"))
    ok(run_cli("-C", str(root), "note", "HEAD", "1", "because"))

    assert fired(markers) == []
    git(root, "status", "--short")
    assert fired(markers) == ["fsmonitor"]


# -- diff drivers on a foreign repository ----------------------------------------------


@pytest.fixture
def driver_repo(tmp_path, markers):
    """A foreign repository whose attributes and config name a textconv, a diff driver
    command and diff.external, each a marker script.

    ``article.md`` uses the ``evil`` driver (textconv upper-cases the text); ``plain.txt``
    has the default driver, so diff.external applies to it.
    """
    root = _plain_repo(tmp_path / "foreign")
    (root / ".gitattributes").write_text("* diff=evil\nplain.txt diff\n")
    (root / "article.md").write_text("The mayor opened the new bridge.\n")
    (root / "plain.txt").write_text("Notes for the desk.\n")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Add the article")
    (root / "article.md").write_text("The mayor opened the new harbour bridge.\n")
    git(root, "commit", "--quiet", "-am", "Name the bridge")
    (root / "plain.txt").write_text("Notes for the night desk.\n")
    git(root, "commit", "--quiet", "-am", "Say which desk")
    commits = git(root, "rev-list", "--reverse", "HEAD").split()

    textconv = marker_script(tmp_path / "textconv", markers, "textconv", 'tr a-z A-Z < "$1"')
    command = marker_script(tmp_path / "command", markers, "command")
    external = marker_script(tmp_path / "external", markers, "external")
    git(root, "config", "diff.evil.textconv", str(textconv))
    git(root, "config", "diff.evil.command", str(command))
    git(root, "config", "diff.external", str(external))
    return root, commits


def test_diff_drivers_never_run(driver_repo, markers):
    root, (c1, c2, c3) = driver_repo

    # Controls: plain git runs each of them.
    git(root, "diff", c1, c2)
    assert fired(markers) == ["command"]
    clear(markers)
    git(root, "diff", "--no-ext-diff", c1, c2)
    assert fired(markers) == ["textconv"]
    clear(markers)
    git(root, "diff", c2, c3)
    assert fired(markers) == ["external"]
    clear(markers)
    # Plain git's pickaxe searches the textconv output (upper case), not the text.
    assert git(root, "log", "-S", "HARBOUR", "--format=%H").split() == [c2]
    assert git(root, "log", "-S", "harbour", "--format=%H").split() == []
    assert fired(markers) == ["textconv"]
    clear(markers)

    before = snapshot(root)
    log = as_json(run_cli("-C", str(root), "log", "article.md", "--json"))
    assert [r["rev"] for r in log["revisions"]] == [c2, c1]
    assert log["revisions"][0]["changes"][0]["new"]["text"] == "harbour "
    assert as_json(run_cli("-C", str(root), "log", "plain.txt", "--json"))["revisions"]
    ok(run_cli("-C", str(root), "log", "article.md"))
    found = as_json(run_cli("-C", str(root), "log", "article.md", "-S", "harbour", "--json"))
    assert [r["rev"] for r in found["revisions"]] == [c2]
    found = as_json(run_cli("-C", str(root), "log", "article.md", "-S", "HARBOUR", "--json"))
    assert found["revisions"] == []

    shown = as_json(run_cli("-C", str(root), "show", c2, "--json"))
    assert shown["document"] == "article.md"
    assert [c["new"]["text"] for c in shown["changes"]] == ["harbour "]
    shown = as_json(run_cli("-C", str(root), "show", c3, "--json"))
    assert [c["new"]["text"] for c in shown["changes"]] == ["night "]
    ok(run_cli("-C", str(root), "show", c2))

    diffed = as_json(run_cli("-C", str(root), "diff", c1, c2, "article.md", "--json"))
    assert [c["new"]["text"] for c in diffed["changes"]] == ["harbour "]
    diffed = as_json(run_cli("-C", str(root), "diff", c1, c3, "plain.txt", "--json"))
    assert [c["new"]["text"] for c in diffed["changes"]] == ["night "]
    ok(run_cli("-C", str(root), "diff", c1, c3, "plain.txt"))
    ok(run_cli("-C", str(root), "diff", c1, c3, "article.md", "--inline"))
    ok(run_cli("-C", str(root), "diff", c1, "article.md", "--json"))  # against the work tree

    assert fired(markers) == []
    assert snapshot(root) == before


# -- clean/smudge filters --------------------------------------------------------------


def test_filters_never_run_and_blob_is_exact(store, markers, tmp_path):
    root = store.root
    clean = marker_script(tmp_path / "clean", markers, "clean", "tr a-z A-Z")
    smudge = marker_script(tmp_path / "smudge", markers, "smudge", "cat")
    git(root, "config", "filter.evil.clean", str(clean))
    git(root, "config", "filter.evil.smudge", str(smudge))
    (root / ".gitattributes").write_text("* filter=evil\n")
    doc = root / "doc.txt"
    first = "Résumé of the talks,\r\nwith CRLF and a tab\there.\n".encode()
    doc.write_bytes(first)

    # Controls: plain git cleans on the way in and smudges on the way out.
    filtered = git(root, "hash-object", "doc.txt").strip()
    assert fired(markers) == ["clean"]
    assert filtered != git(root, "hash-object", "--no-filters", "doc.txt").strip()
    clear(markers)
    git(root, "cat-file", "--filters", "HEAD:.tracker/config.json")
    assert fired(markers) == ["smudge"]
    clear(markers)

    ok(run_cli("-C", str(root), "add", "doc.txt"))
    assert plain_git(root, "cat-file", "blob", "HEAD:doc.txt").stdout == first
    second = first.replace(b"talks", b"long talks")
    doc.write_bytes(second)
    ok(run_cli("-C", str(root), "status", "--json"))
    ok(run_cli("-C", str(root), "record", "doc.txt", "-m", "Lengthen", "--note", "1=why"))
    ok(run_cli("-C", str(root), "diff", "HEAD~1", "HEAD", "--json"))
    ok(run_cli("-C", str(root), "show", "HEAD", "--json"))
    ok(run_cli("-C", str(root), "log", "doc.txt", "--json"))

    assert fired(markers) == []
    assert plain_git(root, "cat-file", "blob", "HEAD:doc.txt").stdout == second
    assert plain_git(root, "cat-file", "blob", "HEAD~1:doc.txt").stdout == first
    assert doc.read_bytes() == second


# -- a hostile environment -------------------------------------------------------------

ENV_VARIANTS = ["redirect", "config-parameters", "config-count", "external-diff", "all"]


@pytest.fixture
def hostile(tmp_path, markers):
    """Another repository, hook folders and scripts, and the environments that name them."""
    other = _plain_repo(tmp_path / "other")
    (other / "other.txt").write_text("first\n")
    git(other, "add", "other.txt")
    git(other, "commit", "--quiet", "-m", "other 1")
    (other / "other.txt").write_text("second\n")
    git(other, "commit", "--quiet", "-am", "other 2")
    for name in HOOKS:
        marker_script(other / ".git" / "hooks" / name, markers, f"other-{name}")
        marker_script(tmp_path / "hooks-a" / name, markers, f"params-{name}")
        marker_script(tmp_path / "hooks-b" / name, markers, f"count-{name}")
    fsmonitor = marker_script(tmp_path / "fsmonitor", markers, "fsmonitor", "exit 1")
    external = marker_script(tmp_path / "external", markers, "external")
    envs = {
        "redirect": {
            "GIT_DIR": str(other / ".git"),
            "GIT_WORK_TREE": str(other),
            "GIT_INDEX_FILE": str(tmp_path / "other-index"),
        },
        "config-parameters": {
            "GIT_CONFIG_PARAMETERS": f"'core.hooksPath'='{tmp_path / 'hooks-a'}'",
        },
        "config-count": {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "core.hooksPath",
            "GIT_CONFIG_VALUE_0": str(tmp_path / "hooks-b"),
            "GIT_CONFIG_KEY_1": "core.fsmonitor",
            "GIT_CONFIG_VALUE_1": str(fsmonitor),
        },
        "external-diff": {"GIT_EXTERNAL_DIFF": str(external)},
    }
    envs["all"] = {k: v for env in list(envs.values()) for k, v in env.items()}
    return other, envs


def _prove_live(variant: str, envs: dict, other: Path, scratch: Path, markers: Path) -> None:
    """Plain git, given the hostile environment, is redirected or runs the scripts."""
    parts = list(envs) if variant == "all" else [variant]
    for part in parts:
        if part == "all":
            continue
        env = envs[part]
        if part == "redirect":
            top = plain_git(scratch, "rev-parse", "--show-toplevel", env=env).stdout
            assert Path(top.decode().strip()).resolve() == other.resolve()
            head = plain_git(scratch, "rev-parse", "HEAD", env=env).stdout.decode().strip()
            assert head == git(other, "rev-parse", "HEAD").strip()
            continue
        probe = scratch / f"probe-{part}"
        shutil.rmtree(probe, ignore_errors=True)
        _plain_repo(probe)
        (probe / "f.txt").write_text("a\n")
        git(probe, "add", "f.txt")
        git(probe, "commit", "--quiet", "-m", "a")
        (probe / "f.txt").write_text("b\n")
        if part == "config-parameters":
            plain_git(probe, "commit", "--allow-empty", "-q", "-m", "x", env=env)
            assert "params-pre-commit" in fired(markers)
        elif part == "config-count":
            plain_git(probe, "commit", "--allow-empty", "-q", "-m", "x", env=env)
            assert "count-pre-commit" in fired(markers)
            plain_git(probe, "status", "--short", env=env)
            assert "fsmonitor" in fired(markers)
        elif part == "external-diff":
            plain_git(probe, "diff", env=env)
            assert "external" in fired(markers)
        clear(markers)


@pytest.mark.parametrize("variant", ENV_VARIANTS)
def test_hostile_environment_is_ignored(store, hostile, markers, tmp_path, variant):
    other, envs = hostile
    env = envs[variant]
    root = store.root
    (root / "doc.txt").write_text("The river rose two metres overnight.\n")
    ok(run_cli("-C", str(root), "add", "doc.txt", "--author", str(ANN)))
    (root / "doc.txt").write_text("The river rose three metres overnight.\n")
    ok(run_cli("-C", str(root), "record", "doc.txt", "-m", "Correct the level"))

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    _prove_live(variant, envs, other, scratch, markers)
    assert fired(markers) == []

    other_before = snapshot(other)
    store_commits = git(root, "rev-list", "HEAD").split()

    log = as_json(run_cli("-C", str(root), "log", "--json", env=env))
    assert log["document"] == "doc.txt"
    assert [r["rev"] for r in log["revisions"]] == store_commits[:2]

    (root / "doc.txt").write_text("The river rose three metres overnight, police said.\n")
    status = as_json(run_cli("-C", str(root), "status", "--json", env=env))
    assert status["documents"][0]["document"] == "doc.txt"
    ok(run_cli("-C", str(root), "diff", "--json", env=env))
    recorded = as_json(
        run_cli(
            "-C",
            str(root),
            "record",
            "doc.txt",
            "-m",
            "Attribute the figure",
            "--note",
            "1=Police statement.",
            "--json",
            env=env,
        )
    )
    new_head = git(root, "rev-parse", "HEAD").strip()
    assert recorded["rev"] == new_head
    assert git(root, "rev-parse", "HEAD~1").strip() == store_commits[0]
    assert (
        plain_git(root, "cat-file", "blob", "HEAD:doc.txt").stdout
        == (root / "doc.txt").read_bytes()
    )
    # The store's own index follows the new revision; no other index was written.
    assert git(root, "diff-index", "--cached", "--name-only", "HEAD") == ""
    assert not (tmp_path / "other-index").exists()

    shown = as_json(run_cli("-C", str(root), "show", "HEAD", "--json", env=env))
    assert shown["rev"] == new_head
    assert shown["changes"][0]["note"]["text"] == "Police statement."
    diffed = as_json(run_cli("-C", str(root), "diff", "HEAD~1", "HEAD", "--json", env=env))
    assert diffed["to"] == new_head
    ok(run_cli("-C", str(root), "diff", "HEAD~1", "HEAD", env=env))
    ok(run_cli("-C", str(root), "note", "HEAD", "1", "Police press release.", env=env))
    ok(run_cli("-C", str(root), "log", env=env))

    assert fired(markers) == []
    assert snapshot(other) == other_before
    assert not (tmp_path / "other-index").exists()
    after = as_json(run_cli("-C", str(root), "show", "HEAD", "--json"))
    assert after["changes"][0]["note"]["text"] == "Police press release."


def test_gitpython_executable_from_environment_is_not_run(store, markers, tmp_path):
    fake_git = marker_script(tmp_path / "fake-git", markers, "fake-git", 'exec git "$@"')
    env = {"GIT_PYTHON_GIT_EXECUTABLE": str(fake_git)}
    # Control: GitPython itself runs it on import.
    subprocess.run(
        [sys.executable, "-c", "import git"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    assert fired(markers) == ["fake-git"]
    clear(markers)

    root = store.root
    (root / "doc.txt").write_text("one\n")
    ok(run_cli("-C", str(root), "add", "doc.txt", env=env))  # identity from git config
    assert fired(markers) == []


# -- signing programs ------------------------------------------------------------------

_FAKE_SIGNATURE = (
    "gpgsig -----BEGIN PGP SIGNATURE-----\n"
    " \n"
    " iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmAAAAAACgkQAAAAAAAA\n"
    " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    " =AAAA\n"
    " -----END PGP SIGNATURE-----\n"
)


def test_gpg_program_never_runs(tmp_path, markers):
    root = _plain_repo(tmp_path / "signed")
    (root / "story.txt").write_text("Rain is expected on Friday.\n")
    git(root, "add", "story.txt")
    git(root, "commit", "--quiet", "-m", "Add the story")
    (root / "story.txt").write_text("Heavy rain is expected on Friday.\n")
    git(root, "commit", "--quiet", "-am", "Say how much rain")
    # Give HEAD a (fake) signature, so that verifying it starts the signing program.
    raw = git(root, "cat-file", "commit", "HEAD")
    head, _, message = raw.partition("\n\n")
    signed = head + "\n" + _FAKE_SIGNATURE + "\n" + message
    commit = git(root, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.encode())
    commit = commit.strip()
    git(root, "update-ref", "refs/heads/main", commit)
    gpg = marker_script(tmp_path / "gpg", markers, "gpg", "exit 1")
    git(root, "config", "gpg.program", str(gpg))
    git(root, "config", "log.showSignature", "true")

    # Control: plain git log verifies the signature with gpg.program.
    git(root, "log", "-1")
    assert fired(markers) == ["gpg"]
    clear(markers)

    before = snapshot(root)
    log = as_json(run_cli("-C", str(root), "log", "--json"))
    assert [r["rev"] for r in log["revisions"]][0] == commit
    assert log["revisions"][0]["summary"] == "Say how much rain"
    ok(run_cli("-C", str(root), "log"))
    shown = as_json(run_cli("-C", str(root), "show", "HEAD", "--json"))
    assert [c["new"]["text"] for c in shown["changes"]] == ["Heavy rain"]
    ok(run_cli("-C", str(root), "show", "HEAD"))
    ok(run_cli("-C", str(root), "diff", "HEAD~1", "HEAD", "--json"))
    ok(run_cli("-C", str(root), "log", "-S", "Heavy", "--json"))

    assert fired(markers) == []
    assert snapshot(root) == before


# -- durability settings ---------------------------------------------------------------


def test_stores_created_by_the_tracker_fsync(tmp_path, store):
    assert git(store.root, "config", "--get", "core.fsync").strip() == "all"

    ok(run_cli("init", str(tmp_path / "by-cli")))
    assert git(tmp_path / "by-cli", "config", "--get", "core.fsync").strip() == "all"

    adopted = _plain_repo(tmp_path / "adopted")
    init_store(adopted, ANN, DATE)
    assert git(adopted, "config", "--get", "core.fsync").strip() == "all"
