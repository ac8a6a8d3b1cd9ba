"""Trees the tracker did not write may hold more than text files: a submodule (a gitlink)
or a symbolic link is not a document, and must not stop the commands that list them."""

from __future__ import annotations

import json

from conftest import git, run_cli


def test_a_submodule_and_a_symlink_are_not_documents(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    git(inner, "init", "-q")
    (inner / "x.txt").write_text("x\n")
    git(inner, "add", "x.txt")
    git(inner, "-c", "user.name=I", "-c", "user.email=i@x", "commit", "-qm", "x")
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "doc.txt").write_text("Some text.\n")
    (outer / "link.txt").symlink_to("doc.txt")
    git(outer, "add", "doc.txt", "link.txt")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    git(outer, "-c", "user.name=O", "-c", "user.email=o@x", "commit", "-qm", "Both")

    (outer / "doc.txt").write_text("Some more text.\n")  # status lists what has changes
    status = run_cli("-C", str(outer), "status", "--json")
    assert status.code == 0, status.err
    listed = {d["document"] for d in json.loads(status.out)["documents"]}
    assert "doc.txt" in listed and not listed & {"sub", "link.txt"}
    log = run_cli("-C", str(outer), "log", "doc.txt", "--json")
    assert log.code == 0, log.err
    assert json.loads(log.out)["revisions"]
    refused = run_cli("-C", str(outer), "log", "sub", "--json")
    assert refused.code == 1 and "not a document" in refused.err
