"""A missing, corrupt or wrongly keyed cache gives a message and the file is left as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.domain.errors import CacheError
from csconsole.persistence.cache.engine import cache_key_name


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_cache_says_how_to_make_one(paths: Paths, secret_store: KeyringSecretStore) -> None:
    with pytest.raises(CacheError, match="csconsole demo"):
        Console.open(paths, secret_store)
    assert not paths.cache_file.exists()


def test_wrong_key_is_named_and_nothing_is_destroyed(
    paths: Paths, secret_store: KeyringSecretStore
) -> None:
    Console.open(paths, secret_store, create=True).close()
    before = digest(paths.cache_file)
    secret_store.set(cache_key_name(paths.cache_file), "ab" * 32)
    with pytest.raises(CacheError, match="wrong key") as info:
        Console.open(paths, secret_store)
    assert "untouched" in str(info.value)
    assert digest(paths.cache_file) == before


def test_missing_key_is_named(paths: Paths, secret_store: KeyringSecretStore) -> None:
    Console.open(paths, secret_store, create=True).close()
    secret_store.delete(cache_key_name(paths.cache_file))
    with pytest.raises(CacheError, match="No key for the local cache"):
        Console.open(paths, secret_store)
    assert paths.cache_file.exists()


def test_corrupt_file_is_reported_and_kept(paths: Paths, secret_store: KeyringSecretStore) -> None:
    Console.open(paths, secret_store, create=True).close()
    data = bytearray(paths.cache_file.read_bytes())
    data[100:4000] = b"\x00" * 3900
    paths.cache_file.write_bytes(bytes(data))
    before = digest(paths.cache_file)
    with pytest.raises(CacheError, match="cannot be opened"):
        Console.open(paths, secret_store)
    assert digest(paths.cache_file) == before
