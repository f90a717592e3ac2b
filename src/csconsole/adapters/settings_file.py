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
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# csconsole settings. Secrets are never stored here; they live in the keyring."]
    lines += [f"{k} = {_toml_value(v)}" for k, v in settings.to_mapping().items()]
    tmp = paths.settings_file.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(paths.settings_file)
