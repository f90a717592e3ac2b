"""Opening the encrypted local cache (SQLCipher) with its key from the keyring.

:func:`open_cache` checks the file and the key and gives a :class:`CacheFile`: keyed driver
connections, and the SQLAlchemy engine for what needs one (the ORM unit of work, the sync),
made on first use, so a command that needs neither does not import SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from csconsole.domain.errors import CacheError
from csconsole.services.ports import SecretStore

if TYPE_CHECKING:
    from sqlalchemy import Engine

_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")
# Pages are authenticated with HMAC-SHA256: CPUs with the SHA extensions compute it about three
# times faster than SQLCipher 4's default HMAC-SHA512 (a 1M full load here: 26.4 s against
# 28.4 s; reading pages back a third faster), and it is as sound for page authentication.
# Caches made before keep SHA-512: SQLCipher cannot tell, so opening tries one, then the other.
PAGE_HMAC = "HMAC_SHA256"
LEGACY_PAGE_HMAC = "HMAC_SHA512"


def cache_key_name(path: Path) -> str:
    """Keyring entry of one cache file; CSCONSOLE_HOME differs per test, so the path is in it."""
    import hashlib

    return "cache-key:" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


def cache_key(secrets_store: SecretStore, path: Path, *, create: bool) -> str:
    """The 256-bit raw key of the cache: random, never derived, so opening costs no PBKDF2."""
    name = cache_key_name(path)
    key = secrets_store.get(name)
    if key is None:
        if not create:
            raise CacheError(
                f"No key for the local cache {path.name} in the keyring. The cache cannot be "
                "decrypted without it; move the file aside and run `csconsole demo` or "
                "`csconsole sync --full` to build a new one."
            )
        key = secrets.token_hex(32)
        secrets_store.set(name, key)
    if not _HEX_KEY.match(key):
        raise CacheError("The cache key in the keyring is malformed (expected 64 hex digits).")
    return key


def _key_connection(cur: Any, key_hex: str, page_hmac: str) -> None:
    # The key must be the first statement; raw hex skips key derivation. The HMAC setting must
    # come before the first page is read.
    cur.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    cur.execute(f"PRAGMA cipher_hmac_algorithm = {page_hmac}")
    # SQLCipher's own log writes to standard error ("ERROR CORE sqlite3Codec: ..."); a damaged
    # page is reported as one line by the command instead (cli._database_damaged).
    cur.execute("PRAGMA cipher_log_level = NONE")


def page_hmac_of(path: Path, key_hex: str) -> str:
    """The page HMAC the cache file at ``path`` was made with (a new or empty file gets
    ``PAGE_HMAC``). A file neither opens with (wrong key, damage) gets ``PAGE_HMAC`` too, and
    opening it then fails with the usual message."""
    if not path.exists() or path.stat().st_size == 0:
        return PAGE_HMAC
    for candidate in (PAGE_HMAC, LEGACY_PAGE_HMAC):
        con = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
        try:
            _key_connection(con, key_hex, candidate)
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return candidate
        except sqlcipher3.dbapi2.DatabaseError:
            continue
        finally:
            con.close()
    return PAGE_HMAC


def connect_raw(path: Path, key_hex: str, **kwargs: Any) -> Any:
    """A plain DB-API connection to the cache, keyed (for tools and tests that need one)."""
    con = sqlcipher3.dbapi2.connect(str(path), **kwargs)
    _key_connection(con, key_hex, page_hmac_of(path, key_hex))
    return con


def _configure(connection: Any, key_hex: str, page_hmac: str) -> None:
    """Key a new connection and give it the settings every connection to the cache has."""
    cur = connection.cursor()
    _key_connection(cur, key_hex, page_hmac)
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA cache_size = -65536")
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.execute("PRAGMA mmap_size = 0")
    cur.close()


@dataclass(frozen=True, slots=True)
class CacheFile:
    """An opened cache: its file, key and page HMAC (:func:`open_cache` checked them)."""

    path: Path
    key_hex: str
    page_hmac: str

    def connect(self) -> Any:
        """A new keyed DB-API connection, in the driver's default transaction mode (a write
        begins the transaction), usable from any thread one at a time; the caller closes it."""
        con = sqlcipher3.dbapi2.connect(str(self.path), check_same_thread=False, timeout=10)
        _configure(con, self.key_hex, self.page_hmac)
        return con

    def engine(self) -> Engine:
        """A new SQLAlchemy engine on the file, its pool's connections set up as
        :meth:`connect`'s (imports SQLAlchemy: only what needs the engine calls this)."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import QueuePool

        engine = create_engine(
            f"sqlite:///{self.path}",
            module=sqlcipher3.dbapi2,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False, "timeout": 10},
        )

        def connect(dbapi_connection: Any, _record: Any) -> None:
            _configure(dbapi_connection, self.key_hex, self.page_hmac)

        event.listen(engine, "connect", connect)
        return engine


def open_cache(path: Path, key_hex: str, *, create: bool = False) -> CacheFile:
    """The cache file, its key checked by reading the schema (a new file is made when
    ``create``); write-ahead logging on.

    Raises CacheError naming the problem and the way out; never modifies or deletes the file.
    """
    if not create and not path.exists():
        raise CacheError(
            f"The local cache {path} does not exist. Run `csconsole demo` to make the demo "
            "shop, or `csconsole sync --full` after `csconsole connect`."
        )
    if create and not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    cache = CacheFile(path, key_hex, page_hmac_of(path, key_hex))
    try:
        con = cache.connect()
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            con.execute("PRAGMA journal_mode = WAL").fetchone()
        finally:
            con.close()
    except sqlcipher3.dbapi2.Error as exc:  # its message is all we have to tell key from damage
        raise CacheError(
            f"The local cache {path.name} cannot be opened: {_reason(exc)}. The file was left "
            "untouched; if the keyring was reset or the file is damaged, move it aside and "
            "rebuild it with `csconsole demo` or `csconsole sync --full`."
        ) from None
    owner_only(path)
    return cache


def owner_only(path: Path) -> None:
    """Mode 0600 on the file (SQLite gives its WAL and shared-memory files the same mode);
    a file of another user's is left as it is."""
    with contextlib.suppress(PermissionError):
        os.chmod(path, 0o600)


def open_cache_engine(path: Path, key_hex: str, *, create: bool = False) -> Engine:
    """:func:`open_cache`, then its engine."""
    return open_cache(path, key_hex, create=create).engine()


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc))
    if "not a database" in text:
        return "wrong key or not a cache file"
    if "malformed" in text or "corrupt" in text:
        return "the file is corrupt"
    return text.splitlines()[0][:120] if text else type(exc).__name__
