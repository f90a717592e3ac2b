"""Verification rules: the levels, what each takes, which request and which corrected field
needs which level, the questions, their tolerances, and the lockout after wrong answers."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import RULE_KEYS, ProfileTable, rule_table


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
    """How close an answer must be. For "something you bought": a word of the answer counts as
    a word of the item at ``item_word_score`` (rapidfuzz ratio, 0-100) or more; an answer names
    one item in at most ``item_answer_words`` words, of which at most ``item_extra_words`` may
    belong to no word of that item (so a list of keywords names nothing)."""

    order_date_days: int
    order_total_cents: int
    item_word_score: int
    item_answer_words: int
    item_extra_words: int


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
    lockout: LockoutRule
    requests: Mapping[RequestType, RequestLevel]
    fields: Mapping[CorrectableField, FieldLevel]

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


def parse_verification(root: ProfileTable, source: str) -> VerificationRules:
    t = rule_table(
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
    tol = t.table(
        "tolerances",
        (
            "order_date_days",
            "order_total_cents",
            "item_word_score",
            "item_answer_words",
            "item_extra_words",
        ),
    )
    tolerances = Tolerances(
        order_date_days=tol.integer("order_date_days", allow_zero=True),
        order_total_cents=tol.integer("order_total_cents", allow_zero=True),
        item_word_score=tol.integer("item_word_score"),
        item_answer_words=tol.integer("item_answer_words"),
        item_extra_words=tol.integer("item_extra_words", allow_zero=True),
    )
    if not 50 <= tolerances.item_word_score <= 100:
        # Below 50 nearly any two words of the same length are "the same word".
        tol.fail(
            "item_word_score",
            f"expected 50 to 100 (a rapidfuzz ratio), got {tolerances.item_word_score}",
        )
    if tolerances.item_extra_words >= tolerances.item_answer_words:
        tol.fail(
            "item_extra_words",
            f"expected fewer than item_answer_words ({tolerances.item_answer_words}), "
            f"got {tolerances.item_extra_words}",
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

    lock = rule_table(t, "lockout", ("max_failures", "window_hours"))
    lockout = LockoutRule(
        max_failures=lock.integer("max_failures"),
        window_hours=lock.integer("window_hours"),
        clause=lock.clause(source),
    )

    requests: dict[RequestType, RequestLevel] = {}
    for request, sub in t.keyed_tables("requests", RequestType, "request type").items():
        rt = ProfileTable(
            t.source_name, t.key(f"requests.{request.value}"), sub, ("level", *RULE_KEYS)
        )
        requests[request] = RequestLevel(
            request, rt.enum("level", VerificationLevel, "verification level"), rt.clause(source)
        )

    fields: dict[CorrectableField, FieldLevel] = {}
    fields_t = t.table("fields", (f.value for f in CorrectableField))
    for name in fields_t.data:
        field = CorrectableField(name)  # keys already checked against the enum
        ft = rule_table(fields_t, name, ("level", "not_proof"))
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
    t: ProfileTable,
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
