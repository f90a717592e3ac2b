"""Cases: due dates in calendar and business days, the status flow, stored text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csconsole.adapters.policy_files import load_profile
from csconsole.domain.cases import (
    CaseStatus,
    CaseTransitionError,
    add_days,
    allowed_transitions,
    check_transition,
    clean_text,
    due_date,
    is_overdue,
    request_for_case,
)
from csconsole.domain.policy import CaseType, DayUnit, RequestType

FRIDAY = date(2026, 3, 6)
SATURDAY = date(2026, 3, 7)
SUNDAY = date(2026, 3, 8)
MONDAY = date(2026, 3, 9)


def test_calendar_days_count_every_day() -> None:
    assert add_days(FRIDAY, 45, DayUnit.CALENDAR) == FRIDAY + timedelta(days=45)
    assert add_days(FRIDAY, 0, DayUnit.CALENDAR) == FRIDAY


def test_business_days_skip_weekends() -> None:
    assert add_days(FRIDAY, 1, DayUnit.BUSINESS) == MONDAY
    assert add_days(MONDAY, 10, DayUnit.BUSINESS) == MONDAY + timedelta(days=14)
    # A weekend request reaches the shop on Monday and counts from there.
    assert add_days(SATURDAY, 1, DayUnit.BUSINESS) == MONDAY + timedelta(days=1)
    assert add_days(SUNDAY, 0, DayUnit.BUSINESS) == MONDAY
    with pytest.raises(ValueError, match="negative"):
        add_days(MONDAY, -1, DayUnit.BUSINESS)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 60))
def test_business_deadline_is_a_weekday_after_exactly_n_working_days(start: date, n: int) -> None:
    due = add_days(start, n, DayUnit.BUSINESS)
    assert due.weekday() < 5
    days = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    # From a weekend day, the Monday the request reaches the shop is counted as well.
    assert sum(1 for d in days if d.weekday() < 5) == n + (1 if start.weekday() >= 5 else 0)


@pytest.mark.parametrize("profile_name", ["diamond-nexus", "national-diamond-outlet"])
def test_every_case_type_has_a_due_date_from_the_profile(profile_name: str) -> None:
    profile = load_profile(profile_name)
    for case_type in CaseType:
        rule = profile.case_due[case_type]
        due = due_date(MONDAY, rule)
        assert due > MONDAY
    access = profile.case_due[CaseType.ACCESS]
    assert (access.days, access.unit) == (45, DayUnit.CALENDAR)
    assert due_date(MONDAY, access) == MONDAY + timedelta(days=45)
    opt_out = profile.case_due[CaseType.MAILING_OPT_OUT]
    assert due_date(MONDAY, opt_out) == MONDAY + timedelta(days=14)  # 10 business days


def test_overdue_only_after_the_due_day_and_only_while_open() -> None:
    assert not is_overdue(CaseStatus.OPEN, FRIDAY, FRIDAY)
    assert is_overdue(CaseStatus.IN_PROGRESS, FRIDAY, SATURDAY)
    assert not is_overdue(CaseStatus.RESOLVED, FRIDAY, MONDAY)


def test_status_flow() -> None:
    check_transition(CaseStatus.OPEN, CaseStatus.IN_PROGRESS, None)
    check_transition(CaseStatus.AWAITING_APPROVAL, CaseStatus.IN_PROGRESS, None)
    check_transition(CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, "sent the access report")
    with pytest.raises(CaseTransitionError, match="needs a resolution"):
        check_transition(CaseStatus.OPEN, CaseStatus.REFUSED, "  \u200b ")
    with pytest.raises(CaseTransitionError, match="closed case stays closed"):
        check_transition(CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS, None)
    with pytest.raises(CaseTransitionError, match="from in progress to open"):
        check_transition(CaseStatus.IN_PROGRESS, CaseStatus.OPEN, None)
    for status in CaseStatus:
        assert status not in allowed_transitions(status)
        if status.is_closed:
            assert allowed_transitions(status) == frozenset()


def test_what_a_case_is_verified_for() -> None:
    assert request_for_case(CaseType.ACCESS) is RequestType.ACCESS
    assert request_for_case(CaseType.MAILING_OPT_OUT) is RequestType.MAILING_OPT_OUT
    assert request_for_case(CaseType.CHILD_DATA) is RequestType.ERASURE
    assert request_for_case(CaseType.DISCLOSURE) is None


def test_stored_text_loses_controls_and_bidi_overrides_but_keeps_lines() -> None:
    assert clean_text("  a\u202eb\u0000c \r\nsecond line\t \n\n") == "abc\nsecond line"
    assert clean_text("\u200b\u200f") == ""


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(0, 40),
    st.sets(st.integers(0, 90), max_size=20),
)
def test_business_deadline_skips_holidays_as_well_as_weekends(
    start: date, n: int, offsets: set[int]
) -> None:
    holidays = {start + timedelta(days=k) for k in offsets}

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in holidays

    due = add_days(start, n, DayUnit.BUSINESS, holidays.__contains__)
    assert working(due)
    days = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    # From a day off, the first working day the request is in the shop's hands counts as well.
    assert sum(1 for d in days if working(d)) == n + (0 if working(start) else 1)


def test_a_profile_names_its_holiday_calendar_or_says_what_is_wrong() -> None:
    import tomllib

    from csconsole.adapters.holiday_calendar import holiday_predicate
    from csconsole.adapters.policy_files import policies_dir
    from csconsole.domain.policy import PolicyProfileError, parse_profile

    text = (policies_dir() / "diamond-nexus.toml").read_text(encoding="utf-8")
    bad = tomllib.loads(text.replace('holidays = "US"', 'holidays = "united states"'))
    with pytest.raises(PolicyProfileError, match=r"cases\.holidays: expected a country code"):
        parse_profile(bad, source_name="dn.toml")
    with pytest.raises(PolicyProfileError, match=r"x\.toml: cases\.holidays: no holiday calendar"):
        holiday_predicate("XQ", source="x.toml")
    assert holiday_predicate("") is None
    us = holiday_predicate("US")
    assert us is not None and us(date(2026, 7, 3)) and not us(date(2026, 7, 6))  # observed 4th
