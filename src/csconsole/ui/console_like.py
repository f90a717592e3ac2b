"""What the window needs from a console, as Protocols (the UI never imports ``csconsole.app``).

``csconsole.app.Console`` satisfies ``ConsoleLike``; tests pass small fakes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # typing only: ui.main imports this before the first window is shown
    from csconsole.services.auth import Session
    from csconsole.services.ports import Clock, UnitOfWorkFactory
    from csconsole.services.search import SearchService
    from csconsole.services.settings import Settings


class AuthLike(Protocol):
    def sign_in(self, username: str, password: str) -> Session:
        """A session, or ``SignInError`` with a message fit for the window."""
        ...


class ConsoleLike(Protocol):
    """The attributes of ``csconsole.app.Console`` the window uses."""

    @property
    def search(self) -> SearchService: ...

    @property
    def auth(self) -> AuthLike: ...

    @property
    def uow(self) -> UnitOfWorkFactory: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Settings: ...

    def close(self) -> None: ...
