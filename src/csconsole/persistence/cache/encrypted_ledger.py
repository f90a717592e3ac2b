"""A central ledger kept in its own SQLCipher file (the demo's: ``sqlcipher:///path``), opened
as the cache is: a random 256-bit raw key in the keyring (entry ``ledger-key:<hash of the
path>``), pages encrypted with AES-256 and authenticated with HMAC-SHA256.

The demo's shop file stands for the shop's own database and stays plain SQLite; the ledger's
case notes, verification attempts and staff hashes live here instead, never in clear.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from csconsole.domain.errors import CacheError
from csconsole.persistence.cache.engine import CacheFile, page_hmac_of
from csconsole.services.ports import SecretStore

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEME = "sqlcipher"
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")


def ledger_key_name(path: Path) -> str:
    """Keyring entry of one encrypted ledger file (the path in it, as for the cache)."""
    return "ledger-key:" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


def ledger_key(secrets_store: SecretStore, path: Path, *, create: bool) -> str:
    name = ledger_key_name(path)
    key = secrets_store.get(name)
    if key is None:
        if not create:
            raise CacheError(
                f"No key for the encrypted ledger {path.name} in the keyring, so it cannot be "
                "opened; rebuild the demo with `csconsole demo --force`."
            )
        key = secrets.token_hex(32)
        secrets_store.set(name, key)
    if not _HEX_KEY.match(key):
        raise CacheError("The ledger key in the keyring is malformed (expected 64 hex digits).")
    return key


def open_encrypted_ledger(path: Path, key_hex: str, *, create: bool = False) -> Engine:
    """An engine on the encrypted ledger file at ``path`` (made, empty, when ``create``), its
    key checked first; the file and its directory are readable by their owner only.

    Raises CacheError naming the problem; never modifies an existing file it cannot open.
    """
    if not create and not path.is_file():
        raise CacheError(
            f"The encrypted ledger {path} does not exist; rebuild the demo with "
            "`csconsole demo --force`."
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    ledger = CacheFile(path, key_hex, page_hmac_of(path, key_hex))
    try:
        con = ledger.connect()
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            con.execute("PRAGMA journal_mode = WAL").fetchone()
        finally:
            con.close()
    except sqlcipher3.dbapi2.Error:
        raise CacheError(
            f"The encrypted ledger {path.name} cannot be opened: wrong key or not a ledger "
            "file. It was left untouched."
        ) from None
    os.chmod(path, 0o600)
    return ledger.engine()


def delete_encrypted_ledger(path: Path, secrets_store: SecretStore) -> None:
    """The file (with its WAL and shared-memory files) and its key: the demo's rebuild."""
    for extra in ("", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    secrets_store.delete(ledger_key_name(path))
