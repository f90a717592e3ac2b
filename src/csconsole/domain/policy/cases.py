"""Case rules: when each case type is due (calendar or business days) and whose holidays count."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import RULE_KEYS, ProfileTable


class CaseType(enum.StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    MAILING_OPT_OUT = "mailing_opt_out"
    ERASURE = "erasure"
    DISCLOSURE = "disclosure"
    CHILD_DATA = "child_data"
    ACCOUNT_MISUSE = "account_misuse"
    INQUIRY = "inquiry"


class DayUnit(enum.StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class CaseDue:
    case_type: CaseType
    days: int
    unit: DayUnit
    clause: Clause


_HOLIDAY_CODE = re.compile(r"[A-Z]{2,3}(-[A-Z0-9]{1,3})?")


def parse_holiday_calendar(root: ProfileTable) -> str:
    t = root.table("cases", ("due", "holidays"))
    code = t.string("holidays", allow_empty=True, default="")
    if code and not _HOLIDAY_CODE.fullmatch(code):
        t.fail("holidays", f"expected a country code such as 'US' (or ''), got {code!r}")
    return code


def parse_cases(root: ProfileTable, source: str) -> Mapping[CaseType, CaseDue]:
    t = root.table("cases", ("due", "holidays"))
    due: dict[CaseType, CaseDue] = {}
    for case_type, sub in t.keyed_tables("due", CaseType, "case type").items():
        dt = ProfileTable(
            t.source_name, t.key(f"due.{case_type.value}"), sub, ("days", "unit", *RULE_KEYS)
        )
        due[case_type] = CaseDue(
            case_type=case_type,
            days=dt.integer("days"),
            unit=dt.enum("unit", DayUnit, "day unit"),
            clause=dt.clause(source),
        )
    return MappingProxyType(due)
