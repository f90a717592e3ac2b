"""Imported by a benchmark's child process: the parent's in-memory keyring, handed over."""

import ast
import os

import keyring
from keyring.backend import KeyringBackend


class _HandedOver(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data = ast.literal_eval(os.environ["CSBENCH_KEYRING"])

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


keyring.set_keyring(_HandedOver())
