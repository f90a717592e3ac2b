"""tests/db_servers.py means what it says: a new empty database per test, and an unreachable
server fails the test with the reason (CI has both servers; a skip would hide a broken set-up)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tests import db_servers


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_each_test_gets_a_new_empty_database(database_url: str) -> None:
    name = make_url(database_url).database
    assert name is not None and name.startswith("csc_test_")
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE left_behind (id INTEGER PRIMARY KEY)")
    finally:
        engine.dispose()


def test_the_database_is_dropped_after_the_test() -> None:
    with db_servers.pg_database() as url:
        name = make_url(url).database
    admin = create_engine(db_servers.PG_ADMIN)
    try:
        with admin.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_database WHERE datname = %(n)s", {"n": name}
            ).scalar()
    finally:
        admin.dispose()
    assert found == 0


def test_an_unreachable_server_fails_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = "postgresql+psycopg://postgres:s3cret@127.0.0.1:9/postgres"  # port 9: discard
    monkeypatch.setitem(db_servers.SERVERS, "postgresql", closed)
    with pytest.raises(pytest.fail.Exception, match="is not reachable") as info:
        db_servers.require_server("postgresql")
    assert "127.0.0.1:9" in str(info.value) and "s3cret" not in str(info.value)
    assert "skipping" in str(info.value)  # says to start it instead
