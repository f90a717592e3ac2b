"""A keyring in a JSON file, so a sync process a test starts can read the cache key its parent
stored. Tests only: the console itself never keeps secrets in a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend

_ENV = "CSCONSOLE_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        # keyring lists every backend class it knows; this one is never picked on its own
        # except in a test's child process, which names its file.
        if _ENV not in os.environ:
            raise RuntimeError("a test keyring, for the tests' child processes only")
        return 0.5

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = Path(path or os.environ.get(_ENV) or os.devnull)

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(data))
