"""Errors whose messages may be shown to a user: they never contain personal data."""

from __future__ import annotations


class CsConsoleError(Exception):
    """Base class; ``str(error)`` is a one-line reason fit for a dialog or standard error."""


class SignInError(CsConsoleError):
    pass


class PermissionDenied(CsConsoleError):
    pass


class SessionEnded(PermissionDenied):
    """The signed-in person's staff row changed under the session (a sync re-keyed,
    deactivated or changed them): nothing more is recorded in their name."""


class CacheError(CsConsoleError):
    """The local cache is missing, corrupt or cannot be decrypted."""


class SecretStoreError(CsConsoleError):
    """No usable keyring; never fall back to a plaintext file."""


class NotFound(CsConsoleError):
    pass
