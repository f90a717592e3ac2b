"""Secrets through the OS keyring, never a file: the cache key and database passwords."""

from __future__ import annotations

import os
import sys

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend

from csconsole.domain.errors import SecretStoreError

SERVICE = "csconsole"

HOW_TO_GET_ONE = (
    "No usable keyring was found, and csconsole never stores secrets in a plain file. "
    "On a desktop, sign in to a session with GNOME Keyring or KWallet running. On a server or "
    "in a script, install gnome-keyring and dbus-user-session and run inside "
    "`dbus-run-session -- sh -c 'printf PASSWORD | gnome-keyring-daemon --unlock "
    "--components=secrets; csconsole ...'`."
)


def _usable(backend: KeyringBackend) -> bool:
    # The fail and null backends report priority 0 or below; chainer with no children too.
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if name.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return True


def _configured() -> bool:
    """Whether the user named a backend (keyring's own environment variable or file)."""
    from keyring.util import platform_

    return (
        "PYTHON_KEYRING_BACKEND" in os.environ
        or (platform_.config_root() / "keyringrc.cfg").exists()
    )


def active_backend() -> KeyringBackend:
    """The backend ``keyring.get_keyring()`` gives, without its discovery where that is known.

    The discovery imports every installed backend through the package metadata (the macOS and
    Windows ones too) to rank them: about 0.1 s of each start. A backend already chosen in this
    process (``keyring.set_keyring``: tests, benchmarks) or named by the user is keyring's to
    give. Otherwise, on Linux, the Secret Service when it answers: the discovery ranks it first
    of the backends keyring ships (its chainer aside, which would join it with another backend
    answering too, KWallet say: only the Secret Service is asked then).
    """
    # keyring keeps the chosen backend here (core.py); None until set or discovered.
    chosen = getattr(keyring.core, "_keyring_backend", None)
    if chosen is None and sys.platform.startswith("linux") and not _configured():
        from keyring.backends import SecretService

        if SecretService.Keyring.viable:
            session_keyring: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
            return session_keyring
    return keyring.get_keyring()


class KeyringSecretStore:
    """Implements ``services.ports.SecretStore`` on the active keyring backend."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self._backend = backend or active_backend()
        self._service = service
        if not _usable(self._backend):
            raise SecretStoreError(HOW_TO_GET_ONE)

    def get(self, name: str) -> str | None:
        try:
            return self._backend.get_password(self._service, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"The keyring refused to read a secret: {exc}. " + HOW_TO_GET_ONE
            ) from None

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(self._service, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"The keyring refused to store a secret: {exc}. " + HOW_TO_GET_ONE
            ) from None

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            return
