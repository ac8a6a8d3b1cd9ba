"""The core/UI boundary, proved: core modules import neither textual nor rich, and the
JSON paths of the CLI do not even load GitPython."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import run_cli_ok

CORE = [
    "tracker.porcelain",
    "tracker.demo",
    "tracker.diff",
    "tracker.errors",
    "tracker.git.cmd",
    "tracker.hunks",
    "tracker.identity",
    "tracker.lock",
    "tracker.model",
    "tracker.notes",
    "tracker.recording",
    "tracker.text.escape",
    "tracker.store",
    "tracker.text.decode",
    "tracker.text.tokens",
]


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui(module):
    modules = loaded_after(f"import {module}")
    assert module in modules
    assert not {"textual", "rich"} & modules


def test_json_commands_load_no_ui_and_no_gitpython(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    run_cli_ok("init", cwd=root)
    (root / "a.txt").write_text("text\n")
    run_cli_ok("add", "a.txt", cwd=root)
    code = (
        "import sys\n"
        "from tracker.cli.main import main\n"
        "import io, contextlib\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        f"    main(['-C', {str(root)!r}, 'log', '--json'])\n"
        "assert buf.getvalue().startswith('{')\n"
    )
    modules = loaded_after(code)
    assert not {"textual", "rich", "git"} & modules, {"textual", "rich", "git"} & modules


def test_checks_can_fail():
    """The probe really sees imports (so the tests above could fail)."""
    assert "rich" in loaded_after("import tracker.cli.render")
