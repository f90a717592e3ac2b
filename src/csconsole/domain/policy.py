"""Policy profiles: a shop's privacy policy as the rules the console enforces.

A profile is data (``resources/policies/*.toml``); this module turns the parsed TOML into frozen
value types and refuses anything malformed with a message that names the dotted key. Every rule
carries a :class:`Clause`: the words of the shop's policy it comes from, quoted verbatim, or, where
the policy is silent, an empty quote and the reference practice the console follows instead.

Pure: no I/O. The adapter (``csconsole.adapters.policy_files``) reads the files.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NoReturn, TypeVar

from csconsole.domain.errors import CsConsoleError

SCHEMA_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Errors


class PolicyProfileError(CsConsoleError, ValueError):
    """A profile that cannot be used. ``str(error)`` is ``"<file>: <dotted.key>: <problem>"``."""

    def __init__(self, source_name: str, key: str, problem: str, *, line: int | None = None):
        self.source_name = source_name
        self.key = key
        self.problem = problem
        self.line = line
        super().__init__(": ".join(part for part in (source_name, key, problem) if part))


# ---------------------------------------------------------------------------------------------
# Vocabulary


class VerificationLevel(enum.StrEnum):
    """How sure the console must be that the caller is the customer. Ordered by :attr:`rank`."""

    NONE = "none"
    STANDARD = "standard"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _LEVEL_ORDER.index(self)

    def satisfies(self, required: VerificationLevel) -> bool:
        """True when a verification at this level is enough for ``required``."""
        return self.rank >= required.rank


_LEVEL_ORDER = (VerificationLevel.NONE, VerificationLevel.STANDARD, VerificationLevel.HIGH)


def stricter(*levels: VerificationLevel) -> VerificationLevel:
    """The most demanding of ``levels`` (``NONE`` when given none)."""
    return max(levels, key=lambda level: level.rank, default=VerificationLevel.NONE)


class RequestType(enum.StrEnum):
    """What a caller asks for; each needs a verification level."""

    MAILING_OPT_OUT = "mailing_opt_out"
    ACCESS = "access"  # general access: what is held about me
    DATA_COPY = "data_copy"  # a copy of specific data
    CORRECTION = "correction"  # base level; the corrected fields may raise it
    ERASURE = "erasure"


class CorrectableField(enum.StrEnum):
    NAME = "name"
    POSTAL_ADDRESS = "postal_address"
    EMAIL = "email"
    PHONE = "phone"


class QuestionKind(enum.StrEnum):
    """Verification questions drawn from data on file."""

    EMAIL = "email"
    PHONE = "phone"
    BILLING_POSTCODE = "billing_postcode"
    LAST_ORDER_NUMBER = "last_order_number"
    LAST_ORDER_DATE = "last_order_date"
    LAST_ORDER_TOTAL = "last_order_total"
    CARD_LAST4 = "card_last4"
    ITEMS_BOUGHT = "items_bought"


class MailingChannel(enum.StrEnum):
    EMAIL = "email"
    CATALOG = "catalog"


class EnrolmentSource(enum.StrEnum):
    """Why a person is on a mailing list; also what may put them back after an unsubscribe."""

    CONTEST_ENTRY = "contest_entry"
    PROMO_REQUEST = "promo_request"
    CATALOG_REQUEST = "catalog_request"
    NEWSLETTER_SIGNUP = "newsletter_signup"


class RecipientCategory(enum.StrEnum):
    CARD_COMPANY = "card_company"
    LAW_ENFORCEMENT = "law_enforcement"
    GOVERNMENT = "government"
    ATTORNEY = "attorney"
    COURT = "court"


class InstrumentKind(enum.StrEnum):
    """The legal or contractual paper a disclosure request rests on."""

    CHARGEBACK_DISPUTE = "chargeback_dispute"
    SUBPOENA = "subpoena"
    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"


class DisclosureScope(enum.StrEnum):
    REQUESTED = "requested"  # the items the instrument asks for
    DISPUTED_ORDERS = "disputed_orders"  # only the orders under dispute


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


# ---------------------------------------------------------------------------------------------
# Value types


@dataclass(frozen=True, slots=True)
class Clause:
    """Where a rule comes from.

    ``text`` is a verbatim quote from ``source`` (the shop's policy file), or ``""`` when the
    policy is silent on the rule; ``basis`` then names the reference practice followed instead.
    ``key`` is the rule's dotted key in the profile, e.g. ``"verification.requests.access"``.
    """

    key: str
    text: str
    source: str
    basis: str = ""

    @property
    def is_silent(self) -> bool:
        """The policy says nothing on this rule; :attr:`basis` is what the console relies on."""
        return not self.text

    def citation(self) -> str:
        """One line for printed records."""
        if self.is_silent:
            return f"{self.source} is silent on this; basis: {self.basis}"
        quoted = f'"{self.text}" ({self.source})'
        return f"{quoted}; basis: {self.basis}" if self.basis else quoted


@dataclass(frozen=True, slots=True)
class LevelRequirement:
    """What a verification level takes: matching data points, and whether an affirmation."""

    level: VerificationLevel
    data_points: int
    affirmation: bool
    affirmation_text: str


@dataclass(frozen=True, slots=True)
class RequestLevel:
    request: RequestType
    level: VerificationLevel
    clause: Clause


@dataclass(frozen=True, slots=True)
class FieldLevel:
    """The level needed to correct ``field``, and the questions that prove nothing meanwhile."""

    field: CorrectableField
    level: VerificationLevel
    not_proof: frozenset[QuestionKind]
    clause: Clause


@dataclass(frozen=True, slots=True)
class Tolerances:
    order_date_days: int
    order_total_cents: int


@dataclass(frozen=True, slots=True)
class LockoutRule:
    max_failures: int
    window_hours: int
    clause: Clause


@dataclass(frozen=True, slots=True)
class VerificationRules:
    clause: Clause
    question_kinds: tuple[QuestionKind, ...]
    tolerances: Tolerances
    expiry_minutes: int
    levels: Mapping[VerificationLevel, LevelRequirement]
    requests: Mapping[RequestType, RequestLevel]
    fields: Mapping[CorrectableField, FieldLevel]
    lockout: LockoutRule

    def requirement(self, level: VerificationLevel) -> LevelRequirement:
        return self.levels[level]

    def level_for(
        self, request: RequestType, fields: Iterable[CorrectableField] = ()
    ) -> VerificationLevel:
        """The level ``request`` needs; for a correction, the strictest of it and its fields."""
        return stricter(self.requests[request].level, *(self.fields[f].level for f in fields))

    def proof_questions(self, fields: Iterable[CorrectableField] = ()) -> tuple[QuestionKind, ...]:
        """Questions that may count as proof while ``fields`` are being corrected."""
        excluded: set[QuestionKind] = set()
        for field in fields:
            excluded |= self.fields[field].not_proof
        return tuple(kind for kind in self.question_kinds if kind not in excluded)


@dataclass(frozen=True, slots=True)
class SupervisorApprovalRule:
    fields: frozenset[CorrectableField]
    clause: Clause


@dataclass(frozen=True, slots=True)
class LegalHoldRule:
    blocks_corrections: bool
    clause: Clause


@dataclass(frozen=True, slots=True)
class CorrectionRules:
    clause: Clause
    fields: tuple[CorrectableField, ...]
    evidence_required: bool
    approval: SupervisorApprovalRule
    legal_hold: LegalHoldRule

    def needs_supervisor(self, field: CorrectableField) -> bool:
        return field in self.approval.fields


@dataclass(frozen=True, slots=True)
class AccessRules:
    full_report: bool
    clause: Clause


@dataclass(frozen=True, slots=True)
class ChannelRule:
    channel: MailingChannel
    reenrol_sources: frozenset[EnrolmentSource]
    clause: Clause


@dataclass(frozen=True, slots=True)
class MailingRules:
    opt_out_deadline_business_days: int
    suppression_survives_erasure: bool
    clause: Clause
    channels: Mapping[MailingChannel, ChannelRule]

    def may_reenrol(self, channel: MailingChannel, source: EnrolmentSource) -> bool:
        """Whether a new ``source`` event dated after an unsubscribe may re-enrol the person."""
        return source in self.channels[channel].reenrol_sources


@dataclass(frozen=True, slots=True)
class RecipientRule:
    category: RecipientCategory
    legally_compelled_only: bool
    instrument_required: bool
    instrument_kinds: frozenset[InstrumentKind]
    issuer_must_be_judge: bool
    dispute_reference_required: bool
    scope: DisclosureScope
    clause: Clause


@dataclass(frozen=True, slots=True)
class DisclosureRules:
    supervisor_approval: bool
    clause: Clause
    recipients: Mapping[RecipientCategory, RecipientRule]


@dataclass(frozen=True, slots=True)
class ChildrenRules:
    age_under: int
    erasure: bool
    supervisor_approval: bool
    clause: Clause


@dataclass(frozen=True, slots=True)
class AccountMisuseRules:
    opens_case: bool
    flags_account: bool
    clause: Clause


@dataclass(frozen=True, slots=True)
class CaseDue:
    case_type: CaseType
    days: int
    unit: DayUnit
    clause: Clause


@dataclass(frozen=True, slots=True)
class RetentionRules:
    months: int
    clause: Clause


@dataclass(frozen=True, slots=True)
class PolicyProfile:
    id: str
    name: str
    shop_name: str
    policy_source: str
    policy_url: str
    verification: VerificationRules
    corrections: CorrectionRules
    access: AccessRules
    mailing: MailingRules
    disclosures: DisclosureRules
    children: ChildrenRules
    account_misuse: AccountMisuseRules
    case_due: Mapping[CaseType, CaseDue]
    retention: RetentionRules
    # Whose public holidays are not business days: a country code of the ``holidays`` package
    # ("US": the federal holidays of 5 U.S.C. 6103), or "" for weekends only.
    holiday_calendar: str = ""

    def clauses(self) -> tuple[Clause, ...]:
        """Every rule's clause, in profile order."""
        return tuple(self._iter_clauses())

    def _iter_clauses(self) -> Iterator[Clause]:
        v = self.verification
        yield v.clause
        yield v.lockout.clause
        yield from (rule.clause for rule in v.requests.values())
        yield from (rule.clause for rule in v.fields.values())
        c = self.corrections
        yield from (c.clause, c.approval.clause, c.legal_hold.clause, self.access.clause)
        yield self.mailing.clause
        yield from (rule.clause for rule in self.mailing.channels.values())
        yield self.disclosures.clause
        yield from (rule.clause for rule in self.disclosures.recipients.values())
        yield from (self.children.clause, self.account_misuse.clause)
        yield from (due.clause for due in self.case_due.values())
        yield self.retention.clause


# ---------------------------------------------------------------------------------------------
# Verbatim check


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def clause_is_verbatim(clause_text: str, policy_text: str) -> bool:
    """True when ``clause_text`` occurs in ``policy_text`` exactly, up to runs of whitespace.

    Case and punctuation must match. An empty (or all-whitespace) clause is not a quote: False.
    """
    needle = normalise_whitespace(clause_text)
    return bool(needle) and needle in normalise_whitespace(policy_text)


def verify_clauses(profile: PolicyProfile, policy_text: str, *, source_name: str) -> None:
    """Raise :class:`PolicyProfileError` naming the first clause not quoted verbatim."""
    for clause in profile.clauses():
        if clause.text and not clause_is_verbatim(clause.text, policy_text):
            raise PolicyProfileError(
                source_name,
                f"{clause.key}.clause",
                f"not found verbatim in {profile.policy_source}: {clause.text[:60]!r}",
            )


# ---------------------------------------------------------------------------------------------
# Parsing

E = TypeVar("E", bound=enum.StrEnum)

_RULE_KEYS = ("clause", "source", "basis")
_PROFILE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.txt")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)}"
    return repr(value)


def _choices(enum_cls: type[enum.StrEnum]) -> str:
    return ", ".join(member.value for member in enum_cls)


class _Table:
    """A TOML table being read, with its dotted path for error messages."""

    def __init__(
        self, source_name: str, path: str, data: Mapping[str, object], keys: Iterable[str]
    ) -> None:
        self.source_name = source_name
        self.path = path
        self.data = data
        allowed = tuple(keys)
        for key in data:
            if key not in allowed:
                self.fail(key, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> NoReturn:
        raise PolicyProfileError(self.source_name, self.key(name), problem)

    def raw(self, name: str) -> object:
        if name not in self.data:
            self.fail(name, "missing required key")
        return self.data[name]

    def table(self, name: str, keys: Iterable[str]) -> _Table:
        value = self.raw(name)
        if not isinstance(value, Mapping):
            self.fail(name, f"expected a table, got {_describe(value)}")
        return _Table(self.source_name, self.key(name), value, keys)

    def keyed_tables(
        self, name: str, enum_cls: type[E], what: str
    ) -> dict[E, Mapping[str, object]]:
        """A table of sub-tables keyed by every member of ``enum_cls`` (no more, no less)."""
        value = self.raw(name)
        if not isinstance(value, Mapping):
            self.fail(name, f"expected a table, got {_describe(value)}")
        path = self.key(name)
        out: dict[E, Mapping[str, object]] = {}
        for key, sub in value.items():
            try:
                member = enum_cls(key)
            except ValueError:
                raise PolicyProfileError(
                    self.source_name,
                    f"{path}.{key}",
                    f"unknown {what} {key!r} (expected one of: {_choices(enum_cls)})",
                ) from None
            if not isinstance(sub, Mapping):
                raise PolicyProfileError(
                    self.source_name, f"{path}.{key}", f"expected a table, got {_describe(sub)}"
                )
            out[member] = sub
        for member in enum_cls:
            if member not in out:
                raise PolicyProfileError(
                    self.source_name, f"{path}.{member.value}", f"missing required {what}"
                )
        return out

    def string(self, name: str, *, allow_empty: bool = False, default: str | None = None) -> str:
        if default is not None and name not in self.data:
            return default
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"expected a string, got {_describe(value)}")
        if not allow_empty and not value.strip():
            self.fail(name, "expected a non-empty string")
        return value

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            self.fail(name, f"expected true or false, got {_describe(value)}")
        return value

    def integer(self, name: str, *, allow_zero: bool = False) -> int:
        """A positive integer (or non-negative with ``allow_zero``); booleans are refused."""
        value = self.raw(name)
        minimum = 0 if allow_zero else 1
        expected = "a non-negative integer" if allow_zero else "a positive integer"
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(name, f"expected {expected}, got {_describe(value)}")
        return value

    def enum(self, name: str, enum_cls: type[E], what: str) -> E:
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"expected a string, got {_describe(value)}")
        try:
            return enum_cls(value)
        except ValueError:
            self.fail(name, f"unknown {what} {value!r} (expected one of: {_choices(enum_cls)})")

    def enum_list(
        self, name: str, enum_cls: type[E], what: str, *, allow_empty: bool = True
    ) -> tuple[E, ...]:
        value = self.raw(name)
        if not isinstance(value, list | tuple):
            self.fail(name, f"expected an array, got {_describe(value)}")
        if not value and not allow_empty:
            self.fail(name, "expected a non-empty array")
        out: list[E] = []
        for index, item in enumerate(value):
            item_key = f"{name}[{index}]"
            if not isinstance(item, str):
                self.fail(item_key, f"expected a string, got {_describe(item)}")
            try:
                member = enum_cls(item)
            except ValueError:
                self.fail(
                    item_key, f"unknown {what} {item!r} (expected one of: {_choices(enum_cls)})"
                )
            if member in out:
                self.fail(item_key, f"duplicate {what} {item!r}")
            out.append(member)
        return tuple(out)

    def clause(self, policy_source: str) -> Clause:
        """The rule header every rule table carries: clause, source, basis."""
        text = self.string("clause", allow_empty=True)
        if text != text.strip():
            self.fail("clause", "has leading or trailing whitespace")
        source = self.string("source")
        if source != policy_source:
            self.fail(
                "source",
                f"expected the profile's policy source {policy_source!r}, got {source!r}",
            )
        basis = self.string("basis", allow_empty=True, default="")
        if not text and not basis.strip():
            self.fail("basis", "the clause is empty (policy silent), so a basis is required")
        return Clause(key=self.path, text=text, source=source, basis=basis)


def _rule(parent: _Table, name: str, keys: Iterable[str]) -> _Table:
    return parent.table(name, (*keys, *_RULE_KEYS))


def parse_profile(data: Mapping[str, object], *, source_name: str) -> PolicyProfile:
    """Validate a parsed profile (a TOML document as a mapping) into a :class:`PolicyProfile`.

    Raises :class:`PolicyProfileError` naming ``source_name``, the dotted key and the problem.
    """
    root = _Table(
        source_name,
        "",
        data,
        (
            "schema_version",
            "profile",
            "verification",
            "corrections",
            "access",
            "mailing",
            "disclosures",
            "children",
            "account_misuse",
            "cases",
            "retention",
        ),
    )
    version = root.integer("schema_version")
    if version != SCHEMA_VERSION:
        root.fail("schema_version", f"unsupported version {version} (expected {SCHEMA_VERSION})")

    head = root.table("profile", ("id", "name", "shop_name", "policy_source", "policy_url"))
    profile_id = head.string("id")
    if not _PROFILE_ID.fullmatch(profile_id):
        head.fail("id", f"expected lowercase words joined by '-', got {profile_id!r}")
    source = head.string("policy_source")
    if not _SOURCE_FILE.fullmatch(source):
        head.fail("policy_source", f"expected a plain .txt file name, got {source!r}")

    verification = _parse_verification(root, source)
    corrections = _parse_corrections(root, source, verification)
    access_t = _rule(root, "access", ("full_report",))
    return PolicyProfile(
        id=profile_id,
        name=head.string("name"),
        shop_name=head.string("shop_name"),
        policy_source=source,
        policy_url=head.string("policy_url", allow_empty=True, default=""),
        verification=verification,
        corrections=corrections,
        access=AccessRules(
            full_report=access_t.boolean("full_report"), clause=access_t.clause(source)
        ),
        mailing=_parse_mailing(root, source),
        disclosures=_parse_disclosures(root, source),
        children=_parse_children(root, source),
        account_misuse=_parse_account_misuse(root, source),
        case_due=_parse_cases(root, source),
        retention=_parse_retention(root, source),
        holiday_calendar=_parse_holiday_calendar(root),
    )


_HOLIDAY_CODE = re.compile(r"[A-Z]{2,3}(-[A-Z0-9]{1,3})?")


def _parse_verification(root: _Table, source: str) -> VerificationRules:
    t = _rule(
        root,
        "verification",
        (
            "question_kinds",
            "expiry_minutes",
            "tolerances",
            "lockout",
            "requests",
            "fields",
            *(level.value for level in VerificationLevel),
        ),
    )
    clause = t.clause(source)
    kinds = t.enum_list("question_kinds", QuestionKind, "question kind", allow_empty=False)
    tol = t.table("tolerances", ("order_date_days", "order_total_cents"))
    tolerances = Tolerances(
        order_date_days=tol.integer("order_date_days", allow_zero=True),
        order_total_cents=tol.integer("order_total_cents", allow_zero=True),
    )
    expiry = t.integer("expiry_minutes")

    levels: dict[VerificationLevel, LevelRequirement] = {}
    previous: LevelRequirement | None = None
    for level in _LEVEL_ORDER:
        lt = t.table(level.value, ("data_points", "affirmation", "affirmation_text"))
        points = lt.integer("data_points", allow_zero=level is VerificationLevel.NONE)
        affirmation = lt.boolean("affirmation")
        text = lt.string("affirmation_text", allow_empty=not affirmation, default="")
        if affirmation and not text:
            lt.fail("affirmation_text", "missing required key (affirmation is true)")
        if previous is not None and points < previous.data_points:
            lt.fail(
                "data_points",
                f"expected at least {previous.data_points} "
                f"({previous.level.value}'s data_points), got {points}",
            )
        if previous is not None and previous.affirmation and not affirmation:
            lt.fail("affirmation", f"must be true, as it is for {previous.level.value}")
        previous = LevelRequirement(level, points, affirmation, text)
        levels[level] = previous
    if levels[VerificationLevel.NONE].data_points != 0:
        t.fail("none.data_points", "expected 0: the none level asks for nothing")

    lock = _rule(t, "lockout", ("max_failures", "window_hours"))
    lockout = LockoutRule(
        max_failures=lock.integer("max_failures"),
        window_hours=lock.integer("window_hours"),
        clause=lock.clause(source),
    )

    requests: dict[RequestType, RequestLevel] = {}
    for request, sub in t.keyed_tables("requests", RequestType, "request type").items():
        rt = _Table(t.source_name, t.key(f"requests.{request.value}"), sub, ("level", *_RULE_KEYS))
        requests[request] = RequestLevel(
            request, rt.enum("level", VerificationLevel, "verification level"), rt.clause(source)
        )

    fields: dict[CorrectableField, FieldLevel] = {}
    fields_t = t.table("fields", (f.value for f in CorrectableField))
    for name in fields_t.data:
        field = CorrectableField(name)  # keys already checked against the enum
        ft = _rule(fields_t, name, ("level", "not_proof"))
        fields[field] = FieldLevel(
            field=field,
            level=ft.enum("level", VerificationLevel, "verification level"),
            not_proof=frozenset(ft.enum_list("not_proof", QuestionKind, "question kind")),
            clause=ft.clause(source),
        )
        rule = fields[field]
        _check_enough_questions(
            t, kinds, levels[rule.level], rule.not_proof, f"correcting {field.value}"
        )
    for request, request_rule in requests.items():
        _check_enough_questions(
            t, kinds, levels[request_rule.level], frozenset(), f"{request.value} requests"
        )

    return VerificationRules(
        clause=clause,
        question_kinds=kinds,
        tolerances=tolerances,
        expiry_minutes=expiry,
        levels=MappingProxyType(levels),
        requests=MappingProxyType(requests),
        fields=MappingProxyType(fields),
        lockout=lockout,
    )


def _check_enough_questions(
    t: _Table,
    kinds: tuple[QuestionKind, ...],
    needed: LevelRequirement,
    excluded: frozenset[QuestionKind],
    context: str,
) -> None:
    """A level must be reachable with the questions left once the corrected field is excluded."""
    usable = [kind for kind in kinds if kind not in excluded]
    if len(usable) < needed.data_points:
        t.fail(
            "question_kinds",
            f"only {len(usable)} usable for {context}, but the {needed.level.value} level "
            f"needs {needed.data_points} data points",
        )


def _parse_corrections(root: _Table, source: str, v: VerificationRules) -> CorrectionRules:
    t = _rule(root, "corrections", ("fields", "evidence_required", "approval", "legal_hold"))
    clause = t.clause(source)
    fields = t.enum_list("fields", CorrectableField, "correctable field", allow_empty=False)
    for index, field in enumerate(fields):
        if field not in v.fields:
            t.fail(
                f"fields[{index}]",
                f"{field.value!r} has no verification.fields.{field.value} table",
            )
    for field in v.fields:
        if field not in fields:
            raise PolicyProfileError(
                t.source_name,
                f"verification.fields.{field.value}",
                f"{field.value!r} is not listed in corrections.fields",
            )
    ap = _rule(t, "approval", ("fields",))
    approval_fields = ap.enum_list("fields", CorrectableField, "correctable field")
    for index, field in enumerate(approval_fields):
        if field not in fields:
            ap.fail(f"fields[{index}]", f"{field.value!r} is not listed in corrections.fields")
    hold = _rule(t, "legal_hold", ("blocks_corrections",))
    return CorrectionRules(
        clause=clause,
        fields=fields,
        evidence_required=t.boolean("evidence_required"),
        approval=SupervisorApprovalRule(frozenset(approval_fields), ap.clause(source)),
        legal_hold=LegalHoldRule(hold.boolean("blocks_corrections"), hold.clause(source)),
    )


def _parse_mailing(root: _Table, source: str) -> MailingRules:
    t = _rule(
        root,
        "mailing",
        ("opt_out_deadline_business_days", "suppression_survives_erasure", "channels"),
    )
    channels: dict[MailingChannel, ChannelRule] = {}
    for channel, sub in t.keyed_tables("channels", MailingChannel, "mailing channel").items():
        ct = _Table(
            t.source_name, t.key(f"channels.{channel.value}"), sub, ("reenrol_sources", *_RULE_KEYS)
        )
        channels[channel] = ChannelRule(
            channel=channel,
            reenrol_sources=frozenset(
                ct.enum_list("reenrol_sources", EnrolmentSource, "enrolment source")
            ),
            clause=ct.clause(source),
        )
    return MailingRules(
        opt_out_deadline_business_days=t.integer("opt_out_deadline_business_days"),
        suppression_survives_erasure=t.boolean("suppression_survives_erasure"),
        clause=t.clause(source),
        channels=MappingProxyType(channels),
    )


_RECIPIENT_KEYS = (
    "legally_compelled_only",
    "instrument_required",
    "instrument_kinds",
    "issuer_must_be_judge",
    "dispute_reference_required",
    "scope",
    *_RULE_KEYS,
)


def _parse_disclosures(root: _Table, source: str) -> DisclosureRules:
    t = _rule(root, "disclosures", ("supervisor_approval", "recipients"))
    recipients: dict[RecipientCategory, RecipientRule] = {}
    for category, sub in t.keyed_tables(
        "recipients", RecipientCategory, "recipient category"
    ).items():
        rt = _Table(t.source_name, t.key(f"recipients.{category.value}"), sub, _RECIPIENT_KEYS)
        rule = RecipientRule(
            category=category,
            legally_compelled_only=rt.boolean("legally_compelled_only"),
            instrument_required=rt.boolean("instrument_required"),
            instrument_kinds=frozenset(
                rt.enum_list("instrument_kinds", InstrumentKind, "instrument kind")
            ),
            issuer_must_be_judge=rt.boolean("issuer_must_be_judge"),
            dispute_reference_required=rt.boolean("dispute_reference_required"),
            scope=rt.enum("scope", DisclosureScope, "disclosure scope"),
            clause=rt.clause(source),
        )
        needs_instrument = rule.legally_compelled_only or rule.issuer_must_be_judge
        if needs_instrument and not rule.instrument_required:
            rt.fail(
                "instrument_required",
                "must be true when legally_compelled_only or issuer_must_be_judge is true",
            )
        if rule.instrument_required and not rule.instrument_kinds:
            rt.fail("instrument_kinds", "expected at least one kind when an instrument is required")
        if rule.scope is DisclosureScope.DISPUTED_ORDERS and not rule.dispute_reference_required:
            rt.fail("dispute_reference_required", "must be true when scope is 'disputed_orders'")
        recipients[category] = rule
    return DisclosureRules(
        supervisor_approval=t.boolean("supervisor_approval"),
        clause=t.clause(source),
        recipients=MappingProxyType(recipients),
    )


def _parse_children(root: _Table, source: str) -> ChildrenRules:
    t = _rule(root, "children", ("age_under", "erasure", "supervisor_approval"))
    return ChildrenRules(
        age_under=t.integer("age_under"),
        erasure=t.boolean("erasure"),
        supervisor_approval=t.boolean("supervisor_approval"),
        clause=t.clause(source),
    )


def _parse_account_misuse(root: _Table, source: str) -> AccountMisuseRules:
    t = _rule(root, "account_misuse", ("opens_case", "flags_account"))
    return AccountMisuseRules(
        opens_case=t.boolean("opens_case"),
        flags_account=t.boolean("flags_account"),
        clause=t.clause(source),
    )


def _parse_holiday_calendar(root: _Table) -> str:
    t = root.table("cases", ("due", "holidays"))
    code = t.string("holidays", allow_empty=True, default="")
    if code and not _HOLIDAY_CODE.fullmatch(code):
        t.fail("holidays", f"expected a country code such as 'US' (or ''), got {code!r}")
    return code


def _parse_cases(root: _Table, source: str) -> Mapping[CaseType, CaseDue]:
    t = root.table("cases", ("due", "holidays"))
    due: dict[CaseType, CaseDue] = {}
    for case_type, sub in t.keyed_tables("due", CaseType, "case type").items():
        dt = _Table(
            t.source_name, t.key(f"due.{case_type.value}"), sub, ("days", "unit", *_RULE_KEYS)
        )
        due[case_type] = CaseDue(
            case_type=case_type,
            days=dt.integer("days"),
            unit=dt.enum("unit", DayUnit, "day unit"),
            clause=dt.clause(source),
        )
    return MappingProxyType(due)


def _parse_retention(root: _Table, source: str) -> RetentionRules:
    t = _rule(root, "retention", ("months",))
    return RetentionRules(months=t.integer("months"), clause=t.clause(source))
