"""Where csconsole keeps things: CSCONSOLE_HOME, or the platform's config and data dirs."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from csconsole.services.settings import Settings

APP = "csconsole"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def cache_file(self) -> Path:
        return self.data_dir / "cache.db"

    @property
    def demo_shop_file(self) -> Path:
        return self.data_dir / "demo-shop.sqlite"

    @property
    def demo_ledger_file(self) -> Path:
        """The demo's central ledger: its own SQLCipher file, apart from the plain shop file."""
        return self.data_dir / "demo-ledger.db"

    @classmethod
    def from_environment(cls) -> Paths:
        home = os.environ.get("CSCONSOLE_HOME")
        if home:
            root = Path(home).expanduser().resolve()
            return cls(root / "config", root / "data")
        return cls(Path(platformdirs.user_config_dir(APP)), Path(platformdirs.user_data_dir(APP)))


def load_settings(paths: Paths) -> Settings:
    path = paths.settings_file
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return Settings.from_mapping(data, source=str(path))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write atomically (temp file, then rename), so a crash leaves the old file intact."""
    private_dir(paths.config_dir)
    lines = ["# csconsole settings. Secrets are never stored here; they live in the keyring."]
    lines += [f"{k} = {_toml_value(v)}" for k, v in settings.to_mapping().items()]
    tmp = paths.settings_file.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Made 0600 from the start (not chmod after writing), so no moment exists when others read.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    tmp.replace(paths.settings_file)


def private_dir(path: Path) -> None:
    """The directory made if missing, readable by its owner only (0700) either way."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
