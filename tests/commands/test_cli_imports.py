"""Registering the commands imports no service, database or Qt module: every ``csconsole``
invocation pays for what registration imports, so each command imports what it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "keyring", "argon2", "PySide6", "csconsole.services")


def test_building_the_parser_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "from csconsole.cli import build_parser\n"
        "build_parser().parse_args(['search', 'x'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    path = [str(ROOT / "src"), str(ROOT)]
    env = {"PYTHONPATH": ":".join(path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout)
    assert "csconsole.commands.search" in loaded  # the check saw the registration
    assert [m for m in loaded if m.startswith(HEAVY)] == []
