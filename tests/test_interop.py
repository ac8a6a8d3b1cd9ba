"""Git is the database: what the tracker writes reads back through other git tooling.

GitPython (one of the project's declared dependencies) plays the auditor who never
installed the tracker: it finds each revision's reason and record, the later notes, the
reviews and the journal with its ordinary API.
"""

from __future__ import annotations

import json

import git
import pytest

from tracker.demo import build_demo

from conftest import run_cli, run_cli_ok


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = build_demo(tmp_path_factory.mktemp("interop") / "demo").root
    run_cli_ok("-C", str(root), "note", "HEAD~1", "1", "A later, better reason.")
    run_cli_ok("-C", str(root), "review", "HEAD", "--approve", "--comment", "Checked")
    return root


def test_gitpython_reads_records_notes_reviews_and_journal(store):
    repo = git.Repo(store)
    head = repo.head.commit
    assert head.summary == "Add a dated corrections notice"
    record_line = next(
        line for line in head.message.splitlines() if line.startswith("Tracker-Record: ")
    )
    record = json.loads(record_line.split(": ", 1)[1])
    assert record["changes"][0]["note"]["category"] == "other"
    later = json.loads(repo.git.notes("--ref=tracker", "show", head.parents[0].hexsha))
    assert later["entries"][-1]["text"] == "A later, better reason."
    reviews = json.loads(repo.git.notes("--ref=tracker-reviews", "show", head.hexsha))
    assert reviews["entries"][-1]["status"] == "approved"
    journal = list(repo.iter_commits("refs/tracker/journal"))
    assert journal[0].message.startswith("review ")
    recorded = {json.loads(c.message.splitlines()[-1].split(": ", 1)[1])["commit"]
                for c in journal if c.message.startswith(("record", "setup"))}  # fmt: skip
    assert recorded == {c.hexsha for c in repo.iter_commits("HEAD")}


def test_log_limit_zero_lists_nothing_as_git_does(store):
    result = run_cli("-C", str(store), "log", "-n", "0", "--json")
    assert json.loads(result.out)["revisions"] == []
