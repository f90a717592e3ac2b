"""The layer rule of the design, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(
        Path(__import__("sys").executable).with_name("lint-imports")
    )
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    count = len(declared["tool"]["importlinter"]["contracts"])
    assert f"Contracts: {count} kept, 0 broken" in result.stdout


def test_domain_has_no_open_calls() -> None:
    # import-linter sees imports, not builtins: I/O through open() is checked here.
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src/csconsole/domain").rglob("*.py")
        if "open(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_sqlalchemy_orm_only_in_persistence() -> None:
    # import-linter cannot forbid a subpackage of an external package, so this reads the ASTs.
    src = ROOT / "src/csconsole"
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "persistence" not in p.relative_to(src).parts
        and any(m == "sqlalchemy.orm" or m.startswith("sqlalchemy.orm.") for m in _imports(p))
    ]
    assert offenders == []
