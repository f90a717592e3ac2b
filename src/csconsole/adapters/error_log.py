"""The private error log: what an unexpected failure was, for whoever maintains the desk.

Only where it happened (the command, the exception's type, each frame's file, line and
function), never a message, an argument value or a local variable: those may hold a customer's
data or a password. The file is readable by its owner only (mode 0600).
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

ERROR_LOG_NAME = "errors.log"
_MAX_BYTES = 1_000_000  # past this the log starts again: it is for the latest failures


def _frames(exc: BaseException) -> list[str]:
    lines = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"  {type(current).__module__}.{type(current).__qualname__}")
        lines += [
            f"    {Path(f.filename).name}:{f.lineno} in {f.name}"
            for f in traceback.extract_tb(current.__traceback__)
        ]
        current = current.__cause__ or current.__context__
    return lines


def entry(command: str, exc: BaseException, *, at: datetime | None = None) -> str:
    """The log text of one failure (no message, no values)."""
    when = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    return "\n".join([f"{when} command {command or '-'}", *_frames(exc)]) + "\n"


def write_error(directory: Path, command: str, exc: BaseException) -> Path:
    """Append one failure to ``directory/errors.log`` (created 0600); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ERROR_LOG_NAME
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    if path.exists() and path.stat().st_size > _MAX_BYTES:
        flags |= os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an older file made with a looser mode is tightened
        os.write(fd, entry(command, exc).encode("utf-8"))
    finally:
        os.close(fd)
    return path
