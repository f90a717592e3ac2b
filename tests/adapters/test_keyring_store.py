"""Secrets only through a real keyring; never a plaintext fallback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring.backend
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


def test_a_backend_set_in_the_process_is_the_one_used(
    memory_keyring: keyring.backend.KeyringBackend,
) -> None:
    """``keyring.set_keyring`` (what the tests and the benchmarks do) still decides: the direct
    choice of the Secret Service reads keyring's own record of it."""
    assert KeyringSecretStore()._backend is memory_keyring


def test_the_session_keyring_is_chosen_without_the_discovery() -> None:
    """With no backend set or configured: the one keyring's discovery picks, without running it
    (it imports and ranks every backend: about 0.1 s of each start). A fresh interpreter, so
    no test backend takes part in the ranking."""
    from keyring.backends import SecretService

    if not SecretService.Keyring.viable:
        pytest.skip("no Secret Service answers here: run under scripts/with-keyring.sh")
    script = textwrap.dedent(
        """
        import keyring.core
        from csconsole.adapters.keyring_store import KeyringSecretStore

        discover = keyring.core.init_backend

        def no_discovery(*_args):
            raise AssertionError("keyring's discovery ran")

        keyring.core.init_backend = no_discovery
        chosen = type(KeyringSecretStore()._backend)
        keyring.core.init_backend = discover
        discovered = type(keyring.get_keyring())
        print(chosen.__module__, chosen is discovered)
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("PYTHON_KEYRING_BACKEND", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.stdout.split() == ["keyring.backends.SecretService", "True"], result.stderr


def test_a_backend_the_user_names_goes_through_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(SecretStoreError, match="No usable keyring"):
        KeyringSecretStore()  # the null backend, as keyring loaded it from the variable
