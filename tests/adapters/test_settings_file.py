from __future__ import annotations

import pytest

from csconsole.adapters.settings_file import Paths, load_settings, save_settings
from csconsole.services.settings import Settings


def test_defaults_then_round_trip(paths: Paths) -> None:
    assert load_settings(paths) == Settings()
    changed = Settings().with_changes(idle_lock_minutes=3, workstation='desk "7"')
    save_settings(paths, changed)
    assert load_settings(paths) == changed
    assert paths.settings_file.parent == paths.config_dir


def test_csconsole_home_moves_everything(paths: Paths, home) -> None:  # type: ignore[no-untyped-def]
    assert paths.cache_file.is_relative_to(home)
    assert paths.settings_file.is_relative_to(home)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("idle_lock_minutes = 'ten'", "idle_lock_minutes' must be int"),
        ("idle_lock_minutes = 0", "idle_lock_minutes must be between"),
        ("colour = 'red'", "unknown setting 'colour'"),
        ("default_region = 'usa'", "default_region must be a two-letter"),
        ("idle_lock_minutes = ", "settings.toml"),
    ],
)
def test_bad_settings_name_the_key(paths: Paths, text: str, message: str) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text(text + "\n")
    with pytest.raises(ValueError, match=message):
        load_settings(paths)
