"""Issue 7, second review: siblings of the fixed bugs in paths the first fixes missed."""

from __future__ import annotations

from tracker import api
from tracker.recording import init_store, record
from tracker.store import Store

from conftest import ANN, DATE, git, run_cli

# -- 8: a writer that opened the store before another writer moved the branch ------------


def test_a_store_opened_before_another_record_still_records(tmp_path):
    """The branch read when the store was opened may be stale by the time the lock is
    taken (two documents recorded at once): recording reads it again under the lock,
    rather than refusing with a false "staged by another program"."""
    store = init_store(tmp_path / "s", ANN, DATE)
    for name in ("a.txt", "b.txt"):
        (store.root / name).write_text(f"The {name} text.\n")
        record(store, name, f"Add {name}", identity=ANN, date=DATE)
    mine = Store.open(store.root)  # like a command that has just started
    mine.documents()
    (store.root / "a.txt").write_text("The a.txt words.\n")
    (store.root / "b.txt").write_text("The b.txt words.\n")
    other = run_cli("-C", str(store.root), "record", "b.txt", "-m", "Other writer",
                    "--author", str(ANN))  # fmt: skip
    assert other.code == 0, other.stderr
    revision = api.record_revision(mine, "a.txt", "Mine", author=str(ANN))
    assert revision.summary == "Mine"
    log = git(store.root, "log", "--format=%s", "-3").splitlines()
    assert log == ["Mine", "Other writer", "Add b.txt"]
    assert git(store.root, "status", "--porcelain") == ""
