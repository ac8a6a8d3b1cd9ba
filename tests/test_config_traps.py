"""Nothing a repository's config names ever runs (issue 7, point 1).

Every key of git's configuration that names a program, a command or a helper is planted
in a repository as a marker script (docs/storage-format.md, "Threat model", lists them).
For each key, a positive control runs plain git so that the trap fires: the trap is live
and the test could fail. Then:

* ``test_the_tracker_door_runs_no_trap`` runs the same git command through
  ``tracker.git.cmd`` (the only door the tracker has to git, with its pins) and checks
  that nothing ran: that covers commands the tracker may run later (fetch, push);
* ``test_no_tracker_command_runs_any_trap`` plants every key at once and runs every
  write command (init on an existing repository, add, record, note, review) and every
  read command (status, log, log --json, log -S, show, diff, blame, verify, export,
  notes-history) of the real CLI;
* the signing tests check that signing programs come from the user's own config only.
"""

from __future__ import annotations

import json
import os
import pty
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_hardening import as_json, clear, fired, marker_script, ok, script

from tracker.git import cmd as gitcmd

from conftest import git, run_cli

ARTICLE = "The council approved the budget on Monday.\n"


@dataclass
class Repo:
    """A plain repository with one commit, a side branch and a bare remote, and the
    folders traps need (markers, scripts, extra programs on PATH)."""

    root: Path
    tmp: Path
    markers: Path
    bin: Path
    env: dict[str, str] = field(default_factory=dict)

    def rev(self, name: str) -> str:
        """A commit of the repository as first made (controls diff these, not HEAD)."""
        return (self.tmp / f"rev-{name}").read_text()

    def trap(self, name: str, then: str = "exit 0") -> str:
        """A marker script for key ``name``; returns its path for a config value."""
        name = safe(name)
        return str(marker_script(self.tmp / "traps" / name, self.markers, name, then))

    def config(self, key: str, value: str) -> None:
        git(self.root, "config", key, value)

    def plain(self, *args: str, tty: bool = False, input: bytes | None = None) -> None:
        """Plain git, as the positive control: the result does not matter, the marker does."""
        env = {**os.environ, "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", **self.env}
        if not tty:
            subprocess.run(
                ["git", *args],
                cwd=self.root,
                env=env,
                input=input,
                capture_output=True,
                check=False,
            )
            return
        # Pagers only start when the output is a terminal.
        leader, follower = pty.openpty()
        try:
            subprocess.run(
                ["git", *args],
                cwd=self.root,
                env=env,
                stdout=follower,
                stderr=follower,
                check=False,
            )
        finally:
            os.close(follower)
            while True:
                try:
                    if not os.read(leader, 65536):
                        break
                except OSError:
                    break
            os.close(leader)


def safe(name: str) -> str:
    """A key's name as a file name free of shell characters (git runs some values with
    the shell, which would read ``<driver>`` as redirections)."""
    return name.replace("<", "").replace(">", "")


def make_repo(tmp: Path) -> Repo:
    markers = tmp / "markers"
    markers.mkdir()
    (tmp / "bin").mkdir()
    root = tmp / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    (root / "article.md").write_text(ARTICLE)
    (root / "notes.txt").write_text("For the desk.\n")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Add the article")
    (root / "notes.txt").write_text("For the night desk.\n")
    git(root, "commit", "--quiet", "-am", "Say which desk")
    (tmp / "rev-first").write_text(git(root, "rev-parse", "HEAD~1").strip())
    (tmp / "rev-second").write_text(git(root, "rev-parse", "HEAD").strip())
    # A side branch that conflicts with main, for merge drivers and tools.
    git(root, "branch", "side", "HEAD~1")
    git(root, "checkout", "--quiet", "side")
    (root / "notes.txt").write_text("For the day desk.\n")
    git(root, "commit", "--quiet", "-am", "Say the day desk")
    git(root, "checkout", "--quiet", "main")
    # A bare remote, reached by its path (git's local transport).
    git(tmp, "clone", "--quiet", "--bare", str(root), str(tmp / "remote.git"))
    return Repo(root, tmp, markers, tmp / "bin")


def attributes(repo: Repo, line: str) -> None:
    """Assign a driver through .git/info/attributes (as .gitattributes would)."""
    path = repo.root / ".git" / "info" / "attributes"
    path.parent.mkdir(exist_ok=True)
    with open(path, "a") as handle:
        handle.write(line + "\n")


# -- the traps: (plant, control) per program-naming key ----------------------------------
#
# plant(repo) sets the key to a marker script; control(repo) runs plain git so that it
# fires. Controls for keys that only fire in commands the tracker does not run (fetch,
# push, commit, merge, credential prompts) run that command.

Plant = Callable[[Repo], None]
Control = Callable[[Repo], None]


def _hooks_path(r: Repo) -> None:
    for hook in ("pre-commit", "reference-transaction", "post-index-change"):
        marker_script(r.tmp / "hooks" / hook, r.markers, "core.hooksPath")
    r.config("core.hooksPath", str(r.tmp / "hooks"))


def _remote(r: Repo, name: str, url: str | None = None) -> None:
    r.config(f"remote.{name}.url", url or str(r.tmp / "remote.git"))
    r.config(f"remote.{name}.fetch", f"+refs/heads/*:refs/remotes/{name}/*")


def _alternates(r: Repo) -> None:
    # git consults the alternate's refs (through this command) when it fetches.
    alternates = r.root / ".git" / "objects" / "info" / "alternates"
    alternates.write_text(str(r.tmp / "remote.git" / "objects") + "\n")
    r.config("core.alternateRefsCommand", r.trap("core.alternateRefsCommand"))
    _remote(r, "alt")


def _vcs(r: Repo) -> None:
    marker_script(r.bin / "git-remote-evil", r.markers, safe("remote.<name>.vcs"))
    _remote(r, "foreign")
    r.config("remote.foreign.vcs", "evil")


def _ext(r: Repo) -> None:
    r.config("protocol.ext.allow", "always")
    r.config("protocol.allow", "always")
    touch = str(r.markers / "protocol.ext.allow")
    _remote(r, "ext", f"ext::sh -c touch% {touch}")


def _insteadof(r: Repo) -> None:
    r.config("protocol.ext.allow", "always")
    # git appends the rest of the URL: "#" makes it a comment of the shell command.
    touch = str(r.markers / safe("url.<base>.insteadOf"))
    r.config(f"url.ext::sh -c touch% {touch}% #.insteadOf", "https://example.invalid/")
    _remote(r, "mirror", "https://example.invalid/news.git")


def _submodule(r: Repo) -> None:
    git(r.tmp, "init", "--quiet", "--initial-branch=main", str(r.tmp / "sub"))
    git(r.tmp / "sub", "commit", "--quiet", "--allow-empty", "-m", "sub")
    git(
        r.root,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "--quiet",
        str(r.tmp / "sub"),
        "sub",
    )
    git(r.root, "commit", "--quiet", "-m", "Add a submodule")
    # Move the submodule off the recorded commit, so that an update has work to do.
    git(r.root / "sub", "commit", "--quiet", "--allow-empty", "-m", "ahead")
    r.config("submodule.sub.update", "!" + r.trap("submodule.<name>.update"))


TRAPS: dict[str, tuple[Plant, Control]] = {
    "core.fsmonitor": (
        lambda r: r.config("core.fsmonitor", r.trap("core.fsmonitor", "exit 1")),
        lambda r: r.plain("status", "--short"),
    ),
    "core.hooksPath": (_hooks_path, lambda r: r.plain("commit", "--allow-empty", "-m", "x")),
    "core.pager": (
        lambda r: r.config("core.pager", r.trap("core.pager")),
        lambda r: r.plain("log", "-1", tty=True),
    ),
    "pager.<command>": (
        lambda r: r.config("pager.show", r.trap("pager.<command>")),
        lambda r: r.plain("show", "-s", tty=True),
    ),
    "core.editor": (
        lambda r: r.config("core.editor", r.trap("core.editor", "exit 1")),
        lambda r: r.plain("commit", "--allow-empty"),
    ),
    "sequence.editor": (
        lambda r: r.config("sequence.editor", r.trap("sequence.editor", "exit 1")),
        lambda r: r.plain("rebase", "-i", "HEAD~1"),
    ),
    "core.askPass": (
        lambda r: r.config("core.askPass", r.trap("core.askPass")),
        lambda r: r.plain("credential", "fill", input=b"protocol=https\nhost=example.invalid\n"),
    ),
    "credential.helper": (
        lambda r: r.config("credential.helper", r.trap("credential.helper")),
        lambda r: r.plain("credential", "fill", input=b"protocol=https\nhost=example.invalid\n"),
    ),
    "credential.<url>.helper": (
        lambda r: r.config(
            "credential.https://example.invalid.helper", r.trap("credential.<url>.helper")
        ),
        lambda r: r.plain("credential", "fill", input=b"protocol=https\nhost=example.invalid\n"),
    ),
    "core.sshCommand": (
        lambda r: r.config("core.sshCommand", r.trap("core.sshCommand", "exit 1")),
        lambda r: r.plain("ls-remote", "ssh://example.invalid/news.git"),
    ),
    "core.gitProxy": (
        lambda r: r.config("core.gitProxy", r.trap("core.gitProxy", "exit 1")),
        lambda r: r.plain("ls-remote", "git://example.invalid/news.git"),
    ),
    "core.alternateRefsCommand": (_alternates, lambda r: r.plain("fetch", "--quiet", "alt")),
    "remote.<name>.uploadpack": (
        lambda r: (
            _remote(r, "up"),
            r.config("remote.up.uploadpack", r.trap("remote.<name>.uploadpack", "exit 1")),
        ),
        lambda r: r.plain("fetch", "--quiet", "up"),
    ),
    "remote.<name>.receivepack": (
        lambda r: (
            _remote(r, "down"),
            r.config("remote.down.receivepack", r.trap("remote.<name>.receivepack", "exit 1")),
        ),
        lambda r: r.plain("push", "--quiet", "down", "main:refs/heads/pushed"),
    ),
    "remote.<name>.vcs": (_vcs, lambda r: r.plain("ls-remote", "foreign")),
    "protocol.ext.allow": (_ext, lambda r: r.plain("ls-remote", "ext")),
    "url.<base>.insteadOf": (_insteadof, lambda r: r.plain("ls-remote", "mirror")),
    "diff.external": (
        lambda r: r.config("diff.external", r.trap("diff.external")),
        lambda r: r.plain("diff", r.rev("first"), r.rev("second")),
    ),
    "diff.<driver>.command": (
        lambda r: (
            attributes(r, "* diff=cmd"),
            r.config("diff.cmd.command", r.trap("diff.<driver>.command")),
        ),
        lambda r: r.plain("diff", r.rev("first"), r.rev("second")),
    ),
    "diff.<driver>.textconv": (
        lambda r: (
            attributes(r, "* diff=conv"),
            r.config("diff.conv.textconv", r.trap("diff.<driver>.textconv", 'cat "$1"')),
        ),
        lambda r: r.plain("log", "-p", "--no-ext-diff", "-1", r.rev("first"), "--", "article.md"),
    ),
    "filter.<driver>.clean": (
        lambda r: (
            attributes(r, "* filter=evil"),
            r.config("filter.evil.clean", r.trap("filter.<driver>.clean", "cat")),
        ),
        lambda r: r.plain("hash-object", "article.md"),
    ),
    "filter.<driver>.smudge": (
        lambda r: (
            attributes(r, "* filter=sm"),
            r.config("filter.sm.smudge", r.trap("filter.<driver>.smudge", "cat")),
        ),
        lambda r: r.plain("cat-file", "--filters", "HEAD:article.md"),
    ),
    "filter.<driver>.process": (
        lambda r: (
            attributes(r, "* filter=proc"),
            r.config("filter.proc.process", r.trap("filter.<driver>.process", "exit 1")),
        ),
        lambda r: r.plain("hash-object", "article.md"),
    ),
    "merge.<driver>.driver": (
        lambda r: (
            attributes(r, "notes.txt merge=evil"),
            r.config("merge.evil.driver", r.trap("merge.<driver>.driver", "exit 1")),
        ),
        lambda r: r.plain("merge", "--no-edit", "side"),
    ),
    "difftool.<tool>.cmd": (
        lambda r: (
            r.config("diff.tool", "evil"),
            r.config("difftool.evil.cmd", r.trap("difftool.<tool>.cmd")),
        ),
        lambda r: r.plain("difftool", "-y", r.rev("first"), r.rev("second")),
    ),
    "trailer.<token>.command": (
        lambda r: r.config("trailer.seen.command", r.trap("trailer.<token>.command")),
        lambda r: r.plain("interpret-trailers", "--trailer", "seen=yes", input=b"Subject\n"),
    ),
    "trailer.<token>.cmd": (
        lambda r: r.config("trailer.checked.cmd", r.trap("trailer.<token>.cmd")),
        lambda r: r.plain("interpret-trailers", "--trailer", "checked=yes", input=b"Subject\n"),
    ),
    "submodule.<name>.update": (_submodule, lambda r: r.plain("submodule", "update")),
    "include.path": (
        lambda r: (
            (r.tmp / "included").write_text(
                f"[core]\n\tfsmonitor = {r.trap('include.path', 'exit 1')}\n"
            ),
            r.config("include.path", str(r.tmp / "included")),
        ),
        lambda r: r.plain("status", "--short"),
    ),
    "gpg.program": (
        lambda r: (
            r.config("gpg.program", r.trap("gpg.program", "exit 1")),
            r.config("gpg.format", "openpgp"),
        ),
        lambda r: r.plain("commit", "--allow-empty", "-S", "-m", "signed"),
    ),
    "gpg.openpgp.program": (
        lambda r: r.config("gpg.openpgp.program", r.trap("gpg.openpgp.program", "exit 1")),
        lambda r: r.plain("commit", "--allow-empty", "-S", "-m", "signed"),
    ),
    "gpg.x509.program": (
        lambda r: (
            r.config("gpg.x509.program", r.trap("gpg.x509.program", "exit 1")),
            r.config("gpg.format", "x509"),
        ),
        lambda r: r.plain("commit", "--allow-empty", "-S", "-m", "signed"),
    ),
    "gpg.ssh.program": (
        lambda r: (
            r.config("gpg.ssh.program", r.trap("gpg.ssh.program", "exit 1")),
            r.config("gpg.format", "ssh"),
            r.config("user.signingKey", "key::ssh-ed25519 AAAA"),
        ),
        lambda r: r.plain("commit", "--allow-empty", "-S", "-m", "signed"),
    ),
    "gpg.ssh.defaultKeyCommand": (
        lambda r: (
            r.config("gpg.ssh.defaultKeyCommand", r.trap("gpg.ssh.defaultKeyCommand", "exit 1")),
            r.config("gpg.format", "ssh"),
        ),
        lambda r: r.plain("commit", "--allow-empty", "-S", "-m", "signed"),
    ),
}


@pytest.fixture
def repo(tmp_path) -> Repo:
    return make_repo(tmp_path)


def _plant(repo: Repo, name: str) -> None:
    plant, _ = TRAPS[name]
    plant(repo)


def _prove_live(repo: Repo, name: str) -> None:
    _, control = TRAPS[name]
    control(repo)
    assert safe(name) in fired(repo.markers), f"the {name} trap did not fire for plain git"
    clear(repo.markers)
    _settle(repo)


class _Door(Repo):
    """A Repo whose ``plain`` goes through tracker.git.cmd (pins and clean environment)."""

    def plain(self, *args: str, tty: bool = False, input: bytes | None = None) -> None:
        path = f"{self.bin}{os.pathsep}{os.environ['PATH']}"
        old = os.environ["PATH"]
        os.environ["PATH"] = path
        try:
            gitcmd.run(self.root, *args, input=input, check=False)
        finally:
            os.environ["PATH"] = old


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_the_tracker_door_runs_no_trap(repo, name):
    _plant(repo, name)
    _prove_live(repo, name)

    _, control = TRAPS[name]
    control(_Door(repo.root, repo.tmp, repo.markers, repo.bin))

    assert fired(repo.markers) == []
    # Still live afterwards: the tracker did not disarm the repository either.
    _settle(repo)
    _prove_live(repo, name)


def _settle(repo: Repo) -> None:
    """Undo what a control left half done (a merge stopped at its conflict)."""
    if (repo.root / ".git" / "MERGE_HEAD").exists():
        git(repo.root, "merge", "--abort")


# -- every tracker command, with every trap planted ----------------------------------


def _session(root: Path, env: dict[str, str]) -> None:
    """Every write and read command of the CLI, on a repository with history."""

    def cli(*args: str) -> str:
        return ok(run_cli("-C", str(root), *args, env=env))

    def cli_json(*args: str) -> dict:
        return as_json(run_cli("-C", str(root), *args, "--json", env=env))

    cli("init")  # on a repository with history
    (root / "brief.md").write_text("A new brief.\n")
    cli("add", "brief.md")
    (root / "article.md").write_text("The council approved the annual budget on Tuesday.\n")
    assert cli_json("status")["documents"][0]["changes"]
    cli("status")
    cli_json("diff", "article.md")
    cli("diff", "article.md")
    cli(
        "record", "article.md", "-m", "Fix the day", "--reason", "The minutes say Tuesday.",
        "--note", "*=Checked against the minutes.",
    )  # fmt: skip
    cli("note", "HEAD", "1", "Checked against the minutes again.")
    cli("review", "HEAD", "--approve")
    log = cli_json("log", "article.md")
    assert log["revisions"][0]["summary"] == "Fix the day"
    cli("log", "article.md")
    assert cli_json("log", "article.md", "-S", "Tuesday")["revisions"]
    cli_json("show", "HEAD")
    cli("show", "HEAD")
    cli_json("diff", "HEAD~1", "HEAD", "article.md")
    cli("diff", "HEAD~1", "HEAD", "article.md")
    cli_json("blame", "article.md")
    cli("blame", "article.md")
    # verify reports findings on a repository with foreign history: it must still answer.
    verified = run_cli("-C", str(root), "verify", "--json", env=env)
    assert json.loads(verified.out)["revisions"] and verified.err == "", verified.err
    for fmt in ("html", "md", "json"):
        cli("export", "--format", fmt, "--file", "article.md", "-o", str(root.parent / f"r.{fmt}"))
    cli_json("notes-history", "HEAD")


# Keys that cannot share one repository: one file has one filter and one diff driver,
# include.path plants a core.fsmonitor, and git runs filters on the files it hands to
# external diff programs. The signing keys make every write sign or refuse:
# they have tests of their own below.
_SIGNING = {k for k in TRAPS if k.startswith("gpg.")}
# A submodule makes 'tracker status' stop at "sub is a directory" (issue of its own); the
# door test above covers submodule.<name>.update.
_ALONE = {"submodule.<name>.update"}
_GROUPS = {
    "filter.<driver>.smudge": 2, "diff.<driver>.textconv": 2, "include.path": 2,
    "difftool.<tool>.cmd": 2, "filter.<driver>.process": 3, "diff.<driver>.command": 4,
}  # fmt: skip


@pytest.mark.parametrize("group", [1, 2, 3, 4])
def test_no_tracker_command_runs_any_trap(repo, group):
    names = sorted(k for k in set(TRAPS) - _SIGNING - _ALONE if _GROUPS.get(k, 1) == group)
    for name in names:
        _plant(repo, name)
    for name in names:
        _prove_live(repo, name)
    clear(repo.markers)
    env = {"PATH": f"{repo.bin}{os.pathsep}{os.environ['PATH']}"}

    _session(repo.root, env)

    assert fired(repo.markers) == []
    for name in names:  # still armed after the session: nothing was disarmed
        _prove_live(repo, name)


# -- signing: the program comes from the user's own config ------------------------------


def test_the_issue_repro_runs_nothing_and_records_nothing(tmp_path):
    """git init -q s && cd s && git config commit.gpgSign true && git config gpg.format ssh
    && git config gpg.ssh.defaultKeyCommand 'sh -c touch${IFS}PWNED' && tracker init"""
    root = tmp_path / "s"
    git(tmp_path, "init", "-q", "s")
    git(root, "config", "commit.gpgSign", "true")
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "gpg.ssh.defaultKeyCommand", "sh -c touch${IFS}PWNED")
    # Control: plain git runs it (and then fails to sign: the marker is the point).
    subprocess.run(
        ["git", "commit", "--allow-empty", "-qm", "x"], cwd=root, capture_output=True, check=False
    )
    assert (root / "PWNED").exists()
    (root / "PWNED").unlink()
    git(root, "update-ref", "-d", "HEAD") if _has_head(root) else None

    result = run_cli("init", cwd=root)

    assert result.code != 0
    assert result.err.startswith("tracker: error: ") and result.err.count("\n") == 1
    assert "user.signingKey" in result.err and "Traceback" not in result.err
    assert not (root / "PWNED").exists()
    assert not _has_head(root)  # nothing recorded


def _has_head(root: Path) -> bool:
    proc = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root, check=False)
    return proc.returncode == 0


@pytest.mark.parametrize("command", ["add", "record", "note", "review"])
def test_ssh_signing_without_a_key_is_refused_before_anything_runs(tmp_path, command):
    root = tmp_path / "store"
    ok(run_cli("init", str(root)))
    (root / "a.txt").write_text("One two.\n")
    if command != "add":
        ok(run_cli("-C", str(root), "add", "a.txt"))
        (root / "a.txt").write_text("One three.\n")
        if command != "record":
            ok(run_cli("-C", str(root), "record", "a.txt", "-m", "Fix", "--note", "1=why"))
    marker = tmp_path / "PWNED"
    for key, value in (
        ("commit.gpgSign", "true"), ("gpg.format", "ssh"),
        ("gpg.ssh.defaultKeyCommand", f"touch {marker}"),
    ):  # fmt: skip
        git(root, "config", key, value)
    # The control's marker is what counts; the commit itself may fail to sign.
    subprocess.run(
        ["git", "commit", "--allow-empty", "-qm", "x"], cwd=root, capture_output=True, check=False
    )
    assert marker.exists()  # control
    marker.unlink()
    before = git(root, "for-each-ref")

    args = {
        "add": ["add", "a.txt"],
        "record": ["record", "a.txt", "-m", "Fix", "--note", "1=why"],
        "note": ["note", "HEAD", "1", "a better why"],
        "review": ["review", "HEAD", "--approve"],
    }[command]
    result = run_cli("-C", str(root), *args)

    assert result.code != 0 and "user.signingKey" in result.err, result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert not marker.exists()
    assert git(root, "for-each-ref") == before


def _fake_signer(path: Path, markers: Path, name: str) -> Path:
    """A gpg/gpgsm stand-in that reports a signature (git checks for SIG_CREATED)."""
    return script(
        path,
        f"touch {shlex.quote(str(markers / name))}\n"
        "cat >/dev/null\n"  # read what git signs, or git may write into a closed pipe
        "echo >&2\n"
        "echo '[GNUPG:] SIG_CREATED D 1 8 00 0 FAKE' >&2\n"
        "echo '-----BEGIN PGP SIGNATURE-----'\n"
        "echo\n"
        "echo FAKE\n"
        "echo '-----END PGP SIGNATURE-----'",
    )


REPO_SIGNERS = (
    "gpg.program", "gpg.openpgp.program", "gpg.x509.program", "gpg.ssh.program",
    "gpg.ssh.defaultKeyCommand",
)  # fmt: skip


@pytest.mark.parametrize("fmt", ["openpgp", "x509", "ssh"])
def test_signing_uses_the_users_program_never_the_repositorys(repo, fmt):
    if fmt == "ssh" and shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    root = repo.root
    for key in REPO_SIGNERS:
        repo.config(key, repo.trap(f"repo-{key}", "exit 1"))
    repo.config("commit.gpgSign", "true")
    repo.config("gpg.format", fmt)
    # The user's own choice, in the global config: a wrapper that records that it ran.
    global_key = {"openpgp": "gpg.program", "x509": "gpg.x509.program"}.get(fmt)
    home = Path(os.environ["HOME"])
    if fmt == "ssh":
        key = repo.tmp / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        repo.config("user.signingKey", str(key))
        user = marker_script(repo.tmp / "user-signer", repo.markers, "user", 'exec ssh-keygen "$@"')
        global_key = "gpg.ssh.program"
    else:
        user = _fake_signer(repo.tmp / "user-signer", repo.markers, "user")
    with open(home / ".gitconfig", "a") as handle:
        handle.write(f"[gpg \"{global_key.split('.')[1]}\"]\n\tprogram = {user}\n"
                     if global_key.count(".") == 2 else f"[gpg]\n\tprogram = {user}\n")  # fmt: skip
    # Control: plain git runs the repository's program.
    repo.plain("commit", "--allow-empty", "-S", "-m", "signed")
    assert {f"repo-gpg.{fmt}.program", "repo-gpg.openpgp.program"} & set(fired(repo.markers))
    git(root, "reset", "--quiet", "--hard", "main")
    clear(repo.markers)

    ok(run_cli("-C", str(root), "init"))
    (root / "brief.md").write_text("A new brief.\n")
    ok(run_cli("-C", str(root), "add", "brief.md"))
    (root / "article.md").write_text("The council approved the budget on Tuesday.\n")
    ok(run_cli("-C", str(root), "record", "article.md", "-m", "Fix the day", "--note", "1=why"))
    ok(run_cli("-C", str(root), "note", "HEAD", "1", "the minutes"))
    ok(run_cli("-C", str(root), "review", "HEAD", "--approve"))
    run_cli("-C", str(root), "verify", "--json")
    ok(run_cli("-C", str(root), "log", "article.md", "--json"))

    assert fired(repo.markers) == ["user"]
    head = git(root, "cat-file", "commit", "HEAD")
    assert "gpgsig " in head  # signed, by the user's program


# -- the suffix rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "neutral"),
    [
        ("hook.lint.command", ":"),  # a key git 2.39 does not have yet: caught by its name
        ("sendemail.tocmd", ":"),
        ("filter.a=b.clean", ""),  # "=" in a driver's name: passed as an exact key
        ("filter.lfs.required", "false"),
        ("merge.Union.driver", "false"),
        ("credential.https://example.org.helper", ""),
        ("remote.origin.uploadpack", "git-upload-pack"),
        ("submodule.sub.update", "none"),
        ("mergetool.vimdiff.path", ""),
        ("core.hookspath", "/dev/null"),
        ("advice.waitingforeditor", None),  # a boolean: ":" would make git refuse to start
        ("advice.ignoredhook", None),
        ("user.signingkey", None),
        ("gpg.ssh.program", None),  # chosen from the user's global config instead
        ("core.sshcommand", None),
        ("credential.helper", None),
        ("http.proxy", None),
        ("include.path", None),
    ],
)
def test_program_keys_are_found_by_their_names(key, neutral):
    assert gitcmd.neutral_value(key) == neutral


def test_a_key_with_an_equals_sign_in_its_driver_is_still_switched_off(repo):
    """git -c would split 'filter.a=b.clean=...' at the first '='; the pins do not."""
    (repo.root / ".git" / "config").open("a").write(
        f'[filter "a=b"]\n\tclean = {repo.trap("filter.eq.clean", "cat")}\n'
    )
    attributes(repo, "* filter=a=b")
    repo.plain("hash-object", "article.md")
    assert fired(repo.markers) == ["filter.eq.clean"]  # control
    clear(repo.markers)

    gitcmd.run(repo.root, "hash-object", "article.md")

    assert fired(repo.markers) == []


@pytest.mark.parametrize(
    ("key", "args", "input"),
    [
        ("credential.helper", ("credential", "fill"), b"protocol=https\nhost=example.invalid\n"),
        ("core.sshCommand", ("ls-remote", "ssh://example.invalid/news.git"), None),
    ],
)
def test_the_users_own_program_is_used_and_the_repositorys_is_not(repo, key, args, input):
    """Programs the user may need for syncing come from the global config only."""
    repo.config(key, repo.trap(f"repo-{key}", "exit 1"))
    user = repo.trap(f"user-{key}", "exit 1")
    section, name = key.split(".")
    with open(Path(os.environ["HOME"]) / ".gitconfig", "a") as handle:
        handle.write(f"[{section}]\n\t{name} = {user}\n")
    repo.plain(*args, input=input)
    assert f"repo-{key}" in fired(repo.markers)  # control: plain git runs the repository's
    clear(repo.markers)

    gitcmd.run(repo.root, *args, input=input, check=False)

    assert fired(repo.markers) == [f"user-{key}"]
