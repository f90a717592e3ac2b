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


class Locked(CsConsoleError):
    """Refused because something is locked until a person lifts the lock (a customer's
    verification after too many wrong answers); lets the window tell a lock from its type."""


class InvalidInput(CsConsoleError, ValueError):
    """What was typed or chosen was refused; the message names the field, never its value."""


class CacheError(CsConsoleError):
    """The local cache is missing, corrupt or cannot be decrypted."""


class SecretStoreError(CsConsoleError):
    """No usable keyring; never fall back to a plaintext file."""


class NotFound(CsConsoleError):
    pass
