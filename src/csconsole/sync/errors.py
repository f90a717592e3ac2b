"""Why a sync did not happen or stopped. Messages name the source (its URL without the
password), tables, columns and row keys, never row values."""

from __future__ import annotations

from csconsole.domain.errors import CsConsoleError


class SyncError(CsConsoleError):
    """A sync that stopped; the cache holds what it held before the failed step."""


class NotConnected(SyncError):
    """No shop database is configured (``csconsole connect`` was never run)."""


class ShopOffline(SyncError):
    """The shop database cannot be reached: the console keeps working from the cache."""


class ShopAuthFailed(SyncError):
    """The shop database refused the user name or password."""


class SchemaMismatch(SyncError):
    """Tables or columns the mapping expects are missing or of the wrong type."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class SyncCancelled(SyncError):
    """Cancelled by the person who started it; nothing half-done was kept."""


class FullLoadNeeded(SyncError):
    """The cache has never been loaded from this source and mapping; run a full load."""
