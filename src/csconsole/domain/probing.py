"""The search-probing tripwire's rule: a person whose identifier searches keep narrowing in on one
customer is stopped.

Search finds identifiers only whole (``domain/lookup.py``), so a prober learns nothing from a
miss; the tripwire stops them before the misses add up to a guess. What is kept of a search is a
:class:`TraceEntry`: keyed hashes of its identifier "stems" (the last four digits of a digit
string, the first three letters of an address), of the whole identifier, and which customers
came back; never the text. Growing an email letter by letter or a phone digit by digit keeps the
same stem, so near misses on one stem are what the rule counts.

Pure: no I/O (hashlib and hmac only).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import MatchKind, ParsedQuery, parse_query
from csconsole.domain.text import digits_only, fold

# Every count threshold is at least this, and the window at most MAX_WINDOW_MINUTES, so a
# person with fewer identifier searches than this in that long cannot trip the rule (the
# service skips loading the profile for them: ``csconsole search`` stays lean).
MIN_COUNT = 3
MAX_WINDOW_MINUTES = 24 * 60
MAX_HITS = 50  # customers kept per traced search (a page of results)
STEM_DIGITS = 4
STEM_LETTERS = 3
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[\s'\-][^\W\d_]+)*")
_IDENTIFIER_KINDS = frozenset(
    {
        MatchKind.EMAIL,
        MatchKind.EMAIL_LOCAL,
        MatchKind.ORDER_NUMBER,
        MatchKind.PHONE,
        MatchKind.POSTCODE,
        MatchKind.PHONE_ENDING,
    }
)


@dataclass(frozen=True, slots=True)
class ProbingThresholds:
    """When the tripwire fires (the profile's ``[search_probing]``)."""

    window_minutes: int = 30
    # Identifier searches that found nobody by the identifier, sharing one stem.
    near_misses_per_stem: int = 6
    # Identifier searches that found nobody by the identifier, in all.
    near_misses: int = 20
    # Distinct identifiers that found the same customer.
    identifiers_per_customer: int = 5


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """What is kept of one identifier search (keys are keyed hashes, never the text)."""

    at: datetime
    key: str
    stems: frozenset[str]
    near_miss: bool
    identifier_hits: tuple[int, ...]
    hits: tuple[int, ...]
    # A keyed hash of the folded text: a next search that extends it was the same typing.
    text_key: str = ""


@dataclass(frozen=True, slots=True)
class ProbingVerdict:
    """The rule fired: why (one line, no personal data) and the customer circled, if known."""

    reason: str
    customer_id: int | None
    searches: int
    # The keyed stem the searches circled (None when they did not share one), and the
    # customers they came back with, most often first: the service picks among these the one
    # whose own identifiers have that stem (:func:`customer_stems`).
    stem: str | None = None
    candidates: tuple[int, ...] = ()


def _keyed(salt: bytes, value: str) -> str:
    return hmac.new(salt, value.encode(), hashlib.sha256).hexdigest()[:32]


def stems_of(query: ParsedQuery) -> frozenset[str]:
    """The parts a growing prefix or ending keeps: the last four digits of a digit string, the
    first three letters of an address (or of the part before its @)."""
    stems: set[str] = set()
    digits = digits_only(query.text)
    if len(digits) >= STEM_DIGITS and (
        query.phone_suffixes or query.order_number or query.postcode
    ):
        stems.add("d:" + digits[-STEM_DIGITS:])
    local = query.email.partition("@")[0] if query.email else query.email_local
    if len(local) >= STEM_LETTERS:
        stems.add("e:" + local[:STEM_LETTERS])
    elif query.email:
        stems.add("e:@" + query.email.partition("@")[2][:STEM_LETTERS])
    return frozenset(stems)


def _text(query: ParsedQuery) -> str:
    return fold(query.text)


def continues(query: ParsedQuery, previous_text_key: str, salt: bytes) -> bool:
    """Whether ``query``'s text extends the text of the search keyed ``previous_text_key``: the
    window settles while a rep types what a caller spells ("jane.smith@ex", then
    "jane.smith@example.org"), and that is one search, not two near misses. A prober's
    alternatives at one position ("jane.a", "jane.b") extend no one another, and count."""
    text = _text(query)
    return any(
        hmac.compare_digest(_keyed(salt, "t:" + text[:n]), previous_text_key)
        for n in range(1, len(text))
    )


def customer_stems(email: str | None, phones: Iterable[str | None], salt: bytes) -> frozenset[str]:
    """The keyed stems a customer's own identifiers have: what near misses on them share."""
    stems: set[str] = set()
    for value in (email, *phones):
        if value:
            stems |= stems_of(parse_query(value))
    return frozenset(_keyed(salt, s) for s in stems)


def _by_count(entries: Sequence[TraceEntry]) -> tuple[int, ...]:
    counts: Counter[int] = Counter(cid for e in entries for cid in e.hits)
    return tuple(sorted(counts, key=lambda cid: (-counts[cid], cid)))


def trace_of(
    query: ParsedQuery, hits: Sequence[CustomerHit], at: datetime, salt: bytes
) -> TraceEntry | None:
    """The trace of a settled search, or None for a name that found nobody. A name search is
    kept only for whom it found (the customer a prober named before circling their email)."""
    if not query.is_identifier:
        if not hits:
            return None
        return TraceEntry(
            at=at,
            key="",
            stems=frozenset(),
            near_miss=False,
            identifier_hits=(),
            hits=tuple(h.customer_id for h in hits[:MAX_HITS]),
            text_key=_keyed(salt, "t:" + _text(query)),
        )
    identifier_hits = tuple(h.customer_id for h in hits if h.matched_on in _IDENTIFIER_KINDS)
    # A plain word ("jane") is a name as typed, even if it could be the part before an @; one
    # with dots, digits or an @ ("jane.smith7") is an address guess, found by name or not.
    plain_name = bool(query.name_tokens) and _PLAIN_NAME.fullmatch(query.text) is not None
    whole = query.email or query.email_local or "".join(query.phone_whole) or query.text
    return TraceEntry(
        at=at,
        key=_keyed(salt, "k:" + whole.casefold()),
        stems=frozenset(_keyed(salt, s) for s in stems_of(query)),
        near_miss=not identifier_hits and not plain_name,
        identifier_hits=identifier_hits[:MAX_HITS],
        hits=tuple(h.customer_id for h in hits[:MAX_HITS]),
        text_key=_keyed(salt, "t:" + _text(query)),
    )


def in_window(
    entries: Iterable[TraceEntry], now: datetime, rule: ProbingThresholds
) -> list[TraceEntry]:
    since = now - timedelta(minutes=rule.window_minutes)
    return [e for e in entries if since < e.at <= now]


def _circled(entries: Sequence[TraceEntry]) -> int | None:
    """The customer these searches came back with most, identifier hits first."""
    for identifier_only in (True, False):
        counts: Counter[int] = Counter(
            cid for e in entries for cid in (e.identifier_hits if identifier_only else e.hits)
        )
        if counts:
            return min(counts, key=lambda cid: (-counts[cid], cid))
    return None


def probing_verdict(
    entries: Iterable[TraceEntry], now: datetime, rule: ProbingThresholds
) -> ProbingVerdict | None:
    """Whether one person's traced searches (any order) trip the rule at ``now``."""
    recent = in_window(entries, now, rule)
    misses = [e for e in recent if e.near_miss]
    per_stem = Counter(stem for e in misses for stem in e.stems)
    if per_stem:
        stem, count = per_stem.most_common(1)[0]
        if count >= rule.near_misses_per_stem:
            on_stem = [e for e in recent if stem in e.stems]
            return ProbingVerdict(
                f"{count} near-miss identifier searches on one identifier within "
                f"{rule.window_minutes} minutes",
                _circled(on_stem) or _circled(recent),
                len(recent),
                stem=stem,
                candidates=_by_count(recent),
            )
    if len(misses) >= rule.near_misses:
        return ProbingVerdict(
            f"{len(misses)} identifier searches that found nobody within "
            f"{rule.window_minutes} minutes",
            _circled(recent),
            len(recent),
        )
    keys: dict[int, set[str]] = {}
    for e in recent:
        for cid in e.identifier_hits:
            keys.setdefault(cid, set()).add(e.key)
    for cid, found_by in sorted(keys.items()):
        if len(found_by) >= rule.identifiers_per_customer:
            return ProbingVerdict(
                f"{len(found_by)} different identifiers of one customer searched within "
                f"{rule.window_minutes} minutes",
                cid,
                len(recent),
            )
    return None
