"""Cache pages are authenticated with HMAC-SHA256; caches made with SQLCipher's default
HMAC-SHA512 (before the change) still open, keep their format and take writes."""

from __future__ import annotations

import pytest
import sqlcipher3

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.persistence.cache import engine as cache
from csconsole.persistence.cache.engine import (
    LEGACY_PAGE_HMAC,
    PAGE_HMAC,
    cache_key,
    connect_raw,
    page_hmac_of,
)


def _opens_with(paths: Paths, key: str, page_hmac: str) -> bool:
    con = sqlcipher3.dbapi2.connect(str(paths.cache_file))
    try:
        con.execute(f"PRAGMA key = \"x'{key}'\"")
        con.execute(f"PRAGMA cipher_hmac_algorithm = {page_hmac}")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.dbapi2.DatabaseError:
        return False
    finally:
        con.close()


def test_a_new_cache_uses_sha256_pages(paths: Paths, secret_store: KeyringSecretStore) -> None:
    Console.open(paths, secret_store, create=True).close()
    key = cache_key(secret_store, paths.cache_file, create=False)
    assert page_hmac_of(paths.cache_file, key) == PAGE_HMAC == "HMAC_SHA256"
    assert _opens_with(paths, key, "HMAC_SHA256")
    assert not _opens_with(paths, key, "HMAC_SHA512")  # the pages really are SHA-256's


def test_a_cache_made_with_sha512_pages_still_opens_and_takes_writes(
    paths: Paths, secret_store: KeyringSecretStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as before_the_change:
        before_the_change.setattr(cache, "PAGE_HMAC", LEGACY_PAGE_HMAC)
        Console.open(paths, secret_store, create=True).close()
    key = cache_key(secret_store, paths.cache_file, create=False)
    assert _opens_with(paths, key, "HMAC_SHA512")
    assert not _opens_with(paths, key, "HMAC_SHA256")

    assert page_hmac_of(paths.cache_file, key) == LEGACY_PAGE_HMAC
    console = Console.open(paths, secret_store)
    try:
        with console.engine.begin() as conn:  # a write through the pool's connections
            conn.exec_driver_sql("CREATE TABLE page_hmac_probe (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO page_hmac_probe VALUES (1)")
    finally:
        console.close()
    assert _opens_with(paths, key, "HMAC_SHA512")  # the format was kept
    con = connect_raw(paths.cache_file, key)
    assert con.execute("SELECT x FROM page_hmac_probe").fetchall() == [(1,)]
    con.close()
