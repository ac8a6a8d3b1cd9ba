"""Mutation testing for the tracker's core: plant one small bug at a time, run the tests.

A mutant survives when the selected tests still pass with the bug in place: a guarantee
nobody checks. This is a benchmark run by hand (bench/README.md), never part of the suite.

Why a mutator of our own: mutmut and cosmic-ray run the tests in-process or in copies
that our subprocess tests (``python -m tracker``) would not import. Here each worker owns
a scratch copy of the tree; a mutant is written into the copy by replacing the exact
source segment of one AST node (the rest of the file, and its line numbers, untouched),
and pytest runs in the copy with ``PYTHONPATH`` pointing at it, so the CLI subprocesses
import the mutated module too. ``--sanity`` proves that before any score is trusted.

    python bench/mutate.py --jobs 2              # the whole scope, under an hour
    python bench/mutate.py --module store        # one module
    python bench/mutate.py --module diff --list  # the mutants, without running them
    python bench/mutate.py --rerun bench/out/mutation-X.json   # only that run's survivors
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

# Module -> the test files that exercise it, fastest and most direct first: pytest runs
# them in this order with -x, so a mutant usually dies in the first file. The selection
# is what keeps the whole run under an hour on 2 cores; a test file missing from a
# module's list only costs kills, never a false one.
SCOPE: dict[str, tuple[str, list[str]]] = {
    "store": (
        "tracker/store.py",
        ["test_core_store_edges.py", "test_record.py", "test_logjson.py", "test_foreign_trees.py"],
    ),
    "recording": (
        "tracker/recording.py",
        ["test_core_store_edges.py", "test_record.py", "test_crash.py", "test_safety_core.py"],
    ),
    "notes": (
        "tracker/notes.py",
        ["test_core_notes_edges.py", "test_record.py", "test_logjson.py"],
    ),
    "git.journal": (
        "tracker/git/journal.py",
        ["test_core_store_edges.py", "test_record.py", "test_safety_core.py"],
    ),
    "git.write": (
        "tracker/git/write.py",
        ["test_core_store_edges.py", "test_record.py", "test_config_traps.py"],
    ),
    "audit.verify": (
        "tracker/audit/verify.py",
        ["test_core_audit_edges.py", "test_audit.py", "test_safety_core.py"],
    ),
    "audit.blame": (
        "tracker/audit/blame.py",
        ["test_core_blame_edges.py", "test_blame_property.py", "test_reports.py"],
    ),
    "diff": (
        "tracker/diff.py",
        ["test_core_diff_edges.py", "test_diff.py", "test_blame_property.py"],
    ),
    "text.tokens": ("tracker/text/tokens.py", ["test_core_diff_edges.py", "test_diff.py"]),
    "hunks": ("tracker/hunks.py", ["test_core_diff_edges.py", "test_diff.py"]),
    "export": ("tracker/export/__init__.py", ["test_core_export_edges.py", "test_reports.py"]),
    "export.html": ("tracker/export/html.py", ["test_core_export_edges.py", "test_reports.py"]),
    "export.markdown": (
        "tracker/export/markdown.py",
        ["test_core_export_edges.py", "test_reports.py"],
    ),
    "export.json_report": (
        "tracker/export/json_report.py",
        ["test_core_export_edges.py", "test_reports.py"],
    ),
}
# Deselected everywhere: the Ctrl-C tests race a signal against the write path and fail
# now and then on a loaded machine, which would count as kills that are not.
DESELECT = "not ctrl_c"

COMPARE_SWAPS: dict[type, type] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
# Fields that hold type annotations: mutating them changes nothing at run time.
ANNOTATION_FIELDS = {"annotation", "returns"}


@dataclass
class Mutant:
    """One planted bug: where, which operator, and the source before and after."""

    module: str
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    operator: str
    index: int
    original: str
    mutated: str

    @property
    def id(self) -> str:
        return f"{self.module}:{self.line}:{self.col}:{self.operator}:{self.index}"

    def apply(self, source: str) -> str:
        """The module's source with this one segment replaced (other lines untouched)."""
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for text in lines:
            offsets.append(offsets[-1] + len(text.encode("utf-8")))
        raw = source.encode("utf-8")
        start = offsets[self.line - 1] + self.col
        end = offsets[self.end_line - 1] + self.end_col
        return (raw[:start] + self.mutated.encode("utf-8") + raw[end:]).decode("utf-8")


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _skipped(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Docstrings, annotations, ``__repr__`` bodies, f-strings, decorators, the arguments
    of a raised error (its message) and ``if TYPE_CHECKING`` blocks are not mutated: no
    test should have to notice them."""
    child = node
    while child in parents:
        parent = parents[child]
        if isinstance(parent, ast.JoinedStr):
            return True
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and parent.name == "__repr__":
            return True
        if isinstance(parent, ast.If) and ast.unparse(parent.test).endswith("TYPE_CHECKING"):
            return True
        # The arguments of a raised error are its message and hint: wording, not behaviour.
        # Decorator arguments configure a class or a cache (dataclass(frozen=True),
        # lru_cache(maxsize=64)): they change no result a user sees.
        decorated = isinstance(parent, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        if decorated and child in parent.decorator_list:
            return True
        raised = isinstance(parent, ast.Call) and isinstance(parents.get(parent), ast.Raise)
        if raised and child is not parent.func:
            return True
        for field in ANNOTATION_FIELDS:
            if getattr(parent, field, None) is child:
                return True
        child = parent
    return False


def _is_docstring(node: ast.stmt, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    body = getattr(parent, "body", None)
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and isinstance(body, list)
        and body
        and body[0] is node
    )


def _expr(node: ast.AST) -> str:
    """Source of a replacement expression, parenthesised so precedence cannot change."""
    return f"({ast.unparse(node)})"


def _candidates(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[tuple[str, str]]:
    """(operator, replacement source) for each mutation of ``node`` itself."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap is not None:
                new = copy.deepcopy(node)
                new.ops[i] = swap()
                yield f"cmp{i}:{type(op).__name__}->{swap.__name__}", _expr(new)
    elif isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield ("and->or" if isinstance(node.op, ast.And) else "or->and"), _expr(new)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not-x->x", _expr(node.operand)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        new = copy.deepcopy(node)
        new.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield ("add->sub" if isinstance(node.op, ast.Add) else "sub->add"), _expr(new)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield f"{value}->{not value}", repr(not value)
        elif isinstance(value, int):
            yield "int+1", repr(value + 1)
            if value != 0:
                yield "int->0", "0"
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return->None", "return None"
    elif isinstance(node, ast.If | ast.While):
        # Only the test is replaced (see _segment); the body keeps its source.
        yield "if-negate", f"(not {_expr(node.test)})"
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        if not _is_docstring(node, parents):
            yield "drop-call", "pass"
    elif isinstance(node, ast.Break):
        yield "break->continue", "continue"
    elif isinstance(node, ast.Continue):
        yield "continue->break", "break"
    elif isinstance(node, ast.Slice):
        if node.lower is not None:
            new = copy.deepcopy(node)
            new.lower = None
            yield "slice-drop-lower", ast.unparse(new)
        if node.upper is not None:
            new = copy.deepcopy(node)
            new.upper = None
            yield "slice-drop-upper", ast.unparse(new)


def _segment(node: ast.AST) -> ast.AST:
    """The node whose source span a mutation of ``node`` replaces."""
    return node.test if isinstance(node, ast.If | ast.While) else node


def generate(module: str) -> list[Mutant]:
    """Every mutant of one module in scope, in source order, with stable ids."""
    path = SCOPE[module][0]
    source = (ROOT / path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    parents = _parents(tree)
    found: list[Mutant] = []
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or _skipped(node, parents):
            continue
        seg = _segment(node)
        for operator, replacement in _candidates(node, parents):
            found.append(
                Mutant(
                    module=module,
                    path=path,
                    line=seg.lineno,
                    col=seg.col_offset,
                    end_line=seg.end_lineno,
                    end_col=seg.end_col_offset,
                    operator=operator,
                    index=0,
                    original=ast.get_source_segment(source, seg) or "",
                    mutated=replacement,
                )
            )
    found.sort(key=lambda m: (m.line, m.col, m.operator))
    seen: dict[tuple, int] = {}
    unique = []
    for mutant in found:
        key = (mutant.line, mutant.col, mutant.operator)
        mutant.index = seen.get(key, 0)
        seen[key] = mutant.index + 1
        # A mutant that does not compile (e.g. a constant in a match pattern) is dropped.
        try:
            compile(mutant.apply(source), path, "exec")
        except SyntaxError:
            continue
        unique.append(mutant)
    return unique


class Worker:
    """A scratch copy of the tree; one mutant at a time is written into it."""

    def __init__(self, base: Path, number: int) -> None:
        self.root = base / f"w{number}"
        files = (
            subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        for name in filter(None, files):
            src = ROOT / name
            if src.is_file():
                dest = self.root / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
        self.env = {
            **os.environ,
            # The copy comes first on the path, before the editable install of ROOT,
            # so both pytest and the CLI subprocesses import the mutated module.
            "PYTHONPATH": str(self.root),
            # No .pyc: a mutant written within the same second as the original, with
            # the same size, would otherwise run the stale bytecode.
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def run_tests(self, tests: list[str], timeout: float) -> tuple[str, float, str]:
        """('passed' | 'failed' | 'timeout', seconds, last lines of output)."""
        # Files added to the worktree after this copy was made are not in it.
        tests = [t for t in tests if (self.root / "tests" / t).is_file()]
        cmd = [
            sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly",
            "-p", "no:cacheprovider", "-o", "addopts=", "-k", DESELECT,
            *[f"tests/{t}" for t in tests],
        ]  # fmt: skip
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the session holds pytest and any CLI it started
            proc.communicate()
            return "timeout", time.monotonic() - start, ""
        except BaseException:  # Ctrl-C or kill: leave no test run behind
            os.killpg(proc.pid, 9)
            raise
        tail = "\n".join(out.decode("utf-8", "replace").strip().splitlines()[-3:])
        return ("passed" if proc.returncode == 0 else "failed"), time.monotonic() - start, tail

    def with_source(self, path: str, text: str | None) -> None:
        target = self.root / path
        target.write_text(text if text is not None else (ROOT / path).read_text("utf-8"), "utf-8")


def existing_tests(names: list[str]) -> list[str]:
    return [t for t in names if (ROOT / "tests" / t).exists()]


def sanity(worker: Worker) -> None:
    """Prove the copy is what runs: its package is imported, and a CLI that is broken in
    the copy fails the CLI tests. (That the untouched copy passes is the baseline.)"""
    probe = subprocess.run(
        [sys.executable, "-c", "import tracker; print(tracker.__file__)"],
        cwd="/",
        env=worker.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not probe.startswith(str(worker.root)):
        sys.exit(f"sanity: tracker is imported from {probe}, not from the copy {worker.root}")
    worker.with_source("tracker/__main__.py", "raise SystemExit(97)\n")
    status, _, _ = worker.run_tests(["test_cli.py"], 600)
    worker.with_source("tracker/__main__.py", None)
    if status != "failed":
        sys.exit("sanity: a broken `python -m tracker` in the copy did not fail test_cli.py")
    print(f"sanity: ok (copy imported: {probe})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(SCOPE), help="repeatable")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--limit", type=int, help="run at most N mutants per module")
    parser.add_argument("--sample", type=int, help="run N mutants per module, chosen at random")
    parser.add_argument("--seed", type=int, default=12, help="seed for --sample")
    parser.add_argument("--list", action="store_true", help="show the mutants; run nothing")
    parser.add_argument("--rerun", type=Path, help="run only the survivors of this report")
    parser.add_argument("--id", action="append", default=[], help="run only this mutant id")
    parser.add_argument("--sanity", action="store_true", help="only check the scratch copy")
    parser.add_argument(
        "--tests",
        nargs="+",
        help="screen with only these test files (not a score: the module's map is the score)",
    )
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        help="combine reports (a later report's status of a mutant wins) into one summary",
    )
    args = parser.parse_args(argv)

    modules = args.module or list(SCOPE)
    if args.merge:
        return merge(args.merge, modules)
    if args.tests:
        for module in modules:
            SCOPE[module] = (SCOPE[module][0], args.tests)
    mutants: list[Mutant] = []
    for module in modules:
        found = generate(module)
        if args.sample:
            # Random order too: a run stopped early has still seen a random subset.
            found = random.Random(args.seed).sample(found, min(args.sample, len(found)))
        if args.limit:
            found = found[: args.limit]
        mutants += found
    wanted = set(args.id)
    if args.rerun:
        previous = json.loads(args.rerun.read_text("utf-8"))
        wanted |= {r["id"] for r in previous["results"] if r["status"] == "survived"}
    if wanted:
        mutants = [m for m in mutants if m.id in wanted]

    if args.list:
        for m in mutants:
            print(f"{m.id}\t{m.path}:{m.line}\t{m.original!r} -> {m.mutated!r}")
        print(f"{len(mutants)} mutants")
        return 0

    base = Path(tempfile.mkdtemp(prefix="tracker-mutants-"))
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        # The tests look for ../shared next to the tree: give the copies the same view.
        (base / "shared").symlink_to(shared)
    try:
        workers = [Worker(base, n) for n in range(max(1, args.jobs))]
        sanity(workers[0])
        if args.sanity:
            return 0
        return run(mutants, modules, workers, shared.is_dir(), args)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run(
    mutants: list[Mutant],
    modules: list[str],
    workers: list[Worker],
    with_shared: bool,
    args: argparse.Namespace,
) -> int:
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "" if set(modules) == set(SCOPE) else "-" + "+".join(modules)
    OUT.mkdir(parents=True, exist_ok=True)
    json_path = OUT / f"mutation-{stamp}{suffix}.json"
    # Modules take turns, so a run stopped early still scores every module it reached.
    queue = _round_robin(mutants)
    baseline: dict[str, float] = {}
    module_locks = {module: threading.Lock() for module in modules}
    free = list(workers)
    lock = threading.Lock()
    results: list[dict] = []

    def timeout_for(module: str, worker: Worker) -> float:
        """The module's baseline, measured once: the unmutated copy must pass its tests,
        and its time sets the timeout of the module's mutants."""
        with module_locks[module]:
            if module not in baseline:
                status, secs, tail = worker.run_tests(existing_tests(SCOPE[module][1]), 1800)
                if status != "passed":
                    raise SystemExit(f"baseline: the unmutated tests for {module} fail:\n{tail}")
                baseline[module] = secs
                print(f"baseline {module}: {secs:.1f}s", flush=True)
        # A hang counts as a kill: a test run three times slower than the unmutated one
        # (plus slack for a loaded machine) is a bug someone notices.
        return 3 * baseline[module] + 30

    def one(mutant: Mutant) -> None:
        with lock:
            worker = free.pop()
        try:
            timeout = timeout_for(mutant.module, worker)
            source = (ROOT / mutant.path).read_text("utf-8")
            worker.with_source(mutant.path, mutant.apply(source))
            try:
                status, secs, _tail = worker.run_tests(
                    existing_tests(SCOPE[mutant.module][1]), timeout
                )
            finally:
                worker.with_source(mutant.path, None)
        finally:
            with lock:
                free.append(worker)
        outcome = {"passed": "survived", "failed": "killed", "timeout": "timeout"}[status]
        result = {**asdict(mutant), "id": mutant.id, "status": outcome, "seconds": round(secs, 1)}
        with lock:
            results.append(result)
            print(f"[{len(results)}/{len(queue)}] {outcome:8} {mutant.id}  "
                  f"{mutant.original!r} -> {mutant.mutated!r}", flush=True)  # fmt: skip
            # Written after every mutant: a run stopped early keeps what it measured.
            write_report(json_path, results, workers, with_shared, started, baseline, False)

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        list(pool.map(one, queue))
    report = write_report(json_path, results, workers, with_shared, started, baseline, True)
    print(render(report))
    print(f"report: {json_path}")
    return 0


def merge(paths: list[Path], modules: list[str]) -> int:
    """One summary from several runs (e.g. per-module runs, then reruns of survivors),
    counting only mutants the generator still makes (ids are stable while the source
    is unchanged)."""
    current = {m.id for module in modules for m in generate(module)}
    latest: dict[str, dict] = {}
    for path in paths:
        for result in json.loads(path.read_text("utf-8"))["results"]:
            if result["id"] in current:
                latest[result["id"]] = result
    ordered = sorted(latest.values(), key=lambda r: (r["module"], r["line"], r["col"]))
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "merge of " + ", ".join(p.name for p in paths),
        "finished": True,
        "jobs": 0,
        "shared_corpus": any(json.loads(p.read_text("utf-8"))["shared_corpus"] for p in paths),
        "seconds": sum(json.loads(p.read_text("utf-8"))["seconds"] for p in paths),
        "modules": summary(ordered),
        "results": ordered,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"mutation-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-merged.json"
    out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    out.with_suffix(".txt").write_text(render(report), "utf-8")
    print(render(report))
    print(f"report: {out}  ({len(current)} mutants in scope, {len(ordered)} measured)")
    return 0


def _round_robin(mutants: list[Mutant]) -> list[Mutant]:
    by_module: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_module.setdefault(mutant.module, []).append(mutant)
    lists = list(by_module.values())
    return [m for i in range(max(map(len, lists), default=0)) for ms in lists if i < len(ms)
            for m in [ms[i]]]  # fmt: skip


def write_report(
    json_path: Path,
    results: list[dict],
    workers: list[Worker],
    with_shared: bool,
    started: float,
    baseline: dict[str, float],
    finished: bool,
) -> dict:
    ordered = sorted(results, key=lambda r: (r["module"], r["line"], r["col"], r["operator"]))
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/mutate.py", *sys.argv[1:]]),
        "finished": finished,
        "jobs": len(workers),
        "shared_corpus": with_shared,
        "seconds": round(time.monotonic() - started, 1),
        "baseline_seconds": {m: round(s, 1) for m, s in baseline.items()},
        "modules": summary(ordered),
        "results": ordered,
    }
    json_path.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    json_path.with_suffix(".txt").write_text(render(report), "utf-8")
    return report


def summary(results: list[dict]) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for r in results:
        row = table.setdefault(r["module"], {"killed": 0, "timeout": 0, "survived": 0})
        row[r["status"]] += 1
    total = {"killed": 0, "timeout": 0, "survived": 0}
    for row in table.values():
        for key in total:
            total[key] += row[key]
    table["TOTAL"] = total
    for row in table.values():
        n = row["killed"] + row["timeout"] + row["survived"]
        row["mutants"] = n
        row["score"] = round(100 * (row["killed"] + row["timeout"]) / n, 1) if n else 0.0
    return table


def render(report: dict) -> str:
    lines = [
        f"mutation run {report['date']}{'' if report['finished'] else ' (UNFINISHED)'}  "
        f"({report['command']}; jobs={report['jobs']}, "
        f"../shared {'present' if report['shared_corpus'] else 'absent'}, "
        f"{report['seconds'] / 60:.1f} min)",
        "",
        f"{'module':20} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'score':>7}",
    ]
    for module, row in report["modules"].items():
        lines.append(
            f"{module:20} {row['mutants']:8} {row['killed']:7} {row['timeout']:8} "
            f"{row['survived']:9} {row['score']:6.1f}%"
        )
    lines += ["", "survivors:"]
    for r in report["results"]:
        if r["status"] == "survived":
            lines.append(f"  {r['path']}:{r['line']}  {r['id']}")
            lines.append(f"      {r['original']!r} -> {r['mutated']!r}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
