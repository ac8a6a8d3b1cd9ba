"""A full sync round over each transport git offers, against real servers on 127.0.0.1:
file://, ``git daemon``, smart HTTP (``git http-backend``) and ssh (Debian's sshd).

One server per transport for the module (they are slow to start); each test has its own
bare repository under it. A round: the first editor pushes the store, a second clones it
with plain git and syncs, records and syncs; the first takes it; both verify.
"""

from __future__ import annotations

import pytest
from servers import bare, git_daemon, http_backend, sshd, sshd_missing, use_ssh_command
from sync_helpers import DOC, Desk, record

from tracker import porcelain
from tracker.store import Store


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The module's servers, started on first use, each serving its own folder."""
    started = {}
    stack = []

    def get(kind: str):
        if kind not in started:
            root = tmp_path_factory.mktemp(kind)
            if kind == "git":
                context = git_daemon(root)
            elif kind == "http":
                context = http_backend(root)
            else:
                context = sshd(root, tmp_path_factory.mktemp("ssh-keys"))
            started[kind] = context.__enter__()
            stack.append(context)
        return started[kind]

    yield get
    for context in reversed(stack):
        context.__exit__(None, None, None)


def full_round(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = record(bob, "5 percent", "7 percent", note="the census figure")
    porcelain.review(bob, "HEAD~1", "approved", author="Bob Checker <bob@example.org>")
    assert porcelain.sync(bob).pushed
    result = porcelain.sync(ann)
    assert result.taken == 1 and "refs/notes/tracker-reviews" in result.moved
    assert "7 percent" in (ann.root / DOC).read_text()
    porcelain.note(ann, rev, 1, "the 2024 census figure")
    porcelain.sync(ann)
    porcelain.sync(bob)
    assert desk.refs("ann") == desk.refs("bob")
    for store in (ann, bob):
        report = porcelain.verify(Store.open(store.root))
        assert report.ok, [f"{f.kind}: {f.message}" for f in report.findings]


@pytest.mark.parametrize("kind", ["file", "git", "http", "ssh"])
def test_a_full_sync_round_over(kind: str, served, tmp_path) -> None:
    if kind == "ssh" and (why := sshd_missing()):
        pytest.skip(why)
    if kind == "file":
        root = tmp_path / "served"
        root.mkdir()
        url = bare(root, "news.git").as_uri()
    else:
        server = served(kind)
        name = f"{tmp_path.name}.git"
        bare(server.root, name)
        url = server.url(name)
        if kind == "ssh":
            use_ssh_command(server.ssh_command)  # the user's global core.sshCommand
    full_round(Desk(tmp_path, url))
