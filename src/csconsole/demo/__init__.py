"""The console's reference shop schema and the demo shop built on it."""

from __future__ import annotations

from pathlib import Path


def schema_path() -> Path:
    return Path(__file__).with_name("schema.sql")
