"""The console's settings as a typed object with defaults; stored by adapters.settings_file."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Settings:
    policy_profile: str = "diamond-nexus"
    # The region a phone number typed without a country code belongs to.
    default_region: str = "US"
    idle_lock_minutes: int = 10
    search_limit: int = 50
    workstation: str = ""
    shop_url: str = ""
    shop_mapping: str = "reference"
    ledger_url: str = ""

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, source: str) -> Settings:
        """Validate a loaded mapping; a bad key or type names itself in the message."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"{source}: unknown setting {key!r}")
            default = getattr(cls(), key)
            if type(value) is not type(default):
                raise ValueError(
                    f"{source}: setting {key!r} must be {type(default).__name__}, "
                    f"got {type(value).__name__}"
                )
            values[key] = value
        settings = cls(**values)
        if not 1 <= settings.idle_lock_minutes <= 240:
            raise ValueError(f"{source}: idle_lock_minutes must be between 1 and 240")
        if not (len(settings.default_region) == 2 and settings.default_region.isupper()):
            raise ValueError(f"{source}: default_region must be a two-letter country code")
        if not 1 <= settings.search_limit <= 500:
            raise ValueError(f"{source}: search_limit must be between 1 and 500")
        return settings

    def to_mapping(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
