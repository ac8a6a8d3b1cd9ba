"""``log`` on histories the tracker did not write: the blob-keyed change cache, reading
only what ``-n`` asks for, the git processes it starts, and merges of pull requests."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from git_processes import git_starts
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.diff import diff_texts
from tracker.logcache import ChangeCache, diff_json_ready
from tracker.store import Store

from conftest import git, run_cli, run_cli_ok

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
]


def _stamp(number: int) -> str:
    return f"{1_700_000_000 + number * 3600} +0000"


def _commit(
    branch: str, who: str, number: int, message: str, files: dict[str, str], merge: str = ""
) -> bytes:
    parts = [
        f"commit refs/heads/{branch}\n".encode(),
        f"author {who} {_stamp(number)}\ncommitter {who} {_stamp(number)}\n".encode(),
        b"data %d\n%s\n" % (len(message.encode()), message.encode()),
        f"merge refs/heads/{merge}\n".encode() if merge else b"",
    ]
    for name, text in files.items():
        body = text.encode()
        parts.append(f"M 100644 inline {name}\n".encode() + b"data %d\n%s\n" % (len(body), body))
    return b"".join(parts)


def _fast_import(root: Path, stream: bytes) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "fast-import", "--quiet", input=stream)
    git(root, "reset", "-q", "--hard", "main")
    return root


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(12)) + "." for _ in range(count)]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """60 plain-git revisions of a document of 40 paragraphs, a few words at a time."""
    rng = random.Random(8)
    blocks = _paragraphs(rng, 40)
    stream = []
    for number in range(60):
        if number:
            at = rng.randrange(len(blocks))
            words = blocks[at].split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS) + "s"
            blocks[at] = " ".join(words)
        text = "\n\n".join(blocks) + "\n"
        stream.append(_commit("main", "Ed <ed@example.org>", number, f"Edit {number}\n", {
            "doc.md": text
        }))  # fmt: skip
    return _fast_import(tmp_path_factory.mktemp("foreign") / "repo", b"".join(stream))


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / ".git" / "tracker" / "cache").glob("changes-*.txt"))


def _log(root: Path, *args: str) -> str:
    return run_cli_ok("-C", str(root), "log", *args, "doc.md").out


def test_the_cache_is_private_keyed_by_blobs_and_gives_the_same_output(history, tmp_path):
    repo = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    status_before = git(repo, "status", "--porcelain", "--ignored")
    refs_before = git(repo, "for-each-ref")
    cold = _log(repo, "--json")
    cold_text = _log(repo)
    [cache] = _cache_files(repo)
    lines = cache.read_bytes().splitlines()
    assert len(lines) == 60  # 59 pairs of blobs, and the first revision's baseline
    blobs = set(git(repo, "log", "--format=", "--raw", "--no-abbrev", "--", "doc.md").split())
    assert all(line.split(b" ")[1].decode() in blobs for line in lines)
    # Nothing in the work tree or in a ref: only the repository's private area.
    assert git(repo, "status", "--porcelain", "--ignored") == status_before
    assert git(repo, "for-each-ref") == refs_before
    # Warm: the same bytes, and no text is read.
    assert _log(repo, "--json") == cold
    assert _log(repo) == cold_text
    store = Store.open(repo)
    foreign = store.foreign_changes()
    store.foreign_changes = lambda: foreign  # type: ignore[method-assign]
    assert len(list(store.log("doc.md"))) == 60
    assert foreign.blobs_read == 0
    revisions = json.loads(cold)["revisions"]
    assert revisions[-1]["initial"] is True and revisions[0]["changes"]


def _damage(cache: Path, how: str) -> None:
    data = cache.read_bytes()
    if how == "garbage":
        cache.write_bytes(data[:500] + b"\x00\xffnot a cache line\n" + data[900:])
    elif how == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif how == "forged":
        # A line edited by hand, checksum fixed: a control character must not get out.
        first = data.split(b"\n", 1)[0]
        old, new, _crc, _payload = first.split(b" ", 3)
        import zlib

        payload = b'[{"index": 1, "kind": "insert", "old": {"start": 0, "end": 0, "text": ""},'
        payload += b' "new": {"start": 0, "end": 1, "text": "\x1b[31m"}, "note": null}]'
        line = b"%s %s %08x %s" % (old, new, zlib.crc32(payload), payload)
        cache.write_bytes(line + b"\n" + data)
    elif how == "empty":
        cache.write_bytes(b"")


@pytest.mark.parametrize("how", ["garbage", "truncated", "forged", "empty", "removed"])
def test_a_damaged_cache_is_rebuilt_and_the_output_stays_the_same(history, tmp_path, how):
    repo = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    expected = _log(repo, "--json")
    expected_text = _log(repo)
    [cache] = _cache_files(repo)
    if how == "removed":
        cache.unlink()
    else:
        _damage(cache, how)
    result = run_cli("-C", str(repo), "log", "--json", "doc.md")
    assert (result.code, result.err) == (0, "")
    assert result.out == expected
    assert _log(repo) == expected_text
    # Rebuilt: every line is whole and its checksum holds again, and it is used.
    entries = ChangeCache(repo / ".git")._load()
    assert len(entries) == 60 and b"\x1b" not in _cache_files(repo)[0].read_bytes()
    assert _log(repo, "--json") == expected


@pytest.mark.parametrize("how", ["cache-is-a-file", "cache-is-a-folder"])
def test_an_unwritable_cache_is_not_used_and_changes_nothing(history, tmp_path, how):
    # Tests may run as root, for whom permissions do not stop a write: make the path
    # impossible instead (a file where the folder must be, a folder where the file is).
    repo = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    expected = _log(repo, "--json")
    [cache] = _cache_files(repo)
    if how == "cache-is-a-file":
        folder = cache.parent
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()
        folder.write_text("not a folder\n")
    else:
        cache.unlink()
        cache.mkdir()
    for _ in range(2):
        result = run_cli("-C", str(repo), "log", "--json", "doc.md")
        assert (result.code, result.err, result.out) == (0, "", expected)


def test_a_read_only_repository_is_read_without_a_cache(history, tmp_path):
    repo = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    expected = _log(repo, "--json")
    for cache in _cache_files(repo):
        cache.unlink()
    os.chmod(repo / ".git" / "tracker" / "cache", 0o555)
    os.chmod(repo / ".git" / "tracker", 0o555)
    try:
        result = run_cli("-C", str(repo), "log", "--json", "doc.md")
        assert (result.code, result.err, result.out) == (0, "", expected)
    finally:
        os.chmod(repo / ".git" / "tracker", 0o755)
        os.chmod(repo / ".git" / "tracker" / "cache", 0o755)


def test_log_n_reads_only_the_revisions_it_shows(history, monkeypatch):
    store = Store.open(history)
    made = []
    original = store.foreign_changes

    def counting():
        made.append(original())
        made[-1].cache.path = None  # cold: nothing cached, every text is read
        return made[-1]

    monkeypatch.setattr(store, "foreign_changes", counting)
    shown = list(store.log("doc.md", limit=5))
    assert len(shown) == 5
    assert made[0].blobs_read <= 6  # five new texts and the one before the oldest
    everything = list(store.log("doc.md"))
    assert len(everything) == 60 and made[1].blobs_read >= 60


def test_log_starts_few_git_processes(history, tmp_path):
    for args in (["log", "doc.md"], ["log", "--json", "doc.md"], ["log", "-n", "20", "doc.md"]):
        result, started = git_starts(tmp_path / "bin", *args, cwd=history)
        assert result.code == 0, result.err
        # config --list (the door's pins), rev-parse, the listing, and the store's one
        # cat-file for the document check, reviews, texts and merged branches.
        assert len(started) <= 4, started
        assert sum("cat-file" in line for line in started) <= 1
        assert sum(" log " in f" {line} " for line in started) == 1


# -- the diff without the shared lines is the engine's diff ----------------------------------

LINES = st.lists(
    st.sampled_from(
        ["alpha beta\n", "gamma\n", "\n", "delta epsilon.\r\n", "zeta\u2028", "eta", "  theta\n"]
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, LINES, LINES)
def test_trimming_shared_lines_gives_the_engines_changes(head, old_mid, new_mid, tail):
    old = "".join(head + old_mid + tail)
    new = "".join(head + new_mid + tail)
    assert diff_json_ready(old, new) == diff_texts(old, new)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n\r.\u2028", max_size=40), st.text(alphabet="ab \n\r.", max_size=40))
def test_trimming_agrees_on_any_text(old, new):
    assert diff_json_ready(old, new) == diff_texts(old, new)


# -- merges of pull requests ------------------------------------------------------------------

MAINTAINER = "Mae Maintainer <mae@example.org>"
PAT = "Pat Contributor <pat@example.org>"
SAM = "Sam Second <sam@example.org>"


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """main: one revision; a pull request of two commits by two people, merged by the
    maintainer; then a merge whose branch changed another file and whose own tree changed
    the document (a conflict resolved in the merge)."""
    v1 = "The quick fox.\n\nA second paragraph.\n"
    v2 = "The quick brown fox.\n\nA second paragraph.\n"
    v3 = "The quick brown fox.\n\nA second, longer paragraph.\n"
    v4 = "The quick brown fox jumps.\n\nA second, longer paragraph.\n"
    stream = b"".join(
        (
            _commit("main", MAINTAINER, 1, "Start\n", {"doc.md": v1}),
            b"reset refs/heads/pr\nfrom refs/heads/main\n\n",
            _commit("pr", PAT, 2, "Add the colour\n\nReaders asked what fox.\n", {"doc.md": v2}),
            _commit("pr", SAM, 3, "Lengthen\n", {"other.txt": "x\n"}),
            _commit("pr", SAM, 4, "Say more\n", {"doc.md": v3}),
            _commit("main", MAINTAINER, 5, "Merge pull request #7 from pat/colour\n\nColour", {
                "doc.md": v3, "other.txt": "x\n"
            }, merge="pr"),
            b"reset refs/heads/side\nfrom refs/heads/main\n\n",
            _commit("side", PAT, 6, "Unrelated\n", {"other.txt": "y\n"}),
            _commit("main", MAINTAINER, 7, "Merge branch side\n", {"doc.md": v4}, merge="side"),
        )
    )  # fmt: skip
    return _fast_import(tmp_path_factory.mktemp("merges") / "repo", stream)


def test_a_merged_pull_request_is_shown_as_its_authors_work(merged):
    revisions = json.loads(_log(merged, "--json"))["revisions"]
    assert [r["summary"] for r in revisions] == [
        "Merge branch side",
        "Merge pull request #7 from pat/colour",
        "Start",
    ]
    resolved, pull, start = revisions
    assert pull["author"] == PAT
    assert pull["reason"] == "Add the colour\n\nReaders asked what fox.\n\nSay more"
    assert pull["attribution"] == "merged-branch"
    assert pull["merge"]["merged_by"] == MAINTAINER
    assert pull["merge"]["reason"] == "Colour"
    assert [(c["author"], c["summary"]) for c in pull["merge"]["commits"]] == [
        (PAT, "Add the colour"),
        (SAM, "Say more"),
    ]
    assert [c["new"]["text"] for c in pull["changes"]] == ["brown ", ", longer"]
    # The branch did not touch the document: the merge commit itself changed it.
    assert resolved["author"] == MAINTAINER and resolved["attribution"] == "merge"
    assert resolved["merge"]["commits"] == []
    # Ordinary commits get no new fields: existing output keeps its shape.
    assert "attribution" not in start and "merge" not in start
    text = _log(merged)
    assert "Pat Contributor" in text and "Add the colour" in text
    # Warm, from the cache: the same.
    assert json.loads(_log(merged, "--json"))["revisions"] == revisions


def test_the_merges_of_a_real_history_name_their_branch_authors(tmp_path):
    """The system-design-primer corpus rebuilt with its five merges as real merges."""
    import sys

    repo_root = Path(__file__).resolve().parent.parent
    corpus = repo_root.parent / "shared" / "corpora" / "system-design-primer.README.jsonl.gz"
    if not corpus.is_file():
        pytest.skip(f"the shared corpus is not here: {corpus} (../shared absent)")
    sys.path.insert(0, str(repo_root / "bench"))
    from bench_log_foreign import corpus_with_merges

    repo, doc, expected = corpus_with_merges("system-design-primer.README", tmp_path / "sdp")
    revisions = json.loads(run_cli_ok("-C", str(repo), "log", "--json", doc).out)["revisions"]
    merges = [r for r in revisions if "merge" in r]
    assert len(merges) == 5
    for revision in merges:
        want = expected[revision["summary"]]
        assert revision["attribution"] == "merged-branch"
        assert revision["author"] == want["author"]
        assert revision["merge"]["merged_by"] == want["merged_by"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab \n", max_size=60), st.text(alphabet="abc \n", max_size=60))
def test_the_engines_middle_snake_search_is_the_librarys(old, new):
    from diff_match_patch import diff_match_patch

    from tracker.diff import _Engine

    library, ours = diff_match_patch(), _Engine()
    library.Diff_Timeout = ours.Diff_Timeout = 0
    assert ours.diff_main(old, new, False) == library.diff_main(old, new, False)


@pytest.mark.parametrize("plant", ["linked-folder", "fifo", "linked-file"])
def test_a_cache_planted_in_a_copied_repository_is_not_followed(history, tmp_path, plant):
    """A repository copied from elsewhere can hold anything under .git: the cache never
    reads or writes through a link, and never blocks on a FIFO."""
    repo = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    expected = _log(repo, "--json")
    [cache] = _cache_files(repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "changes-v1-old.txt").write_text("someone's file\n")
    if plant == "linked-folder":
        for item in cache.parent.iterdir():
            item.unlink()
        cache.parent.rmdir()
        cache.parent.symlink_to(elsewhere)
    elif plant == "fifo":
        cache.unlink()
        os.mkfifo(cache)
    else:
        cache.unlink()
        cache.symlink_to(elsewhere / "changes-v1-old.txt")
    result = run_cli("-C", str(repo), "log", "--json", "doc.md")
    assert (result.code, result.err, result.out) == (0, "", expected)
    assert [p.name for p in elsewhere.iterdir()] == ["changes-v1-old.txt"]
    assert (elsewhere / "changes-v1-old.txt").read_text() == "someone's file\n"
