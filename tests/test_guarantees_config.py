"""The signing programs are the user's, for READ commands too: verify on a signed store.

test_config_traps.py plants every program-naming key and runs every CLI command, but
leaves the signing keys out of that session (they make every write sign), and its
signing test never checks that verify read a signature at all. Here the store is
really signed (OpenPGP through a stand-in signer, SSH through ssh-keygen), the
repository's own signing programs are traps, and every read command runs; ``verify``
must check the signatures with the user's program (its marker fires) and never the
repository's (its markers stay absent).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from test_hardening import clear, fired, marker_script, script

from conftest import git, run_cli

# git reads these from the status lines of gpg --status-fd: a good signature by a key
# of ultimate trust, so that %G? is "G" and --require-signatures can pass.
_GOOD = (
    "[GNUPG:] NEWSIG",
    "[GNUPG:] GOODSIG 0123456789ABCDEF Ann Editor <ann@example.org>",
    "[GNUPG:] VALIDSIG 0123456789ABCDEF0123456789ABCDEF01234567 2020-01-01 1577872800 0 4 "
    "0 22 8 00 0123456789ABCDEF0123456789ABCDEF01234567",
    "[GNUPG:] TRUST_ULTIMATE 0 pgp",
)


def user_gpg(path: Path, markers: Path) -> Path:
    """The user's OpenPGP program: a stand-in for gpg that signs (marker user-sign) and
    verifies (marker user-verify). Only which program runs is under test here."""
    mark = shlex.quote(str(markers))
    good = "\n".join(f"echo {shlex.quote(line)}" for line in _GOOD)
    return script(
        path,
        "cat >/dev/null\n"
        'for arg in "$@"; do if [ "$arg" = --verify ]; then\n'
        f"touch {mark}/user-verify\n{good}\nexit 0\nfi; done\n"
        f"touch {mark}/user-sign\n"
        "echo '[GNUPG:] SIG_CREATED D 1 8 00 0 FAKE' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nFAKE\\n-----END PGP SIGNATURE-----\\n'",
    )


def user_ssh_keygen(path: Path, markers: Path) -> Path:
    """The user's gpg.ssh.program: the real ssh-keygen, marking signing and checking."""
    mark = shlex.quote(str(markers))
    return script(
        path,
        'case "$2" in verify|find-principals|check-novalidate) '
        f"touch {mark}/user-verify;; *) touch {mark}/user-sign;; esac\n"
        'exec ssh-keygen "$@"',
    )


def read_commands(root: Path, out: Path) -> list[tuple[str, ...]]:
    """Every read command of the CLI, with the arguments that reach the most code."""
    commands: list[tuple[str, ...]] = [
        ("status",), ("status", "--json"), ("log",), ("log", "--json"),
        ("log", "-S", "Tuesday"), ("log", "-S", "Tuesday", "--json"),
        ("show", "HEAD"), ("show", "HEAD", "--json"),
        ("diff", "HEAD~1", "HEAD", "--inline"), ("diff", "HEAD~1", "HEAD", "--side-by-side"),
        ("diff", "HEAD~1", "HEAD", "--json"), ("blame", "article.md"),
        ("blame", "article.md", "--json"), ("notes-history", "HEAD"),
        ("notes-history", "HEAD", "--json"),
    ]  # fmt: skip
    for fmt in ("html", "md", "json"):
        commands.append(("export", "--format", fmt, "-o", str(out / f"report.{fmt}")))
    return commands


@pytest.fixture(params=["openpgp", "ssh"])
def signed_store(request, tmp_path) -> tuple[Path, Path, str]:
    """A store every commit of which the user's own program signed; returns (store,
    markers, format). The user's choices live in the test's own global config."""
    fmt = request.param
    if fmt == "ssh" and shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    markers = tmp_path / "markers"
    markers.mkdir()
    home = Path(os.environ["HOME"])
    settings = "[commit]\n\tgpgSign = true\n"
    if fmt == "openpgp":
        program = user_gpg(tmp_path / "user-gpg", markers)
        settings += f"[gpg]\n\tformat = openpgp\n\tprogram = {program}\n"
    else:
        key = tmp_path / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(key)],
                       check=True)  # fmt: skip
        allowed = tmp_path / "allowed"
        allowed.write_text(f"ann@example.org {(tmp_path / 'key.pub').read_text()}")
        program = user_ssh_keygen(tmp_path / "user-ssh-keygen", markers)
        settings += (
            f'[gpg]\n\tformat = ssh\n[gpg "ssh"]\n\tprogram = {program}\n'
            f"\tallowedSignersFile = {allowed}\n[user]\n\tsigningKey = {key}\n"
        )
    with open(home / ".gitconfig", "a") as config:
        config.write(settings)
    root = tmp_path / "store"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")

    def cli(*args: str) -> None:
        result = run_cli("-C", str(root), *args)
        assert result.code == 0, result.err

    cli("init")
    (root / "article.md").write_text("The council approved the budget on Monday.\n")
    cli("add", "article.md", "--date", "2020-01-01T10:00:00+00:00")
    (root / "article.md").write_text("The council approved the budget on Tuesday.\n")
    cli("record", "article.md", "-m", "Fix the day", "--note", "1=The minutes say Tuesday.",
        "--date", "2020-01-02T10:00:00+00:00")  # fmt: skip
    cli("note", "HEAD", "1", "Checked against the minutes.")
    cli("review", "HEAD", "--approve")
    assert "user-sign" in fired(markers)
    assert set(git(root, "log", "--format=%G?", "main").split()) == {"G"}
    return root, markers, fmt


def plant_repository_signers(root: Path, tmp: Path, markers: Path) -> None:
    """Every signing program key of the repository's own config, each a trap."""
    for key in ("gpg.program", "gpg.openpgp.program", "gpg.x509.program", "gpg.ssh.program"):
        trap = marker_script(tmp / "traps" / key, markers, f"repo-{key}", "exit 1")
        git(root, "config", key, str(trap))
    git(root, "config", "gpg.ssh.allowedSignersFile", str(tmp / "repo-allowed"))
    git(root, "config", "log.showSignature", "true")


def test_read_commands_and_verify_check_signatures_with_the_users_program(signed_store, tmp_path):
    root, markers, fmt = signed_store
    plant_repository_signers(root, tmp_path, markers)
    # Control: plain git, checking a signature, runs the repository's program.
    clear(markers)
    subprocess.run(["git", "log", "-1", "--format=%G?"], cwd=root, capture_output=True)
    assert [m for m in fired(markers) if m.startswith("repo-")], "the traps are not live"
    clear(markers)

    out = tmp_path / "out"
    out.mkdir()
    for args in read_commands(root, out):
        result = run_cli("-C", str(root), *args)
        assert result.code == 0, (args, result.err)
    assert fired(markers) == [], "a read command other than verify ran a signing program"

    result = run_cli("-C", str(root), "verify", "--require-signatures", "--json")
    report = json.loads(result.out)
    # The signatures were checked, by the user's program, and all of them are good.
    assert fired(markers) == ["user-verify"]
    assert result.code == 0 and report["findings"] == [], report["findings"]
    assert report["signed"] >= 5  # setup, add, record, note, review
