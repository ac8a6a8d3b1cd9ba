"""The ``--update-golden`` option of tests/test_golden.py.

Registered by ``pytest_plugins = ["golden_plugin"]`` in tests/conftest.py; without it,
``TRACKER_UPDATE_GOLDEN=1`` (what tests/golden/regenerate.py sets) does the same.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*/ from what the tracker prints now (review git diff)",
    )
