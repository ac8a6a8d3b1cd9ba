"""Golden files: build each case in tests/golden/, run the real CLI, compare byte for byte.

A case is a folder ``tests/golden/<case>/``. Three shapes (tests/golden/README.md):

* ``case.json`` with ``"demo": true``: the bundled demo store (``tracker demo``).
* ``case.json`` with ``"steps"``: a small store built step by step with the real CLI from
  the ``rev-N.txt`` files beside it, with fixed dates and identities.
* ``old.txt`` + ``new.txt`` (no ``case.json``): a word diff of two texts, whose outputs are
  ``side80.out``, ``side160.out`` and ``inline.out``.

The expected outputs are the case folder's ``*.out`` files (stdout, then stderr and the
exit code when there are any) and its ``export*.md|html|json`` reports. ``normalise`` is
the one place where volatile text (the store's temp path, an export's "generated" time)
is replaced.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
# The store's setup commit, made through the API because `tracker init` has no --date and
# its commit id (the parent of every first revision) would otherwise change every run.
SETUP_AUTHOR = ("Standards Desk", "standards@example.org")
SETUP_DATE = "2025-04-01T09:00:00+02:00"
DEFAULT_AUTHOR = "Ann Editor <ann@example.org>"
DOCUMENT = "story.txt"
EXPORTS = (".md", ".html", ".json")
# Fixed terminal settings: no colour, and a width that is not 80 or 160 so that only
# --width chooses the side-by-side columns.
CLI_ENV = {"NO_COLOR": "1", "COLUMNS": "100", "LC_ALL": "C.UTF-8"}
GENERATED = re.compile(rb'(generated(?: |": "))(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)')


@dataclass
class Ran:
    """What a person sees of one command: its exit code and both streams, as bytes."""

    code: int
    out: bytes
    err: bytes


@dataclass
class Built:
    """A built case: where its store is, and every output it produced (name -> bytes)."""

    store: Path
    outputs: dict[str, bytes] = field(default_factory=dict)


def tracker(*args: str, cwd: Path) -> Ran:
    """The real ``tracker`` (``python -m tracker``) in a subprocess; bytes, not text.

    Unlike conftest's ``run_cli``, this keeps the bytes: text mode would turn a CR into
    a newline and hide it."""
    env = {**os.environ, **CLI_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=cwd, capture_output=True, env=env
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def git(root: Path, *args: str, env: dict[str, str] | None = None, input: bytes = b"") -> bytes:
    """Plain git, as another program would run it: no system config, fixed identity."""
    full = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    proc = subprocess.run(["git", *args], cwd=root, input=input, capture_output=True, env=full)
    if proc.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout


def render(ran: Ran) -> bytes:
    """One output file: stdout as is, then stderr and the exit code when there are any."""
    text = ran.out
    if text and not text.endswith(b"\n"):
        text += b"\n\\ no newline at end of stdout\n"
    if ran.err:
        text += b"[stderr]\n" + ran.err
        if not ran.err.endswith(b"\n"):
            text += b"\n\\ no newline at end of stderr\n"
    if ran.code:
        text += b"[exit %d]\n" % ran.code
    return text


def normalise(data: bytes, store: Path) -> bytes:
    """Replace what changes from run to run, and nothing else.

    * the store's temporary path (exports name the store) becomes ``<STORE>``;
    * an export's "generated" time (the clock at export) becomes ``<NOW>``, after checking
      that it is the clock's time, so a wrong timestamp still fails.
    Commit ids are kept: with fixed dates and identities they are the same every run."""
    for path in {str(store), os.path.realpath(store)}:
        data = data.replace(os.fsencode(path), b"<STORE>")

    def now(match: re.Match[bytes]) -> bytes:
        stamp = datetime.fromisoformat(match.group(2).decode())
        assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=10), stamp
        return match.group(1) + b"<NOW>"

    return GENERATED.sub(now, data)


def cases() -> list[str]:
    """Every case folder, sorted."""
    return sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and not p.name.startswith("_"))


def is_output(name: str) -> bool:
    """An expected output: ``*.out``, or a report ``export*.md|html|json``."""
    return name.endswith(".out") or (name.startswith("export") and name.endswith(EXPORTS))


def expected_files(case: Path) -> dict[str, bytes]:
    """The expected outputs stored in a case folder (inputs and notes are left alone)."""
    return {p.name: p.read_bytes() for p in sorted(case.iterdir()) if is_output(p.name)}


# --- building a case -------------------------------------------------------------------


class Case:
    """Builds one case folder's store in ``work`` and runs the commands it lists."""

    def __init__(self, folder: Path, work: Path) -> None:
        self.folder = folder
        self.store = work / "store"
        path = folder / "case.json"
        self.spec: dict = json.loads(path.read_text("utf-8")) if path.exists() else {}
        self.document: str = self.spec.get("document", DOCUMENT)
        self.built = Built(self.store)

    # revisions are numbered 1.. along the branch, after the store's setup commit
    def revisions(self) -> list[str]:
        ids = git(self.store, "rev-list", "--reverse", "--first-parent", "HEAD").split()
        return [i.decode() for i in ids[1:]]

    def expand(self, args: list[str]) -> list[str]:
        """``@N`` is revision N's full commit id, ``@last`` the newest (also in ``@1..@3``)."""
        revs = self.revisions()

        def rev(word: str) -> str:
            if word == "@last":
                return revs[-1]
            return revs[int(word[1:]) - 1] if re.fullmatch(r"@\d+", word) else word

        return ["..".join(rev(part) for part in arg.split("..")) for arg in args]

    def run_all(self, commands: dict[str, list[str]]) -> None:
        """Run read-only commands side by side (they take no lock and write nothing), so a
        case costs the time of its slowest command per core, not the sum."""
        # A name that is_output() does not know would be written but never compared.
        assert all(is_output(name) for name in commands), list(commands)
        expanded = {name: self.expand(args) for name, args in commands.items()}
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(workers) as pool:
            done = pool.map(lambda args: tracker(*args, cwd=self.store), expanded.values())
            for name, ran in zip(expanded, done, strict=True):
                self.built.outputs[name] = normalise(render(ran), self.store)

    def build(self) -> Built:
        if (self.folder / "old.txt").exists() and not self.spec:
            return self.build_pair()
        if self.spec.get("demo"):
            ran = tracker("demo", "--path", str(self.store), "--no-tui", cwd=self.store.parent)
            assert ran.code == 0, ran.err.decode()
        else:
            self.setup()
            for number, step in enumerate(self.spec["steps"], 1):
                self.step(number, step)
        self.run_all({**self.outputs(self.spec.get("outputs")), **self.spec.get("more", {})})
        tamper = self.spec.get("tamper", [])
        for number, step in enumerate(tamper, len(self.spec.get("steps", [])) + 1):
            self.step(number, step)
        if tamper:
            self.run_all(self.spec.get("after_tamper", {"verify-tampered.out": ["verify"]}))
        return self.built

    def build_pair(self) -> Built:
        """old.txt is recorded, new.txt is in the work tree: diff them three ways."""
        self.setup()
        self.step(1, {"add": "old.txt"})
        self.step(2, {"write": "new.txt"})
        self.run_all(
            {
                "side80.out": ["diff", "--side-by-side", "--width", "80"],
                "side160.out": ["diff", "--side-by-side", "--width", "160"],
                "inline.out": ["diff", "--inline"],
            }
        )
        return self.built

    def setup(self) -> None:
        # Imported here: the golden tests drive the CLI, and only the setup commit needs
        # the API (for its fixed date).
        from tracker.identity import Identity
        from tracker.recording import init_store

        init_store(
            self.store,
            Identity(*SETUP_AUTHOR),
            SETUP_DATE,
            require_notes=bool(self.spec.get("require_notes")),
        )

    def outputs(self, listed: dict[str, list[str]] | None) -> dict[str, list[str]]:
        """The case's commands: those it lists, or the standard set below."""
        if listed is not None:
            return listed
        revs = self.revisions()
        last, n = "@last", len(revs)
        commands: dict[str, list[str]] = {"status.out": ["status"], "log.out": ["log"]}
        for i in range(2, n + 1):
            commands[f"show-{i}.out"] = ["show", f"@{i}"]
        if n >= 2:
            pair = f"{n - 1}-{n}"
            commands[f"diff-{pair}.side80.out"] = [
                "diff", "--side-by-side", "--width", "80", f"@{n - 1}", last
            ]  # fmt: skip
            commands[f"diff-{pair}.side160.out"] = [
                "diff", "--side-by-side", "--width", "160", f"@{n - 1}", last
            ]  # fmt: skip
            commands[f"diff-{pair}.inline.out"] = ["diff", "--inline", f"@{n - 1}", last]
        commands["blame.out"] = ["blame"]
        commands["verify.out"] = ["verify"]
        commands[f"notes-history-{n}.out"] = ["notes-history", last]
        commands["export.md"] = ["export", "--format", "md"]
        commands["export.html"] = ["export", "--format", "html"]
        commands["export.json"] = ["export", "--format", "json"]
        return commands

    # --- steps ---------------------------------------------------------------------------

    def place(self, source: str | dict) -> None:
        """The work tree's document gets the bytes of a file of the case, exactly, or (a
        ``{"find", "replace"}`` object) has one passage replaced in place."""
        path = self.store / self.document
        if isinstance(source, str):
            path.write_bytes((self.folder / source).read_bytes())
            return
        data = path.read_bytes()
        assert data.count(source["find"].encode()) == 1, source
        path.write_bytes(data.replace(source["find"].encode(), source["replace"].encode()))

    def step(self, number: int, step: dict) -> None:
        date = step.get("date", f"2025-04-{number + 1:02d}T10:00:00+02:00")
        who = ["--author", step.get("author", DEFAULT_AUTHOR), "--date", date]
        if "add" in step:
            self.place(step["add"])
            extra = ["-m", step["summary"]] if "summary" in step else []
            args = ["add", self.document, *extra, *who]
        elif "record" in step:
            self.place(step["record"])
            args = ["record", self.document, "-m", step["summary"], *who]
            if "reason" in step:
                args += ["--reason", step["reason"]]
            for flag, key in (("--note", "notes"), ("--category", "categories")):
                for change, value in step.get(key, {}).items():
                    args += [flag, f"{change}={value}"]
            for change, value in step.get("sources", {}).items():
                args += ["--source", f"{change}={value}"]
        elif "note" in step:
            note = step["note"]
            args = ["note", f"@{note['rev']}", str(note["change"]), note["text"], *who]
            if "category" in note:
                args += ["--category", note["category"]]
            if "source" in note:
                args += ["--source", note["source"]]
        elif "review" in step:
            review = step["review"]
            args = ["review", f"@{review['rev']}", *who]
            if "flag" in review:
                args += ["--flag", review["flag"]]
            else:
                args += ["--approve"]
            if "comment" in review:
                args += ["--comment", review["comment"]]
        elif "write" in step:
            self.place(step["write"])
            return
        elif "git_commit" in step:
            self.git_commit(step, date)
            return
        elif "git_notes_edit" in step:
            self.git_notes_edit(step["git_notes_edit"], date)
            return
        else:
            raise AssertionError(f"{self.folder.name}: unknown step {step}")
        ran = tracker(*self.expand(args), cwd=self.store)
        # A set-up step fails where it happened, unless the case expects its refusal.
        expected = step.get("exit", 0)
        assert ran.code == expected, f"step {number} {args}: {ran.code} {ran.err.decode()}"
        if "output" in step:
            assert is_output(step["output"]), step["output"]
            self.built.outputs[step["output"]] = normalise(render(ran), self.store)

    def git_commit(self, step: dict, date: str) -> None:
        """A revision made with plain git: no record, not in the journal."""
        self.place(step["git_commit"])
        name, email = step.get("author", "Gil Plain <gil@example.org>")[:-1].split(" <")
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": date,
        }
        git(self.store, "add", "--", self.document, env=env)
        git(self.store, "commit", "--quiet", "--no-verify", "-m", step["message"], env=env)

    def git_notes_edit(self, edit: dict, date: str) -> None:
        """Edit a later note with ``git notes``, behind the tracker's back."""
        rev = self.expand([f"@{edit['rev']}"])[0]
        env = {
            "GIT_AUTHOR_NAME": "Mallory",
            "GIT_AUTHOR_EMAIL": "mallory@example.org",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "Mallory",
            "GIT_COMMITTER_EMAIL": "mallory@example.org",
            "GIT_COMMITTER_DATE": date,
        }
        ref = edit.get("ref", "tracker")
        body = git(self.store, "notes", f"--ref={ref}", "show", rev, env=env)
        assert edit["find"].encode() in body, body
        body = body.replace(edit["find"].encode(), edit["replace"].encode())
        git(self.store, "notes", f"--ref={ref}", "add", "-f", "-F", "-", rev, env=env, input=body)


# --- comparing -------------------------------------------------------------------------


def _readable(line: str) -> str:
    """A line for the failure diff, with control characters spelled out."""
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" for c in line):
        return repr(line.rstrip("\n"))[1:-1] + "\n"
    return line


def unified(name: str, expected: bytes, actual: bytes) -> str:
    """A unified diff of one output, expected first."""
    old = [_readable(x) for x in expected.decode("utf-8", "backslashreplace").splitlines(True)]
    new = [_readable(x) for x in actual.decode("utf-8", "backslashreplace").splitlines(True)]
    lines = difflib.unified_diff(old, new, f"expected/{name}", f"actual/{name}", n=2)
    return "".join(x if x.endswith("\n") else x + "\n" for x in lines)


def compare(case: str, built: Built) -> list[str]:
    """Every difference between a case's stored files and what it just produced."""
    folder = GOLDEN / case
    expected = expected_files(folder)
    problems = []
    for name in sorted(set(expected) | set(built.outputs)):
        if name not in built.outputs:
            problems.append(f"{case}/{name}: stored, but no command produces it (stale?)")
        elif name not in expected:
            problems.append(f"{case}/{name}: produced, but not stored (regenerate)")
        elif expected[name] != built.outputs[name]:
            problems.append(unified(f"{case}/{name}", expected[name], built.outputs[name]))
    return problems


def write(case: str, built: Built) -> None:
    """Store a case's outputs as its expected files, removing ones no command produces."""
    folder = GOLDEN / case
    for name in expected_files(folder):
        if name not in built.outputs:
            (folder / name).unlink()
    for name, data in built.outputs.items():
        (folder / name).write_bytes(data)
