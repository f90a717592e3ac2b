"""Public holidays for business-day deadlines, from the ``holidays`` package (kept current by
its maintainers, so no table of dates lives here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import holidays

from csconsole.domain.policy import PolicyProfileError


def holiday_predicate(code: str, *, source: str = "") -> Callable[[date], bool] | None:
    """``is_holiday`` for the profile's ``[cases] holidays`` code ("US", "US-CA", "GB"...);
    None for "" (weekends only). An unknown code is a profile error naming the key."""
    if not code:
        return None
    country, _, subdivision = code.partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        raise PolicyProfileError(
            source, "cases.holidays", f"no holiday calendar for {code!r}"
        ) from None
    return calendar.__contains__
