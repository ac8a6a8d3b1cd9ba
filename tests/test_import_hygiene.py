"""The layers, proved: the core imports no UI, the faces import only the front door, the
import graph has no cycle, and start-up does not load what it does not use.

Imports are read from the source with ``ast``, so an import inside a function (a lazy
one) counts as much as one at the top: it runs the moment that function does. Imports
under ``if TYPE_CHECKING:`` never run and are left out. Each check is also run on a
deliberately bad snippet, to show it can fail.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from conftest import run_cli_ok

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"
FACES = ("tracker.cli", "tracker.tui", "tracker.__main__")
UI_LIBRARIES = ("textual", "rich")
# What a face may import from the tracker: the front door.
FRONT_DOOR = (
    "tracker.porcelain",
    "tracker.model",
    "tracker.errors",
    "tracker.text",
    "tracker.rows",
    "tracker.present",
)
# Beyond the front door: the package root (its version) and the face's own modules; the
# CLI starts the app (tracker open), so it may import the app's entry point.
FACE_EXTRAS = {
    "tracker.cli": ("tracker", "tracker.cli", "tracker.tui.app"),
    "tracker.tui": ("tracker", "tracker.tui"),
    "tracker.__main__": ("tracker.cli.main",),  # python -m tracker
}
# Loaded only when used: each costs start-up time that --version and log --json (the
# hot path of scripts) must not pay. GitPython ("git") is a test dependency only.
MUST_STAY_LAZY = (
    "textual",
    "rich",
    "git",
    "diff_match_patch",  # the diff engine's core
    "tracker.diff",
    "tracker.recording",  # the write side
    "tracker.session",
    "tracker.tui",
    "tracker.export",
    "tracker.audit",
)


# -- reading the package --------------------------------------------------------------------


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name, found by walking its folder."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports when it runs, lazy imports included; each
    ``from X import name`` counts as X and, where it names a submodule, X.name."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if _type_checking_only(node):
            for child in getattr(node, "orelse", []):
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def graph(found: Mapping[str, Path] | None = None) -> dict[str, set[str]]:
    """The package's import graph: module -> the package modules it imports."""
    found = found if found is not None else modules()
    result = {}
    for name, path in found.items():
        names = imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
        result[name] = {n for n in names if n in found and n != name}
    return result


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each cycle of the graph, as a path that returns to its start (one per component)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return components


def is_face(module: str) -> bool:
    return any(module == face or module.startswith(face + ".") for face in FACES)


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def core_violations(module: str, imported: set[str]) -> set[str]:
    """What a core module must not import: a UI library, or a face."""
    return {n for n in imported if _within(n, UI_LIBRARIES) or _within(n, FACES)}


def face_violations(module: str, imported: set[str], known: Iterable[str] = ()) -> set[str]:
    """The tracker modules a face imports beyond the front door (``known``: the package's
    modules; a name imported from a module, such as tracker.__version__, is not one)."""
    face = next(f for f in FACES if module == f or module.startswith(f + "."))
    allowed = [a for a in (*FRONT_DOOR, *FACE_EXTRAS[face]) if a != "tracker"]
    modules_ = set(known) or set(ALL)
    return {n for n in imported if n in modules_ and n != "tracker" and not _within(n, allowed)}


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


# -- the checks ---------------------------------------------------------------------------

ALL = modules()
CORE = sorted(name for name in ALL if not is_face(name))
FACE_MODULES = sorted(name for name in ALL if is_face(name))


def _imports_of(name: str) -> set[str]:
    path = ALL[name]
    return imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def test_the_walk_finds_the_layers():
    """Not a hand-kept list: the walk sees every layer, and new modules join by themselves."""
    for expected in ("tracker.porcelain", "tracker.git.read", "tracker.audit.verify",
                     "tracker.text.escape", "tracker.present", "tracker.export.html"):  # fmt: skip
        assert expected in CORE
    assert {"tracker.cli.main", "tracker.cli.commands", "tracker.tui.app"} <= set(FACE_MODULES)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui_and_no_face(module):
    assert core_violations(module, _imports_of(module)) == set()


@pytest.mark.parametrize("module", FACE_MODULES)
def test_face_imports_only_the_front_door(module):
    assert face_violations(module, _imports_of(module)) == set()


def test_the_import_graph_has_no_cycle():
    assert cycles(graph()) == []


def test_the_cycle_named_in_issue_8_is_gone():
    """store -> reviews -> recording -> journal -> recording: no edge of it back remains."""
    edges = graph()
    assert "tracker.recording" not in edges["tracker.reviews"]
    assert "tracker.recording" not in edges["tracker.git.journal"]
    assert "tracker.store" not in edges["tracker.reviews"]


def test_core_modules_load_no_ui_when_imported():
    """The same, as Python sees it: importing every core module loads no UI library."""
    loaded = loaded_after("\n".join(f"import {name}" for name in CORE))
    assert not {m for m in loaded if _within(m, UI_LIBRARIES)}


def _main_run(args: list[str]) -> str:
    return (
        "import io, contextlib\n"
        "from tracker.cli.main import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):\n"
        f"    main({args!r})\n"
        "assert buf.getvalue(), 'no output'\n"
    )


def _not_lazy(loaded: set[str]) -> set[str]:
    return {m for m in loaded if _within(m, MUST_STAY_LAZY)}


def test_version_loads_nothing_it_does_not_use():
    assert _not_lazy(loaded_after(_main_run(["--version"]))) == set()


def test_log_json_loads_nothing_it_does_not_use(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    run_cli_ok("init", cwd=root)
    (root / "a.txt").write_text("text\n")
    run_cli_ok("add", "a.txt", cwd=root)
    (root / "a.txt").write_text("more text\n")
    run_cli_ok("record", "a.txt", "-m", "More", "--note", "1=why", cwd=root)
    loaded = loaded_after(_main_run(["-C", str(root), "log", "--json"]))
    assert "tracker.porcelain" in loaded  # it did go through the front door
    assert _not_lazy(loaded) == set()


# -- each check can fail -------------------------------------------------------------------


def test_the_import_reader_sees_lazy_imports_and_skips_type_checking_ones():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from tracker.store import Store\n"
        "def later():\n"
        "    import rich.text\n"
        "    from . import sibling\n"
        "    from ..git import cmd\n"
    )
    found = imports(source, "tracker.audit.probe")
    assert {"rich.text", "tracker.audit.sibling", "tracker.git.cmd"} <= found
    assert "tracker.store" not in found


def test_the_core_check_fails_on_a_lazy_ui_import():
    bad = imports("def draw():\n    from textual.widgets import Static\n", "tracker.probe")
    assert core_violations("tracker.probe", bad) == {"textual.widgets", "textual.widgets.Static"}
    assert core_violations("tracker.probe", {"tracker.tui.app"}) == {"tracker.tui.app"}


def test_the_face_check_fails_past_the_front_door():
    bad = imports(
        "from tracker.store import Store\nfrom tracker import porcelain, session\n",
        "tracker.tui.screens.probe",
    )
    assert face_violations("tracker.tui.screens.probe", bad) == {"tracker.store", "tracker.session"}
    assert face_violations("tracker.cli.probe", {"tracker.tui.screens.main"}) == {
        "tracker.tui.screens.main"
    }


def test_the_cycle_check_finds_a_cycle_through_a_lazy_import(tmp_path):
    """A package shaped like the cycle issue 8 named, one edge of it a lazy import."""
    package = tmp_path / "tracker"
    (package / "git").mkdir(parents=True)
    for name, body in {
        "__init__.py": "",
        "store.py": "from tracker import reviews\n",
        "reviews.py": "import tracker.recording\n",
        "recording.py": "from tracker.git.journal import read\n",
        "git/__init__.py": "",
        "git/journal.py": "def read():\n    from tracker.recording import x\n",
    }.items():
        (package / name).write_text(body)
    found = cycles(graph(modules(package)))
    assert found == [["tracker.git.journal", "tracker.recording"]]


def test_the_lazy_check_sees_a_module_loaded_at_start_up():
    assert "rich" in _not_lazy(loaded_after("import tracker.cli.render"))
