"""The tracker reads a real prose repository it did not create.

Each repository is rebuilt with plain git (one ``git fast-import``) from a corpus of real
revisions, then read through the real CLI. The PEP 8 fixture in tests/fixtures (47
revisions, public domain) runs always; the full shared System Design Primer corpus
(README.md, 208 revisions) runs too when ../shared is present.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from tracker.store import Store

from conftest import REPO_ROOT, SHARED, run_cli, snapshot

# The word with 14 combining marks PEP 8 has carried since 2021 (no normalization form).
ZALGO = "z\u0361\u032f\u032fa\u0327\u034e\u033al\u0321\u0353\u032bg\u0339\u0332o\u0321\u033c\u0318"


@dataclass(frozen=True)
class Corpus:
    """A revision corpus (JSON Lines, gzip or xz) and what the tests search it for."""

    name: str
    path: Path
    doc: str
    searches: tuple[str, ...]
    shared: bool  # lives in ../shared, which a fresh clone does not have


CORPORA = [
    Corpus(
        "fixture-pep8",
        REPO_ROOT / "tests" / "fixtures" / "pep-0008.cut.jsonl.xz",
        "pep-0008.txt",
        ("Python 3", "<>", ZALGO),
        shared=False,
    ),
    Corpus(
        "shared-sdp",
        SHARED / "corpora" / "system-design-primer.README.jsonl.gz",
        "README.md",
        ("Consistent hashing", "\u2219", "Donne Martin"),
        shared=True,
    ),
]
# The full shared PEP 8 (150 revisions) is left out on purpose: a word diff between its
# 2001 plain text and its 2023 reStructuredText takes 20-60 s a command, minutes in all,
# and its last 50 revisions are the fixture above.
CORPUS_IDS = [c.name for c in CORPORA]


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


def _fast_import_stream(records: list[dict], doc: str) -> bytes:
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
        chunks.append(f"M 100644 inline {doc}\n".encode())
        chunks.append(b"data %d\n" % len(text) + text + b"\n\n")
    return b"".join(chunks)


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _read_records(path: Path) -> list[dict]:
    opener = lzma.open if path.suffix == ".xz" else gzip.open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _build_repo(records: list[dict], doc: str, repo: Path) -> list[str]:
    """A plain git repository with one commit per record (oldest first), built by git
    alone; returns its commit ids, oldest first."""
    env = _plain_git_env()

    def plain(*args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=repo, input=input, capture_output=True, check=True, env=env
        )
        return proc.stdout.decode()

    repo.mkdir(parents=True)
    plain("init", "--quiet", "--initial-branch=main")
    plain("fast-import", "--quiet", input=_fast_import_stream(records, doc))
    plain("reset", "--quiet", "--hard", "main")
    commits = plain("rev-list", "--reverse", "main").split()
    assert len(commits) == len(records)
    return commits


@dataclass
class Built:
    """A corpus rebuilt as a repository: its records, folder, commits and document."""

    corpus: Corpus
    records: list[dict]
    repo: Path
    commits: list[str]

    @property
    def doc(self) -> str:
        return self.corpus.doc

    @property
    def count(self) -> int:
        return len(self.records)

    def at(self, fraction: float) -> int:
        """The position ``fraction`` of the way through the history (0 first, 1 last)."""
        return round(fraction * (self.count - 1))


@pytest.fixture(scope="module")
def _built_cache(tmp_path_factory) -> dict[str, Built]:
    # Built once per module and corpus, whatever order the tests run in (random order
    # would otherwise rebuild a parametrized module fixture each time its param changes).
    return {}


@pytest.fixture(params=CORPORA, ids=CORPUS_IDS)
def built(request, _built_cache, tmp_path_factory) -> Built:
    corpus: Corpus = request.param
    if corpus.name not in _built_cache:
        if not corpus.path.is_file():
            if corpus.shared:
                pytest.skip(
                    f"shared corpus {corpus.path.name} not found ({corpus.path.parent} is "
                    "absent); the PEP 8 fixture in tests/fixtures ran instead"
                )
            pytest.fail(f"the test fixture {corpus.path} is missing")
        records = _read_records(corpus.path)
        assert [r["index"] for r in records] == list(range(len(records)))
        # A pure rename changes nothing in a one-path rebuild, and ``log`` of the path
        # rightly skips it: keep only records whose text differs from the one before.
        records = [r for i, r in enumerate(records) if not i or r["text"] != records[i - 1]["text"]]
        repo = tmp_path_factory.mktemp(f"corpus-{corpus.name}") / "repo"
        commits = _build_repo(records, corpus.doc, repo)
        _built_cache[corpus.name] = Built(corpus, records, repo, commits)
    return _built_cache[corpus.name]


def _apply(old: str, changes: list[dict]) -> str:
    """Apply changes (each replaces old.start..old.end with new.text) in old order; a
    move deletes its old text and inserts its new text at ``new_place_in_old``, and the
    edits inside it are carried by it (docs/storage-format.md, "Rebuilding a text")."""
    steps = []
    for change in changes:
        if "within" in change:
            continue
        if change["kind"] == "move":
            steps.append((change["old"]["start"], change["old"]["end"], ""))
            at = change["new_place_in_old"]
            steps.append((at, at, change["new"]["text"]))
        else:
            steps.append((change["old"]["start"], change["old"]["end"], change["new"]["text"]))
    steps.sort(key=lambda step: step[:2])
    out = []
    pos = 0
    for start, end, text in steps:
        assert start >= pos, "changes overlap or are out of order"
        out.append(old[pos:start])
        out.append(text)
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
        assert change["kind"] in (expected_kind, "move")
        assert o["text"] != n["text"] or change["kind"] == "move"
    assert _apply(old, changes) == new


def _json(result) -> dict:
    assert result.code == 0, result.err
    return json.loads(result.out)


# -- log -------------------------------------------------------------------------------


def test_log_lists_every_revision_with_its_metadata(built):
    repo, commits, records, doc = built.repo, built.commits, built.records, built.doc
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "log", doc, "--json"))

    assert data["document"] == doc
    revisions = data["revisions"]
    assert len(revisions) == built.count
    assert [r["rev"] for r in revisions] == commits[::-1]  # newest first
    for position, (revision, record) in enumerate(zip(reversed(revisions), records, strict=True)):
        assert revision["parent"] == (commits[position - 1] if position else None)
        # The tracker trims a summary's edge spaces (PEP 8's revision 116 starts with one).
        assert revision["summary"] == record["subject"].strip()
        # The tracker reads commit messages with CRLF folded to LF (one record's body has
        # CRLF line ends, one PEP 8 body ends in the CR of the message's last CRLF);
        # otherwise the reason is the body exactly.
        assert revision["reason"] == (record["body"] + "\n").replace("\r\n", "\n")[:-1]
        assert revision["author"] == f"{record['author_name']} <{record['author_email']}>"
        assert revision["date"] == record["author_date"]
        parsed = datetime.fromisoformat(revision["date"])
        assert parsed.utcoffset() is not None
        assert revision["recorded_by_tracker"] is False
        assert revision["document"] == doc
        assert revision["notes"] == 0
        if position == 0:
            assert revision.get("initial") is True
            assert revision["changes"] == []
        else:
            assert revision["changes"], f"revision {position} changes the text"
            assert all(c["note"] is None for c in revision["changes"])
    assert snapshot(repo) == before


def test_log_changes_reconstruct_every_revision(built):
    """The word diffs of every revision, as ``log`` computes them, are exact."""
    records = built.records
    revisions = _json(run_cli("-C", str(built.repo), "log", built.doc, "--json"))["revisions"]
    revisions = revisions[::-1]
    for position in range(1, built.count):
        _check_changes(
            records[position - 1]["text"],
            records[position]["text"],
            revisions[position]["changes"],
        )


def test_log_limit_and_human_output(built):
    repo, commits, doc = built.repo, built.commits, built.doc
    before = snapshot(repo)

    limited = _json(run_cli("-C", str(repo), "log", doc, "-n", "3", "--json"))
    assert [r["rev"] for r in limited["revisions"]] == commits[::-1][:3]

    result = run_cli("-C", str(repo), "log", doc, "-n", "3")
    assert result.code == 0, result.err
    assert built.records[-1]["subject"].strip() in result.out
    assert commits[-1][:7] in result.out
    assert f"3 revision(s) of {doc}" in result.out
    assert snapshot(repo) == before


# -- show ------------------------------------------------------------------------------

# Positions as fractions of the history, so one list fits corpora of any length; 1/N-ish
# early ones catch the second revision, 1.0 the newest.
SHOW_AT = [0.005, 0.01, 0.13, 0.24, 0.35, 0.5, 0.58, 0.71, 0.87, 0.97, 1.0]


@pytest.mark.parametrize("fraction", SHOW_AT)
def test_show_changes_reconstruct_the_revision(built, fraction):
    repo, commits, records = built.repo, built.commits, built.records
    position = max(1, built.at(fraction))
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "show", commits[position], built.doc, "--json"))

    assert data["rev"] == commits[position]
    assert data["parent"] == commits[position - 1]
    assert data["summary"] == records[position]["subject"].strip()
    assert data["recorded_by_tracker"] is False
    assert data["changes"]
    _check_changes(records[position - 1]["text"], records[position]["text"], data["changes"])
    assert snapshot(repo) == before


def test_show_without_a_file_finds_the_document(built):
    position = built.at(0.58)
    data = _json(run_cli("-C", str(built.repo), "show", built.commits[position], "--json"))
    assert data["document"] == built.doc
    records = built.records
    _check_changes(records[position - 1]["text"], records[position]["text"], data["changes"])


def test_show_first_revision_is_the_baseline(built):
    data = _json(run_cli("-C", str(built.repo), "show", built.commits[0], built.doc, "--json"))
    assert data["parent"] is None
    assert data.get("initial") is True
    assert data["changes"] == []


# -- diff ------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(0.05, 0.97), (0.0, 1.0), (0.72, 0.73), (0.97, 0.05)])
def test_diff_between_distant_revisions_reconstructs(built, a, b):
    repo, commits, records = built.repo, built.commits, built.records
    a, b = built.at(a), built.at(b)
    assert a != b
    before = snapshot(repo)

    data = _json(run_cli("-C", str(repo), "diff", commits[a], commits[b], built.doc, "--json"))

    assert data["from"] == commits[a]
    assert data["to"] == commits[b]
    assert data["changes"]
    _check_changes(records[a]["text"], records[b]["text"], data["changes"])
    assert snapshot(repo) == before


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.35, 0.87, 0.97, 1.0])
def test_text_read_back_is_byte_exact(built, fraction):
    position = built.at(fraction)
    record = built.records[position]
    data = Store.open(built.repo).text_at(built.commits[position], built.doc).encode("utf-8")
    assert len(data) == record["size_bytes"]
    assert _blob_id(data) == record["blob"]


# -- search (pickaxe) -------------------------------------------------------------------


def _pickaxe(records: list[dict], commits: list[str], needle: str) -> set[str]:
    """Git's -S: revisions where the number of occurrences of ``needle`` changes."""
    matches = set()
    previous = ""
    for commit, record in zip(commits, records, strict=True):
        if previous.count(needle) != record["text"].count(needle):
            matches.add(commit)
        previous = record["text"]
    return matches


@pytest.mark.parametrize("which", [0, 1, 2])
def test_log_search_matches_pickaxe_semantics(built, which):
    needle = built.corpus.searches[which]
    commits = built.commits
    expected = _pickaxe(built.records, commits, needle)
    assert 0 < len(expected) < built.count  # the search is a real filter

    data = _json(run_cli("-C", str(built.repo), "log", built.doc, "-S", needle, "--json"))

    listed = [r["rev"] for r in data["revisions"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    # Still newest first.
    assert listed == [c for c in commits[::-1] if c in expected]


# -- the repository is left alone ------------------------------------------------------


def test_reading_does_not_modify_the_repository(built):
    repo, commits, doc = built.repo, built.commits, built.doc
    middle, early, late = commits[built.at(0.5)], commits[built.at(0.03)], commits[built.at(0.99)]
    before = snapshot(repo)
    objects_before = sorted(p.relative_to(repo) for p in (repo / ".git").rglob("*"))
    for args in (
        ("log", doc, "--json"),
        ("log", doc, "-n", "2"),
        ("log", doc, "-S", built.corpus.searches[0], "--json"),
        ("show", middle, "--json"),
        ("show", middle),
        ("diff", early, late, doc, "--json"),
        ("diff", early, late, doc),
        ("status", "--json"),
    ):
        result = run_cli("-C", str(repo), *args)
        assert result.code == 0, (args, result.err)
    assert snapshot(repo) == before
    objects_after = sorted(p.relative_to(repo) for p in (repo / ".git").rglob("*"))
    # The one thing reading may add: the cache of computed changes, in git's private area
    # (never a ref, an object or the work tree), which nothing but the tracker reads.
    cache = Path(".git", "tracker")
    added = [p for p in objects_after if p not in objects_before]
    assert all(p == cache or cache in p.parents for p in added), added
    assert [p for p in objects_after if p not in added] == objects_before
