"""Secrets through the OS keyring, never a file: the cache key and database passwords."""

from __future__ import annotations

import keyring
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


class KeyringSecretStore:
    """Implements ``services.ports.SecretStore`` on the active keyring backend."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self._backend = backend or keyring.get_keyring()
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
