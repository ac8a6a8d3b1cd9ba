"""Golden files: every text a person reads, compared byte for byte (tests/golden/README.md).

Each case in tests/golden/ is built afresh in its own tmp_path, once, and every command it
lists is run with the real CLI. A difference fails with a unified diff per file. To accept
new outputs: ``python tests/golden/regenerate.py``, then read ``git diff tests/golden``.
"""

from __future__ import annotations

import os

import pytest
from golden_support import GOLDEN, Case, cases, compare, write


def _updating(config: pytest.Config) -> bool:
    # --update-golden exists only when tests/golden_plugin.py is registered; the
    # environment variable is what tests/golden/regenerate.py sets.
    return bool(config.getoption("--update-golden", default=False)) or (
        os.environ.get("TRACKER_UPDATE_GOLDEN") == "1"
    )


@pytest.mark.parametrize("case", cases())
def test_golden(case: str, tmp_path, request) -> None:
    """The case's outputs are exactly its stored files."""
    built = Case(GOLDEN / case, tmp_path).build()
    if _updating(request.config):
        write(case, built)
        return
    problems = compare(case, built)
    if problems:
        # pytest.fail, not assert: the diffs alone, without pytest's repr of the list.
        pytest.fail(f"{len(problems)} golden file(s) differ:\n" + "\n".join(problems), False)


def test_enough_cases() -> None:
    """The issue asks for at least 20 cases; a lost folder should not go unnoticed."""
    assert len(cases()) >= 20, cases()
