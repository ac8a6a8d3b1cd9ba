"""The bundled article's history: byte-exact first revision, a note on every change,
the same commit ids every time it is built."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib

import pytest

from tracker.demo import REVISIONS_DIR, build_demo
from tracker.model import DEFAULT_CATEGORIES

from conftest import REPO_ROOT, SHARED, git, run_cli

SEED = SHARED / "seed" / "000_8cb83d41340bd58a.txt"
ORIGINAL = REVISIONS_DIR / "01-original.txt"
SEED_SHA256 = "19e1649ccf6d4a92180d9057bcc91709fa264ee7710e5447da5d270104b4df16"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "store"
    result = run_cli("demo", "--path", str(path), "--no-tui")
    assert result.code == 0, result.err
    assert result.out.strip() == str(path)
    return path


def test_revision_one_is_the_bundled_original_byte_for_byte(demo):
    """The demo's first article revision is revisions/01-original.txt, every byte of it."""
    manifest = tomllib.loads((REVISIONS_DIR / "manifest.toml").read_text())
    assert manifest["revision"][0]["file"] == ORIGINAL.name
    first = ORIGINAL.read_bytes()
    # The seed's own hash (the shared seed file's sha256): the bundled copy was never edited,
    # even where ../shared is absent to compare with.
    assert hashlib.sha256(first).hexdigest() == SEED_SHA256
    root_commit = git(demo, "rev-list", "--max-parents=0", "HEAD").split()[0]
    revs = git(demo, "rev-list", "--reverse", "HEAD").split()
    assert revs[0] == root_commit  # the store's setup commit, then the article
    article_rev = revs[1]
    blob = subprocess.run(
        ["git", "cat-file", "blob", f"{article_rev}:article.txt"],
        cwd=demo,
        capture_output=True,
        check=True,
    ).stdout
    assert blob == first
    assert blob.count(b"The Role of ICE in Combating") >= 2
    assert not blob.endswith(b"\n") and "\u201c".encode() in blob


@pytest.mark.skipif(not SEED.exists(), reason=f"shared seed not found: {SEED} (../shared absent)")
def test_bundled_original_is_the_shared_seed():
    assert ORIGINAL.read_bytes() == SEED.read_bytes()


def test_log_json_lists_every_revision_with_a_note_on_every_change(demo):
    result = run_cli("-C", str(demo), "log", "--json")
    assert result.code == 0, result.err
    log = json.loads(result.out)
    revisions = log["revisions"]
    manifest = tomllib.loads((REVISIONS_DIR / "manifest.toml").read_text())
    assert 7 <= len(revisions) == len(manifest["revision"]) <= 11
    assert [r["summary"] for r in reversed(revisions)] == [
        r["summary"] for r in manifest["revision"]
    ]
    corrections = revisions[:-1]
    assert sum(1 for r in corrections if len(r["changes"]) > 1) >= 3
    categories = set()
    for revision in corrections:
        assert revision["changes"], revision["summary"]
        assert revision["reason"]
        for change in revision["changes"]:
            assert change["note"] is not None, (revision["summary"], change)
            assert change["note"]["text"].strip()
            assert change["note"]["category"] in DEFAULT_CATEGORIES
            categories.add(change["note"]["category"])
    assert {"factual", "structure", "balance", "style"} <= categories
    # The final text is the last file of the manifest.
    last = (REVISIONS_DIR / manifest["revision"][-1]["file"]).read_bytes()
    assert (demo / "article.txt").read_bytes() == last


def test_the_known_problems_are_corrected(demo):
    text = (demo / "article.txt").read_text(encoding="utf-8")
    # The notices may repeat an error as far as needed to correct it; the body may not.
    final = "\n\n".join(p for p in text.split("\n\n") if "An earlier version" not in p)
    log = json.loads(run_cli("-C", str(demo), "log", "-S", "Los Zetas", "--json").out)
    assert log["revisions"], "some revision removed or reworded 'Los Zetas'"
    assert "Mexican" in final
    assert "as of" in final.lower()
    assert "gang members fleeing" not in final
    assert "machine learning models can help predict" not in final
    paragraphs = final.split("\n\n")
    assert paragraphs[0] != paragraphs[1], "the title is no longer printed twice"


def test_building_twice_gives_the_same_commit_ids(tmp_path, demo):
    again = build_demo(tmp_path / "again")
    assert git(again.root, "rev-parse", "HEAD") == git(demo, "rev-parse", "HEAD")
    # Building over an earlier demo reopens it: the same commit ids again.
    rebuilt = build_demo(tmp_path / "again")
    assert git(rebuilt.root, "rev-parse", "HEAD") == git(demo, "rev-parse", "HEAD")


def test_demo_refuses_to_overwrite_other_folders(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    result = run_cli("demo", "--path", str(target), "--no-tui")
    assert result.code != 0 and "not empty" in result.err
    assert (target / "precious.txt").read_text() == "keep me"


def test_demo_default_location_is_a_per_user_data_folder(tmp_path):
    result = run_cli("demo", "--no-tui", env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert result.code == 0, result.err
    assert result.out.strip() == str(tmp_path / "xdg" / "tracker" / "demo")


def test_demo_without_a_terminal_builds_then_explains(tmp_path):
    result = run_cli("demo", "--path", str(tmp_path / "d"))
    assert result.code == 1 and "needs a terminal" in result.err
    assert (tmp_path / "d" / "article.txt").exists()


def test_revisions_folder_has_no_code():
    files = {p.suffix for p in (REPO_ROOT / "revisions").iterdir()}
    assert files <= {".txt", ".toml", ".md"}


def test_running_demo_again_keeps_the_work_done_in_it(tmp_path):
    path = tmp_path / "demo"
    first = run_cli("demo", "--path", str(path), "--no-tui")
    assert first.code == 0 and first.out.strip() == str(path), first.err
    bundled = git(path, "rev-parse", "HEAD").strip()
    article = path / "article.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\n\nA closing line.")
    recorded = run_cli("-C", str(path), "record", "article.txt", "-m", "Close", "--note", "*=x")
    assert recorded.code == 0, recorded.err
    mine = git(path, "rev-parse", "HEAD").strip()
    assert run_cli("-C", str(path), "review", "HEAD", "--approve").code == 0
    article.write_text(article.read_text(encoding="utf-8") + " Unrecorded edit.")
    edited = article.read_bytes()

    again = run_cli("demo", "--path", str(path), "--no-tui")
    assert again.code == 0, again.err
    assert again.out.strip() == str(path)  # where the store is, alone on stdout
    assert "reopened" in again.err and "--reset" in again.err
    assert git(path, "rev-parse", "HEAD").strip() == mine
    assert article.read_bytes() == edited
    assert "approved" in run_cli("-C", str(path), "log", "-n", "1").out

    fresh = run_cli("demo", "--path", str(path), "--no-tui", "--reset")
    assert fresh.code == 0 and fresh.out.strip() == str(path), fresh.err
    assert git(path, "rev-parse", "HEAD").strip() == bundled
    # The reset demo holds the bundled approvals (one per correction) and not the user's.
    corrections = len(tomllib.loads((REVISIONS_DIR / "manifest.toml").read_text())["revision"]) - 1
    assert run_cli("-C", str(path), "log").out.count("approved by") == corrections


def test_demo_prints_where_its_store_is_when_it_opens_the_app(tmp_path):
    path = tmp_path / "demo"
    for _ in range(2):  # built, then reopened
        result = run_cli("demo", "--path", str(path))
        assert "needs a terminal" in result.err
        assert str(path) in result.out


def test_an_interrupted_demo_build_is_not_mistaken_for_a_demo(tmp_path):
    path = tmp_path / "demo"
    assert run_cli("demo", "--path", str(path), "--no-tui").code == 0
    (path / ".git" / "tracker-demo").write_text("building\n")  # as if killed while building
    result = run_cli("demo", "--path", str(path), "--no-tui")
    assert result.code == 1 and "interrupted" in result.err and "--reset" in result.err
    assert run_cli("demo", "--path", str(path), "--no-tui", "--reset").code == 0
    assert (path / ".git" / "tracker-demo").read_text() == "built by tracker demo\n"


def test_reset_never_deletes_a_folder_that_is_not_a_demo(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    result = run_cli("demo", "--path", str(target), "--no-tui", "--reset")
    assert result.code == 1 and "not a demo store" in result.err
    assert (target / "precious.txt").read_text() == "keep me"
