"""Find a customer while the rep types: exact identifiers first, then names, typos tolerated."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from csconsole.domain.customers import CustomerHit, CustomerRow, CustomerSummary
from csconsole.domain.lookup import MatchKind, ParsedQuery, parse_query, whole_phone_forms
from csconsole.domain.text import fold
from csconsole.services.ports import CustomerLookup

DEFAULT_LIMIT = 50
# Names are ranked within a bounded candidate set: ranking all FTS hits costs too much at 1M.
NAME_CANDIDATES = 100
FUZZY_MIN_SCORE = 75.0
FUZZY_VARIANTS = 4
# A prefix this short matches too much to be worth typo correction.
FUZZY_MIN_TOKEN = 3


@dataclass(slots=True)
class _Ranked:
    """Best reading per customer; hits (and their masking) are built only for the final page."""

    best: dict[int, tuple[MatchKind, float, CustomerRow]] = field(default_factory=dict)

    def add(self, row: CustomerRow, kind: MatchKind, score: float) -> None:
        old = self.best.get(row.customer_id)
        if old is None or (kind, -score) < (old[0], -old[1]):
            self.best[row.customer_id] = (kind, score, row)

    def add_all(self, rows: Iterable[CustomerRow], kind: MatchKind, score: float) -> None:
        for row in rows:
            self.add(row, kind, score)

    def ordered(self, limit: int) -> list[CustomerHit]:
        top = sorted(
            self.best.values(),
            key=lambda b: (b[0], -b[1], b[2].last_name, b[2].first_name, b[2].customer_id),
        )[:limit]
        return [CustomerHit.from_row(row, kind, score) for kind, score, row in top]


@dataclass(frozen=True, slots=True)
class _NameVocabulary:
    """The name index's distinct words, and the same words by (length, first letter)."""

    words: list[str]
    buckets: dict[tuple[int, str], list[str]]

    @classmethod
    def of(cls, words: Iterable[str]) -> _NameVocabulary:
        listed = list(words)
        buckets: dict[tuple[int, str], list[str]] = {}
        for word in listed:
            buckets.setdefault((len(word), word[:1]), []).append(word)
        return cls(listed, buckets)


class SearchService:
    """Read-only search over the local cache. Results are masked (see ``CustomerHit``)."""

    def __init__(
        self, lookup: CustomerLookup, *, default_region: str = "US", limit: int = DEFAULT_LIMIT
    ) -> None:
        self._lookup = lookup
        self._region = default_region
        self._limit = limit
        # The worker thread loads the vocabulary, the sync thread forgets it: the generation
        # (under the lock) tells a load whether a forget happened while it read.
        self._vocabulary_lock = threading.Lock()
        self._vocabulary_generation = 0
        self._vocabulary: _NameVocabulary | None = None

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, default_region=self._region)

    def search(self, text: str) -> list[CustomerHit]:
        """Every reading of ``text``, merged; never raises on odd input."""
        query = self.parse(text)
        if query.is_empty:
            return []
        limit = self._limit
        ranked = _Ranked()
        look = self._lookup
        # Identifiers only whole (domain/lookup.py): no prefix and no longer ending finds anyone.
        if query.email:
            ranked.add_all(look.by_email(query.email, limit), MatchKind.EMAIL, 100.0)
        if query.email_local:
            ranked.add_all(
                look.by_email_local(query.email_local, limit), MatchKind.EMAIL_LOCAL, 100.0
            )
        if query.order_number:
            for row, _number in look.by_order_number(query.order_number, limit):
                ranked.add(row, MatchKind.ORDER_NUMBER, 100.0)
        wanted = set(query.phone_whole)
        for suffix in query.phone_suffixes:
            for row, _digits in look.by_phone_suffix(suffix, limit):
                if not query.phone_full:
                    ranked.add(row, MatchKind.PHONE_ENDING, 100.0)
                elif wanted.intersection(self._whole_forms(row)):
                    ranked.add(row, MatchKind.PHONE, 100.0)
        if query.postcode:
            ranked.add_all(look.by_postcode(query.postcode, limit), MatchKind.POSTCODE, 100.0)
        if query.name_tokens:
            self._search_names(query.name_tokens, ranked, limit)
        return ranked.ordered(limit)

    def _whole_forms(self, row: CustomerRow) -> tuple[str, ...]:
        """The stored phone's whole forms, read in its address's country when that is known."""
        country = (row.country or "").upper()
        region = country if len(country) == 2 and country.isalpha() else self._region
        return whole_phone_forms(row.phone or "", region)

    def _search_names(self, tokens: Sequence[str], ranked: _Ranked, limit: int) -> None:
        wanted = " ".join(tokens)
        rows = self._lookup.by_name_tokens([[t] for t in tokens], NAME_CANDIDATES)
        if rows:
            self._rank_names(rows, wanted, ranked, MatchKind.NAME)
            return
        # Nothing starts with what was typed: widen each token to its closest spellings.
        groups = [self._variants(t) for t in tokens]
        if any(len(g) > 1 for g in groups):
            extra = self._lookup.by_name_tokens(groups, NAME_CANDIDATES)
            self._rank_names(extra, wanted, ranked, MatchKind.NAME_FUZZY)

    @staticmethod
    def _rank_names(
        rows: Sequence[CustomerRow], wanted: str, ranked: _Ranked, kind: MatchKind
    ) -> None:
        for row in rows:
            name = fold(f"{row.first_name} {row.last_name}")
            score = float(fuzz.token_sort_ratio(wanted, name))
            ranked.add(row, kind, score)

    def _variants(self, token: str) -> list[str]:
        """The token itself plus the closest spellings of it in the name index."""
        if len(token) < FUZZY_MIN_TOKEN:
            return [token]
        # fuzz.ratio >= 75 is impossible beyond this length difference, and a misspelt name
        # almost always keeps its first letter or swaps the first two: only those buckets.
        spread = max(1, len(token) // 3)
        buckets = self.vocabulary_buckets()
        initials = dict.fromkeys(token[:2])
        candidates: list[str] = []
        for n in range(len(token) - spread, len(token) + spread + 1):
            for initial in initials:
                candidates.extend(buckets.get((n, initial), ()))
        matches = process.extract(
            token,
            candidates,
            scorer=fuzz.ratio,
            limit=FUZZY_VARIANTS,
            score_cutoff=FUZZY_MIN_SCORE,
        )
        return [token, *(m[0] for m in matches if m[0] != token)]

    def vocabulary(self) -> list[str]:
        """Distinct folded name tokens, loaded once per service (it changes only on sync)."""
        return self._loaded_vocabulary().words

    def vocabulary_buckets(self) -> dict[tuple[int, str], list[str]]:
        """The vocabulary by (length, first letter)."""
        return self._loaded_vocabulary().buckets

    def forget_vocabulary(self) -> None:
        """Call after a sync changed names (from any thread). A load under way keeps what it
        read for its own search but does not store it: the next search loads again."""
        with self._vocabulary_lock:
            self._vocabulary_generation += 1
            self._vocabulary = None

    def _loaded_vocabulary(self) -> _NameVocabulary:
        with self._vocabulary_lock:
            loaded, generation = self._vocabulary, self._vocabulary_generation
        if loaded is not None:
            return loaded
        # Read outside the lock (it takes a while on a large cache); stored only if no sync
        # forgot the vocabulary meanwhile, since the words read may be from before that sync.
        loaded = _NameVocabulary.of(self._lookup.name_vocabulary())
        with self._vocabulary_lock:
            if generation == self._vocabulary_generation:
                self._vocabulary = loaded
        return loaded

    def summary(self, customer_id: int) -> CustomerSummary | None:
        return self._lookup.summary(customer_id)
