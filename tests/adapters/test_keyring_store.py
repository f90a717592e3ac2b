"""Secrets only through a real keyring; never a plaintext fallback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backends import fail

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.domain.errors import SecretStoreError


def test_fail_backend_gives_instructions_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError, match="gnome-keyring") as info:
        KeyringSecretStore(fail.Keyring())
    assert "never stores secrets in a plain file" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_round_trip_in_memory(secret_store: KeyringSecretStore) -> None:
    secret_store.set("k", "v")
    assert secret_store.get("k") == "v"
    secret_store.delete("k")
    secret_store.delete("k")  # deleting what is gone is not an error
    assert secret_store.get("k") is None


@pytest.mark.gnome_keyring
def test_real_gnome_keyring_under_dbus_run_session(tmp_path: Path) -> None:
    """The production path: Secret Service via GNOME Keyring in a private D-Bus session."""
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} missing: scripts/setup.sh installs it"
    script = textwrap.dedent(
        """
        from keyring.backends.SecretService import Keyring
        from csconsole.adapters.keyring_store import KeyringSecretStore
        store = KeyringSecretStore(Keyring())
        store.set("cache-key:test", "00" * 32)
        assert store.get("cache-key:test") == "00" * 32
        store.delete("cache-key:test")
        assert store.get("cache-key:test") is None
        print("gnome-keyring ok")
        """
    )
    shell = (
        'eval "$(printf testpw | gnome-keyring-daemon --unlock --components=secrets)"; '
        f'"{sys.executable}" -c "$SCRIPT"'
    )
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), SCRIPT=script)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "gnome-keyring ok" in result.stdout, result.stderr[-2000:]
    assert list((tmp_path / "keyrings").iterdir())  # the keyring lives in its own files
