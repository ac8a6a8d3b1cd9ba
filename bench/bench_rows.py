"""``tracker diff --side-by-side`` on a long diff, before and after the shared row builder.

    python bench/bench_rows.py [--base DIR] [--runs N]

The pair is the first and the last revision of ``markdown_history()`` (660 revisions of a
130 KB Markdown guide the tracker did not write). ``--base`` is a tree of the code to
compare with (default: ``git archive`` of ``--base-rev``, main unless given, into a
temporary folder; issue 9's figures use 3e09227, the tree before the row builder, whose
drawing was a rich Table); each command runs
as a whole process, the three in turn (before, after, git's word diff of the same pair),
so a machine that speeds up or slows down weighs on each alike. Output goes to a pipe,
as in a script or a pager. Also timed in-process: the row builder alone, at 80 columns.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if "--render-once" not in sys.argv:  # a drawing child imports the version PYTHONPATH names
    sys.path.insert(0, str(ROOT))

from histories import markdown_history  # noqa: E402
from timing import plain_git_env  # noqa: E402


def _revs(repo: Path, doc: str) -> tuple[str, str]:
    out = subprocess.run(
        ["git", "rev-list", "--reverse", "HEAD", "--", doc],
        cwd=repo, capture_output=True, text=True, check=True, env=plain_git_env(),
    ).stdout.split()  # fmt: skip
    return out[0], out[-1]


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, check=True, env=env)
    return (time.perf_counter() - start) * 1000


def _render_once(saved: Path) -> None:
    """In a child process: draw a saved diff to a pipe, print the milliseconds it took."""
    import contextlib
    import io
    import pickle

    import tracker
    from tracker.cli import render

    assert Path(tracker.__file__).parents[1] == Path(os.environ["PYTHONPATH"]), tracker.__file__
    result = pickle.loads(saved.read_bytes())
    sink = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        render.diff(result, "side", 160)
    print((time.perf_counter() - start) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path)
    parser.add_argument("--base-rev", default="main", help="what --base defaults to")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--render-once", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_once:
        _render_once(args.render_once)
        return
    repo, doc = markdown_history()
    first, last = _revs(repo, doc)
    with tempfile.TemporaryDirectory() as tmp:
        base = args.base
        if base is None:
            base = Path(tmp)
            archive = subprocess.run(["git", "archive", args.base_rev], cwd=ROOT,
                                     capture_output=True, check=True).stdout  # fmt: skip
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        argv = [sys.executable, "-m", "tracker", "diff", "--side-by-side", "--width", "160",
                first, last, doc]  # fmt: skip
        envs = {
            "before": {**os.environ, "PYTHONPATH": str(base)},
            "after": {**os.environ, "PYTHONPATH": str(ROOT)},
        }
        git = ["git", "diff", "--word-diff=porcelain", first, last, "--", doc]
        for env in envs.values():  # warm the cache of changes, the same for both
            _run(argv, repo, env)
        times: dict[str, list[float]] = {"before": [], "after": [], "git word diff": []}
        for _ in range(args.runs):
            for name, env in envs.items():
                times[name].append(_run(argv, repo, env))
            times["git word diff"].append(_run(git, repo, plain_git_env()))
        from tracker.porcelain import diff, open_store

        os.chdir(repo)  # a document is named relative to where the command runs
        result = diff(open_store(repo), first, last, doc)
        # The drawing alone (the engine's time is the same on both sides): the same
        # DiffResult, drawn by each version's render.diff in a fresh process.
        import pickle

        saved = Path(tmp) / "result.pickle"
        saved.write_bytes(pickle.dumps(result))
        me = [sys.executable, str(Path(__file__).resolve()), "--render-once", str(saved)]
        for _ in range(args.runs):
            for name, env in envs.items():
                out = subprocess.run(me, capture_output=True, text=True, check=True, env=env)
                times.setdefault(f"{name}: drawing", []).append(float(out.stdout))
    from tracker.rows import side_by_side

    build = []
    for _ in range(args.runs):
        start = time.perf_counter()
        rows = side_by_side(result.old_text, result.new_text, result.changes, 74)
        build.append((time.perf_counter() - start) * 1000)
    load = os.getloadavg()[0]
    print(f"first vs last of {doc} ({len(result.changes)} changes), load {load:.1f}:")
    for name, values in times.items():
        print(f"  {name:14} median {statistics.median(values):7.0f} ms  ({len(values)} runs)")
    print(f"  rows alone     median {statistics.median(build):7.0f} ms  ({len(rows)} rows)")


if __name__ == "__main__":
    main()
