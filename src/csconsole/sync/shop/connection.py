"""Shop database URLs: passwords to and from the keyring, redaction, the SQLAlchemy engine.

A URL is stored in the settings without its password; the password lives in the keyring under
``db-password:<the URL without password>``. Every message shows ``redact(url)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from csconsole.services.ports import SecretStore
from csconsole.sync.errors import ShopAuthFailed, ShopOffline, SyncError

SUPPORTED = ("sqlite", "postgresql", "mysql", "mariadb")
CONNECT_TIMEOUT_S = 5
_SECRET_PREFIX = "db-password:"  # noqa: S105 - a keyring entry name, not a password


def parse_url(text: str) -> URL:
    try:
        url = make_url(text.strip())
    except (exc.ArgumentError, ValueError):
        raise SyncError(
            "Not a database URL (expected e.g. postgresql+psycopg://user@host/shop, "
            "mysql+pymysql://user@host/shop or sqlite:///path/shop.db)."
        ) from None
    if url.get_backend_name() not in SUPPORTED:
        raise SyncError(
            f"Unsupported database {url.get_backend_name()!r}: use PostgreSQL, MySQL/MariaDB "
            "or SQLite."
        )
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    return url


def without_password(url: URL) -> URL:
    # ``URL.set(password=None)`` leaves the password as it is; replace the field itself.
    return url._replace(password=None)


def redact(url: URL | str) -> str:
    """The URL as messages and logs may show it (the password replaced by ***)."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (exc.ArgumentError, ValueError):
            return "(an unreadable database URL)"
    return url.render_as_string(hide_password=True)


def secret_name(url: URL) -> str:
    return _SECRET_PREFIX + without_password(url).render_as_string(hide_password=False)


def store_url(text: str, secrets: SecretStore) -> str:
    """What ``connect`` saves: the URL without its password, the password in the keyring."""
    url = parse_url(text)
    if url.password:
        secrets.set(secret_name(url), str(url.password))
    return without_password(url).render_as_string(hide_password=False)


def full_url(text: str, secrets: SecretStore) -> URL:
    """The saved URL with its password from the keyring (if one was stored)."""
    url = parse_url(text)
    if url.password is None:
        password = secrets.get(secret_name(url))
        if password is not None:
            url = url.set(password=password)
    return url


def scrub(message: str, url: URL) -> str:
    """A driver message with the password and any full URL taken out, on one line."""
    text = " ".join(message.split())
    if url.password:
        text = text.replace(str(url.password), "***")
    return re.sub(r"://[^\s/@]+:[^\s/@]+@", "://***:***@", text)[:300]


def _connect_args(url: URL) -> dict[str, Any]:
    backend = url.get_backend_name()
    if backend == "postgresql":
        return {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "csconsole sync"}
    if backend in ("mysql", "mariadb"):
        return {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "charset": "utf8mb4",
            "read_timeout": 600,
        }
    return {"timeout": 10}


def _sqlite_text(raw: bytes) -> str | bytes:
    """SQLite text that is not UTF-8 comes through as bytes, for the pull to repair."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def shop_engine(url: URL) -> Engine:
    """An engine on the shop database (read by the pull, written only by the push)."""
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path and path != ":memory:" and not Path(path).is_file():
            raise ShopOffline(f"The shop database file does not exist: {redact(url)}.")
    engine = create_engine(url, connect_args=_connect_args(url), pool_pre_ping=True)
    if url.get_backend_name() == "sqlite":

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.text_factory = _sqlite_text

        event.listen(engine, "connect", on_connect)
    return engine


def classify(error: BaseException, url: URL) -> SyncError:
    """A connection-time error as the console explains it."""
    orig = getattr(error, "orig", None) or error
    text = str(orig)
    low = text.lower()
    where = redact(url)
    if isinstance(error, SyncError):
        return error
    code = orig.args[0] if getattr(orig, "args", None) and isinstance(orig.args[0], int) else 0
    if (
        "password authentication failed" in low
        or "access denied" in low
        or code == 1045
        or "no password supplied" in low
    ):
        return ShopAuthFailed(
            f"The shop database {where} refused the user name or password. Run "
            "`csconsole connect --shop URL-with-password` to store the right one."
        )
    if ("database" in low and "does not exist" in low) or "unknown database" in low or code == 1049:
        return SyncError(f"The database named in {where} does not exist on that server.")
    if isinstance(error, exc.OperationalError | exc.InterfaceError | OSError | TimeoutError):
        said = " ".join(scrub(text, url).split()) or type(orig).__name__
        stop = "" if said.endswith((".", "?", "!")) else "."  # the driver's own sentence may end
        return ShopOffline(
            f"Cannot reach the shop database {where}: {said}{stop}"
            " The console keeps working from the local cache."
        )
    return SyncError(f"The shop database {where} failed: {scrub(text, url)}")
