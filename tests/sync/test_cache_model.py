"""The pull's picture of the cache (``sync.cache_model``) is the cache's ORM model, keys are
derived as the cache's SQL functions derive them, and the migrations match the models."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.persistence.cache import migrate, sql_functions
from csconsole.persistence.cache.engine import cache_key, open_cache_engine
from csconsole.persistence.models import Base
from csconsole.sync.shop.cache_model import ENTITIES, name_text

SAMPLES = [
    None,
    "",
    "Jane.Smith@Example.ORG",
    "José Álvarez",
    "SW1A 1AA",
    "104 31",
    "+34 612 345 678",
    "(212) 555-4990",
    "dn100000003",
    "١٢٣٤٥٦",  # Arabic-Indic digits
    "---",
    "王伟",
]


def test_entities_match_the_orm_models() -> None:
    for entity in ENTITIES:
        table = Base.metadata.tables[entity.table]
        orm = {c.name: c for c in table.columns}
        mine = {"id", *(c.name for c in entity.columns), *(d.name for d in entity.derived)}
        assert mine == set(orm), entity.table
        for col in entity.columns:
            assert orm[col.name].nullable == col.nullable, f"{entity.table}.{col.name}"
        for derived in entity.derived:
            assert orm[derived.name].nullable == derived.nullable, f"{entity.table}.{derived.name}"
        for link in entity.parents:
            fks = {fk.parent.name: fk for fk in table.foreign_keys}
            assert link.column in fks
            parent = next(e for e in ENTITIES if e.name == link.entity)
            assert fks[link.column].column.table.name == parent.table
            assert (fks[link.column].ondelete == "CASCADE") == link.required


def test_derived_keys_equal_the_sql_functions() -> None:
    con = sqlite3.connect(":memory:")
    sql_functions.register(con)
    sql_of = {
        "email_norm": "csc_fold",
        "postcode_norm": "csc_postcode",
        "phone_rev": "csc_phone_key",
        "order_number_norm": "csc_postcode",
    }
    for entity in ENTITIES:
        for derived in entity.derived:
            for value in SAMPLES:
                expected = con.execute(f"SELECT {sql_of[derived.name]}(?)", (value,)).fetchone()[0]
                got = derived.derive(value)
                if derived.name == "order_number_norm" and expected is None:
                    expected = ""  # NOT NULL in the cache: an unsearchable number is ""
                assert got == expected, (derived.name, value)
    for first, last in [
        ("José", "Álvarez"),
        ("伟", "王"),
        (None, "Smith"),
        ("", ""),
        ("Jane", "SMITH"),
        ("Mary Ann", "O'Neil-Smith"),
        ("Ab", "c_d"),
    ]:
        expected = con.execute("SELECT csc_name_index(?, ?)", (first, last)).fetchone()[0]
        assert name_text(first, last) == expected


def test_migrations_match_models(paths: Paths, secret_store: KeyringSecretStore) -> None:
    key = cache_key(secret_store, paths.cache_file, create=True)
    engine = open_cache_engine(paths.cache_file, key, create=True)
    try:
        migrate.upgrade(engine)
        migrate.check(engine)  # raises if the models and the migrations disagree
        with engine.connect() as conn:
            names = {
                r[0]
                for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
            }
            heads = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
        assert {
            "sync_table_state",
            "sync_row_hash",
            "sync_recent_row",
            "sync_row_issue",
            "sync_run",
        } <= names
        assert "0002" in heads or any(h > "0002" for h in heads)
    finally:
        engine.dispose()


@pytest.mark.parametrize("table", ["sync_row_hash", "sync_recent_row", "sync_row_issue"])
def test_bookkeeping_tables_are_without_rowid(table: str) -> None:
    assert Base.metadata.tables[table].dialect_options["sqlite"]["with_rowid"] is False


ascii_text = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40)
any_text = st.text(max_size=30)


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(ascii_text, any_text, st.none()))
def test_fast_paths_equal_the_domain_functions(value: str | None) -> None:
    con = sqlite3.connect(":memory:")
    sql_functions.register(con)
    keys = {d.name: d.derive for e in ENTITIES for d in e.derived}
    for name, sql in (
        ("email_norm", "csc_fold"),
        ("postcode_norm", "csc_postcode"),
        ("phone_rev", "csc_phone_key"),
    ):
        expected = con.execute(f"SELECT {sql}(?)", (value,)).fetchone()[0]
        assert keys[name](value) == expected, (name, value)
    expected = con.execute("SELECT csc_name_index(?, ?)", (value, value)).fetchone()[0]
    assert name_text(value, value) == expected
