"""The tracker reads a real prose repository it did not create.

The repository is rebuilt with plain git (one ``git fast-import``) from the shared corpus
of 208 revisions of the System Design Primer's README.md, then read through the real CLI.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tracker.store import Store

from conftest import SHARED, run_cli, snapshot

CORPUS = SHARED / "corpora" / "system-design-primer.README.jsonl.gz"
DOC = "README.md"
COUNT = 208


def _plain_git_env() -> dict[str, str]:
    """An environment in which git reads no user or system configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


def _git_stamp(iso: str) -> str:
    """``2017-02-26T05:08:55-08:00`` -> ``1488114535 -0800`` (git's raw date format)."""
    when = datetime.fromisoformat(iso)
    offset = when.utcoffset()
    assert offset is not None, iso
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{int(when.timestamp())} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def _fast_import_stream(records: list[dict]) -> bytes:
    chunks: list[bytes] = []
    for record in records:
        message = record["subject"] + ("\n\n" + record["body"] if record["body"] else "") + "\n"
        message_bytes = message.encode("utf-8")
        text = record["text"].encode("utf-8")
        who = f"{record['author_name']} <{record['author_email']}>"
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"author {who} {_git_stamp(record['author_date'])}\n".encode())
        chunks.append(f"committer {who} {_git_stamp(record['committer_date'])}\n".encode())
        chunks.append(b"data %d\n" % len(message_bytes) + message_bytes + b"\n")
        chunks.append(b"M 100644 inline README.md\n")
        chunks.append(b"data %d\n" % len(text) + text + b"\n\n")
    return b"".join(chunks)


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@pytest.fixture(scope="module")
def records() -> list[dict]:
    if not CORPUS.is_file():
        pytest.skip(f"corpus not found: {CORPUS} (the shared corpora folder is missing)")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        data = [json.loads(line) for line in handle]
    assert len(data) == COUNT
    return data


@pytest.fixture(scope="module")
def corpus_repo(records, tmp_path_factory) -> tuple[Path, list[str]]:
    """A plain git repository with one commit per record (oldest first), built by git alone.

    Returns the repository's folder and its commit ids, oldest first.
    """
    repo = tmp_path_factory.mktemp("corpus") / "system-design-primer"
    env = _plain_git_env()

    def plain(*args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=repo, input=input, capture_output=True, check=True, env=env
        )
        return proc.stdout.decode()

    repo.mkdir()
    plain("init", "--quiet", "--initial-branch=main")
    plain("fast-import", "--quiet", input=_fast_import_stream(records))
    plain("reset", "--quiet", "--hard", "main")
    commits = plain("rev-list", "--reverse", "main").split()
    assert len(commits) == COUNT
    return repo, commits


def _apply(old: str, changes: list[dict]) -> str:
    """Apply changes (each replaces old.start..old.end with new.text) in order."""
    out = []
    pos = 0
    for change in changes:
        start, end = change["old"]["start"], change["old"]["end"]
        assert start >= pos, "changes overlap or are out of order"
        out.append(old[pos:start])
        out.append(change["new"]["text"])
        pos = end
    out.append(old[pos:])
    return "".join(out)


def _check_changes(old: str, new: str, changes: list[dict]) -> None:
    for number, change in enumerate(changes, start=1):
        assert change["index"] == number
        o, n = change["old"], change["new"]
        assert o["text"] == old[o["start"] : o["end"]], change
        assert n["text"] == new[n["start"] : n["end"]], change
        expected_kind = (
            "replace" if o["text"] and n["text"] else ("delete" if o["text"] else "insert")
        )
        assert change["kind"] == expected_kind
        assert o["text"] != n["text"]
    assert _apply(old, changes) == new


def _json(result) -> dict:
    assert result.code == 0, result.err
    return json.loads(result.out)


# -- log -------------------------------------------------------------------------------


def test_log_lists_every_revision_with_its_metadata(corpus_repo, records):
    repo, commits = corpus_repo
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "log", DOC, "--json"))

    assert data["document"] == DOC
    revisions = data["revisions"]
    assert len(revisions) == COUNT
    assert [r["rev"] for r in revisions] == commits[::-1]  # newest first
    for position, (revision, record) in enumerate(zip(reversed(revisions), records, strict=True)):
        assert revision["parent"] == (commits[position - 1] if position else None)
        assert revision["summary"] == record["subject"]
        # The tracker reads commit messages with CRLF folded to LF (one record's body has
        # CRLF line ends); otherwise the reason is the body exactly.
        assert revision["reason"] == record["body"].replace("\r\n", "\n")
        assert revision["author"] == f"{record['author_name']} <{record['author_email']}>"
        assert revision["date"] == record["author_date"]
        parsed = datetime.fromisoformat(revision["date"])
        assert parsed.utcoffset() is not None
        assert revision["recorded_by_tracker"] is False
        assert revision["document"] == DOC
        assert revision["notes"] == 0
        if position == 0:
            assert revision.get("initial") is True
            assert revision["changes"] == []
        else:
            assert revision["changes"], f"revision {position} changes the text"
            assert all(c["note"] is None for c in revision["changes"])
    assert snapshot(repo) == before


def test_log_changes_reconstruct_every_revision(corpus_repo, records):
    """The word diffs of all 208 revisions, as ``log`` computes them, are exact."""
    repo, _commits = corpus_repo
    revisions = _json(run_cli("-C", str(repo), "log", DOC, "--json"))["revisions"][::-1]
    for position in range(1, COUNT):
        _check_changes(
            records[position - 1]["text"],
            records[position]["text"],
            revisions[position]["changes"],
        )


def test_log_limit_and_human_output(corpus_repo, records):
    repo, commits = corpus_repo
    before = snapshot(repo)

    limited = _json(run_cli("-C", str(repo), "log", DOC, "-n", "3", "--json"))
    assert [r["rev"] for r in limited["revisions"]] == commits[::-1][:3]

    result = run_cli("-C", str(repo), "log", DOC, "-n", "3")
    assert result.code == 0, result.err
    assert records[-1]["subject"] in result.out
    assert commits[-1][:7] in result.out
    assert f"3 revision(s) of {DOC}" in result.out
    assert snapshot(repo) == before


# -- show ------------------------------------------------------------------------------

_RNG = random.Random(20260105)
SHOW_POSITIONS = sorted({1, 2, 50, 73, 120, 181, 207, *_RNG.sample(range(1, COUNT), 6)})


@pytest.mark.parametrize("position", SHOW_POSITIONS)
def test_show_changes_reconstruct_the_revision(corpus_repo, records, position):
    repo, commits = corpus_repo
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "show", commits[position], DOC, "--json"))

    assert data["rev"] == commits[position]
    assert data["parent"] == commits[position - 1]
    assert data["summary"] == records[position]["subject"]
    assert data["recorded_by_tracker"] is False
    assert data["changes"]
    _check_changes(records[position - 1]["text"], records[position]["text"], data["changes"])
    assert snapshot(repo) == before


def test_show_without_a_file_finds_the_document(corpus_repo, records):
    repo, commits = corpus_repo
    data = _json(run_cli("-C", str(repo), "show", commits[120], "--json"))
    assert data["document"] == DOC
    _check_changes(records[119]["text"], records[120]["text"], data["changes"])


def test_show_first_revision_is_the_baseline(corpus_repo, records):
    repo, commits = corpus_repo
    data = _json(run_cli("-C", str(repo), "show", commits[0], DOC, "--json"))
    assert data["parent"] is None
    assert data.get("initial") is True
    assert data["changes"] == []


# -- diff ------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(10, 200), (0, 207), (150, 151), (200, 10)])
def test_diff_between_distant_revisions_reconstructs(corpus_repo, records, a, b):
    repo, commits = corpus_repo
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "diff", commits[a], commits[b], DOC, "--json"))

    assert data["from"] == commits[a]
    assert data["to"] == commits[b]
    assert data["changes"]
    _check_changes(records[a]["text"], records[b]["text"], data["changes"])
    assert snapshot(repo) == before


@pytest.mark.parametrize("position", [0, 10, 73, 181, 200, 207])
def test_text_read_back_is_byte_exact(corpus_repo, records, position):
    repo, commits = corpus_repo
    data = Store.open(repo).text_at(commits[position], DOC).encode("utf-8")
    assert len(data) == records[position]["size_bytes"]
    assert _blob_id(data) == records[position]["blob"]


# -- search (pickaxe) -------------------------------------------------------------------

SEARCHES = ["Consistent hashing", "∙", "Donne Martin"]


def _pickaxe(records: list[dict], commits: list[str], needle: str) -> set[str]:
    """Git's -S: revisions where the number of occurrences of ``needle`` changes."""
    matches = set()
    previous = ""
    for commit, record in zip(commits, records, strict=True):
        if previous.count(needle) != record["text"].count(needle):
            matches.add(commit)
        previous = record["text"]
    return matches


@pytest.mark.parametrize("needle", SEARCHES)
def test_log_search_matches_pickaxe_semantics(corpus_repo, records, needle):
    repo, commits = corpus_repo
    expected = _pickaxe(records, commits, needle)
    assert 0 < len(expected) < COUNT  # the search is a real filter

    data = _json(run_cli("-C", str(repo), "log", DOC, "-S", needle, "--json"))

    listed = [r["rev"] for r in data["revisions"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    # Still newest first.
    assert listed == [c for c in commits[::-1] if c in expected]


# -- the repository is left alone ------------------------------------------------------


def test_reading_does_not_modify_the_repository(corpus_repo):
    repo, commits = corpus_repo
    before = snapshot(repo)
    objects_before = sorted(p.relative_to(repo) for p in (repo / ".git").rglob("*"))
    for args in (
        ("log", DOC, "--json"),
        ("log", DOC, "-n", "2"),
        ("log", DOC, "-S", "CAP theorem", "--json"),
        ("show", commits[100], "--json"),
        ("show", commits[100]),
        ("diff", commits[5], commits[205], DOC, "--json"),
        ("diff", commits[5], commits[205], DOC),
        ("status", "--json"),
    ):
        result = run_cli("-C", str(repo), *args)
        assert result.code == 0, (args, result.err)
    assert snapshot(repo) == before
    objects_after = sorted(p.relative_to(repo) for p in (repo / ".git").rglob("*"))
    assert objects_after == objects_before
