"""Rewrite every expected file under tests/golden/ from what the tracker prints now.

    python tests/golden/regenerate.py            # every case
    python tests/golden/regenerate.py -k demo    # some cases (pytest's -k)

Then read ``git diff tests/golden``: every changed line is a change a person will see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    env = {**os.environ, "TRACKER_UPDATE_GOLDEN": "1"}
    command = [sys.executable, "-m", "pytest", "tests/test_golden.py"]
    sys.exit(subprocess.run([*command, *sys.argv[1:]], cwd=ROOT, env=env).returncode)
