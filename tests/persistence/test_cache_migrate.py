"""The start-up check of the cache schema: Alembic runs only when the cache is behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.engine import cache_key, open_cache_engine

ROOT = Path(__file__).resolve().parents[2]


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    alembic_heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert migrate.script_heads() == frozenset(alembic_heads)
    assert migrate.script_heads()  # at least one script was read


def test_a_branch_without_its_merge_is_a_head_of_its_own(tmp_path: Path) -> None:
    for name, revision, down in [("a", "a1", None), ("b", "b1", "a1"), ("c", "c1", "a1")]:
        (tmp_path / f"{name}.py").write_text(
            f"revision = {revision!r}\ndown_revision = {down!r}\n", encoding="utf-8"
        )
    assert migrate.script_heads(tmp_path) == {"b1", "c1"}
    (tmp_path / "m.py").write_text('revision = "m1"\ndown_revision = ("b1", "c1")\n')
    assert migrate.script_heads(tmp_path) == {"m1"}


def test_a_new_cache_is_migrated_and_a_current_one_left_alone(
    paths: Paths, secret_store: KeyringSecretStore
) -> None:
    key = cache_key(secret_store, paths.cache_file, create=True)
    engine = open_cache_engine(paths.cache_file, key, create=True)
    try:
        with engine.connect() as conn:
            assert migrate.applied_heads(conn) == frozenset()
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert migrate.applied_heads(conn) == migrate.script_heads()
    finally:
        engine.dispose()


def test_checking_a_current_cache_does_not_import_alembic(
    paths: Paths, secret_store: KeyringSecretStore
) -> None:
    key = cache_key(secret_store, paths.cache_file, create=True)
    engine = open_cache_engine(paths.cache_file, key, create=True)
    migrate.upgrade(engine)
    engine.dispose()
    code = (
        "import sys\n"
        "from csconsole.persistence.cache import migrate\n"
        "from csconsole.persistence.cache.engine import open_cache_engine\n"
        f"engine = open_cache_engine(__import__('pathlib').Path({str(paths.cache_file)!r}),"
        f" {key!r})\n"
        "migrate.upgrade(engine)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    path = [str(ROOT / "src"), str(ROOT)]
    env = {"PYTHONPATH": ":".join(path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
