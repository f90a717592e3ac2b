"""Policy profiles: parsing, validation messages, and the two shipped profiles."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from csconsole.domain.policy import (
    CaseType,
    Clause,
    CorrectableField,
    DayUnit,
    DisclosureScope,
    EnrolmentSource,
    InstrumentKind,
    MailingChannel,
    PolicyProfile,
    PolicyProfileError,
    QuestionKind,
    RecipientCategory,
    RequestType,
    VerificationLevel,
    clause_is_verbatim,
    clauses_in,
    parse_profile,
    stricter,
    verify_clauses,
)

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "resources" / "policies"
SOURCES = POLICIES / "sources"
SEEDS = ROOT.parent / "shared" / "seeds"
DN = "diamond-nexus"
NDO = "national-diamond-outlet"
DN_SOURCE = "000_5ba5cd399a0d7eef.txt"
NDO_SOURCE = "003_7701b70a64036384.txt"


def _raw(name: str) -> dict[str, Any]:
    return tomllib.loads((POLICIES / f"{name}.toml").read_text(encoding="utf-8"))


def _profile(name: str) -> PolicyProfile:
    return parse_profile(_raw(name), source_name=f"{name}.toml")


def _walk(data: dict[str, Any], dotted: str) -> tuple[dict[str, Any], str]:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data[part]
    return data, last


def _with(name: str, dotted: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(_raw(name))
    table, key = _walk(data, dotted)
    table[key] = value
    return data


def _with_all(name: str, changes: dict[str, object]) -> dict[str, Any]:
    data = copy.deepcopy(_raw(name))
    for dotted, value in changes.items():
        table, key = _walk(data, dotted)
        table[key] = value
    return data


def _without(name: str, dotted: str) -> dict[str, Any]:
    data = copy.deepcopy(_raw(name))
    table, key = _walk(data, dotted)
    del table[key]
    return data


def _error(data: dict[str, Any], source_name: str = "p.toml") -> PolicyProfileError:
    with pytest.raises(PolicyProfileError) as info:
        parse_profile(data, source_name=source_name)
    return info.value


# --- shipped profiles ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source"), [(DN, DN_SOURCE), (NDO, NDO_SOURCE)])
def test_shipped_profile_parses_and_every_clause_is_verbatim(name: str, source: str) -> None:
    profile = _profile(name)
    assert profile.id == name
    assert profile.policy_source == source
    policy_text = (SOURCES / source).read_text(encoding="utf-8")
    verify_clauses(profile, policy_text, source_name=f"{name}.toml")  # raises if not
    clauses = profile.clauses()
    assert len(clauses) == 36  # with search_probing
    assert all(clause.source == source for clause in clauses)
    quoted = [clause for clause in clauses if clause.text]
    assert quoted, "a profile quotes its policy somewhere"
    for clause in quoted:
        assert clause_is_verbatim(clause.text, policy_text), clause.key
    for clause in clauses:
        if not clause.text:
            assert clause.basis.strip(), f"{clause.key}: silent policy needs a basis"
            assert clause.is_silent


def _rule_tables(table: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every table in a raw profile that carries a clause, with its dotted path."""
    found = [(path, table)] if "clause" in table else []
    for key, value in table.items():
        if isinstance(value, dict):
            found += _rule_tables(value, f"{path}.{key}" if path else key)
    return found


@pytest.mark.parametrize(("name", "source"), [(DN, DN_SOURCE), (NDO, NDO_SOURCE)])
def test_every_clause_in_the_raw_file_is_verbatim(name: str, source: str) -> None:
    # Independent of the parser: walk the raw TOML and check every "clause" found.
    policy_text = (SOURCES / source).read_text(encoding="utf-8")
    rules = _rule_tables(_raw(name))
    assert len(rules) == 36
    for path, table in rules:
        assert table["source"] == source, path
        if table["clause"]:
            assert clause_is_verbatim(table["clause"], policy_text), path
        else:
            assert table["basis"].strip(), path
    assert {clause.key for clause in _profile(name).clauses()} == {path for path, _ in rules}


def test_both_files_have_the_same_shape() -> None:
    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {key: shape(sub) for key, sub in value.items()}
        return type(value).__name__

    assert shape(_raw(DN)) == shape(_raw(NDO))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are only present in the workspace")
@pytest.mark.parametrize("source", [DN_SOURCE, NDO_SOURCE])
def test_packaged_policy_texts_are_exact_copies_of_the_seeds(source: str) -> None:
    assert (SOURCES / source).read_bytes() == (SEEDS / source).read_bytes()


@pytest.mark.parametrize("name", [DN, NDO])
def test_common_rules_from_the_design(name: str) -> None:
    p = _profile(name)
    v = p.verification
    assert v.question_kinds == tuple(QuestionKind)
    assert (v.tolerances.order_date_days, v.tolerances.order_total_cents) == (3, 100)
    tol = v.tolerances
    assert (tol.item_word_score, tol.item_answer_words, tol.item_extra_words) == (85, 10, 1)
    assert (v.lockout.max_failures, v.lockout.window_hours) == (3, 24)
    assert v.expiry_minutes == 30
    assert v.requirement(VerificationLevel.NONE).data_points == 0
    standard = v.requirement(VerificationLevel.STANDARD)
    assert (standard.data_points, standard.affirmation) == (2, False)
    high = v.requirement(VerificationLevel.HIGH)
    assert (high.data_points, high.affirmation) == (3, True)
    assert high.affirmation_text

    assert v.level_for(RequestType.MAILING_OPT_OUT) is VerificationLevel.NONE
    assert v.level_for(RequestType.ACCESS) is VerificationLevel.STANDARD
    assert v.level_for(RequestType.DATA_COPY) is VerificationLevel.HIGH
    assert v.level_for(RequestType.ERASURE) is VerificationLevel.HIGH
    name_and_address = [CorrectableField.NAME, CorrectableField.POSTAL_ADDRESS]
    assert v.level_for(RequestType.CORRECTION, name_and_address) is VerificationLevel.STANDARD
    assert v.level_for(RequestType.CORRECTION, [CorrectableField.EMAIL]) is VerificationLevel.HIGH
    assert (
        v.level_for(RequestType.CORRECTION, [CorrectableField.NAME, CorrectableField.PHONE])
        is VerificationLevel.HIGH
    )
    # The field being corrected never counts as proof.
    assert QuestionKind.EMAIL not in v.proof_questions([CorrectableField.EMAIL])
    assert QuestionKind.PHONE not in v.proof_questions([CorrectableField.PHONE])
    assert QuestionKind.EMAIL in v.proof_questions([CorrectableField.PHONE])

    c = p.corrections
    assert set(c.fields) == set(CorrectableField)
    assert c.approval.fields == {CorrectableField.EMAIL, CorrectableField.PHONE}
    assert c.needs_supervisor(CorrectableField.EMAIL)
    assert not c.needs_supervisor(CorrectableField.POSTAL_ADDRESS)
    assert c.legal_hold.blocks_corrections
    assert c.evidence_required

    m = p.mailing
    assert set(m.channels) == set(MailingChannel)
    assert m.opt_out_deadline_business_days == 10
    assert m.suppression_survives_erasure
    assert m.may_reenrol(MailingChannel.CATALOG, EnrolmentSource.CATALOG_REQUEST)

    assert set(p.disclosures.recipients) == set(RecipientCategory)
    assert p.disclosures.supervisor_approval

    assert p.account_misuse.opens_case
    assert p.account_misuse.flags_account
    assert (p.children.age_under, p.children.erasure) == (13, True)
    assert p.children.supervisor_approval

    assert set(p.case_due) == set(CaseType)
    assert (p.case_due[CaseType.ACCESS].days, p.case_due[CaseType.ACCESS].unit) == (
        45,
        DayUnit.CALENDAR,
    )
    assert p.case_due[CaseType.CORRECTION].days == 45
    opt_out = p.case_due[CaseType.MAILING_OPT_OUT]
    assert (opt_out.days, opt_out.unit) == (10, DayUnit.BUSINESS)
    assert p.retention.months == 24
    assert p.search_probing.thresholds.near_misses_per_stem == 6
    assert p.search_probing.thresholds.window_minutes == 30


def test_diamond_nexus_specific_rules() -> None:
    p = _profile(DN)
    assert p.shop_name == "Diamond Nexus"
    m = p.mailing
    assert m.may_reenrol(MailingChannel.EMAIL, EnrolmentSource.CONTEST_ENTRY)
    assert m.may_reenrol(MailingChannel.EMAIL, EnrolmentSource.PROMO_REQUEST)
    assert not m.may_reenrol(MailingChannel.EMAIL, EnrolmentSource.NEWSLETTER_SIGNUP)
    assert "enters another contest" in m.channels[MailingChannel.EMAIL].clause.text
    # Anything beyond order fulfilment only as a legally compelled release.
    for rule in p.disclosures.recipients.values():
        assert rule.legally_compelled_only
        assert rule.instrument_required
        assert InstrumentKind.CHARGEBACK_DISPUTE not in rule.instrument_kinds
        assert rule.scope is DisclosureScope.REQUESTED
    assert "except to the extent necessary" in p.disclosures.clause.text
    assert "under 13" in p.children.clause.text


def test_national_diamond_outlet_specific_rules() -> None:
    p = _profile(NDO)
    assert p.shop_name == "National Diamond Outlet"
    recipients = p.disclosures.recipients
    government = recipients[RecipientCategory.GOVERNMENT]
    assert government.issuer_must_be_judge
    assert government.instrument_required
    assert "such as a judge" in government.clause.text
    card = recipients[RecipientCategory.CARD_COMPANY]
    assert card.dispute_reference_required
    assert card.scope is DisclosureScope.DISPUTED_ORDERS
    assert card.instrument_kinds == {InstrumentKind.CHARGEBACK_DISPUTE}
    assert not any(rule.legally_compelled_only for rule in recipients.values())
    # NDO says nothing about children: an explicit silence, with the practice followed instead.
    assert p.children.clause.is_silent
    assert "COPPA" in p.children.clause.basis
    assert "unauthorized use of password or account" in p.account_misuse.clause.text
    assert "save the information for legal purposes" in p.corrections.legal_hold.clause.text


# --- malformed profiles -------------------------------------------------------------------------


def test_example_message_from_the_issue() -> None:
    data = _with(NDO, "verification.high.data_points", "three")
    error = _error(data, source_name="national-diamond-outlet.toml")
    assert str(error) == (
        "national-diamond-outlet.toml: verification.high.data_points: "
        "expected a positive integer, got 'three'"
    )
    assert error.key == "verification.high.data_points"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            _without(DN, "verification.high.data_points"),
            "p.toml: verification.high.data_points: missing required key",
            id="missing-key",
        ),
        pytest.param(
            _without(DN, "retention"),
            "p.toml: retention: missing required key",
            id="missing-table",
        ),
        pytest.param(
            _with(DN, "verification", "strict"),
            "p.toml: verification: expected a table, got 'strict'",
            id="table-wrong-type",
        ),
        pytest.param(
            _with(DN, "children.erasure", "yes"),
            "p.toml: children.erasure: expected true or false, got 'yes'",
            id="bool-wrong-type",
        ),
        pytest.param(
            _with(DN, "search_probing.near_misses_per_stem", 2),
            "p.toml: search_probing.near_misses_per_stem: expected at least 3, got 2",
            id="probing-threshold-too-low",
        ),
        pytest.param(
            _with(DN, "search_probing.window_minutes", 2000),
            "p.toml: search_probing.window_minutes: expected at most 1440, got 2000",
            id="probing-window-too-long",
        ),
        pytest.param(
            _with(DN, "retention.months", True),
            "p.toml: retention.months: expected a positive integer, got true",
            id="bool-is-not-an-integer",
        ),
        pytest.param(
            _with(DN, "verification.lockout.max_failures", -1),
            "p.toml: verification.lockout.max_failures: expected a positive integer, got -1",
            id="negative-number",
        ),
        pytest.param(
            _with(DN, "verification.tolerances.order_total_cents", -100),
            "p.toml: verification.tolerances.order_total_cents: "
            "expected a non-negative integer, got -100",
            id="negative-tolerance",
        ),
        pytest.param(
            _with(DN, "verification.tolerances.item_word_score", 30),
            "p.toml: verification.tolerances.item_word_score: "
            "expected 50 to 100 (a rapidfuzz ratio), got 30",
            id="item-score-too-loose",
        ),
        pytest.param(
            _with(DN, "verification.tolerances.item_extra_words", 10),
            "p.toml: verification.tolerances.item_extra_words: "
            "expected fewer than item_answer_words (10), got 10",
            id="item-answer-all-extra",
        ),
        pytest.param(
            _with(DN, "verification.expiry_minutes", 0),
            "p.toml: verification.expiry_minutes: expected a positive integer, got 0",
            id="zero-expiry",
        ),
        pytest.param(
            _with(DN, "cases.due.access.days", 4.5),
            "p.toml: cases.due.access.days: expected a positive integer, got 4.5",
            id="float-days",
        ),
        pytest.param(
            _with(DN, "profile.name", ""),
            "p.toml: profile.name: expected a non-empty string",
            id="empty-string",
        ),
        pytest.param(
            _with(DN, "verification.requests.access.level", "medium"),
            "p.toml: verification.requests.access.level: unknown verification level 'medium' "
            "(expected one of: none, standard, high)",
            id="unknown-level",
        ),
        pytest.param(
            _with(DN, "cases.due.access.unit", "fortnight"),
            "p.toml: cases.due.access.unit: unknown day unit 'fortnight' "
            "(expected one of: calendar, business)",
            id="unknown-day-unit",
        ),
        pytest.param(
            _with(DN, "verification.question_kinds", ["email", "phone", "shoe_size"]),
            "p.toml: verification.question_kinds[2]: unknown question kind 'shoe_size'",
            id="unknown-question-kind",
        ),
        pytest.param(
            _with(DN, "corrections.fields", ["name", "postal_address", "email", "email"]),
            "p.toml: corrections.fields[3]: duplicate correctable field 'email'",
            id="duplicate-list-item",
        ),
        pytest.param(
            _with(DN, "verification.question_kinds", "email"),
            "p.toml: verification.question_kinds: expected an array, got 'email'",
            id="list-wrong-type",
        ),
        pytest.param(
            _with(
                DN,
                "disclosures.recipients.journalist",
                _raw(DN)["disclosures"]["recipients"]["court"],
            ),
            "p.toml: disclosures.recipients.journalist: unknown recipient category 'journalist'",
            id="unknown-recipient-category",
        ),
        pytest.param(
            _without(DN, "disclosures.recipients.court"),
            "p.toml: disclosures.recipients.court: missing required recipient category",
            id="missing-recipient-category",
        ),
        pytest.param(
            _without(DN, "verification.requests.erasure"),
            "p.toml: verification.requests.erasure: missing required request type",
            id="missing-request-type",
        ),
        pytest.param(
            _without(DN, "cases.due.inquiry"),
            "p.toml: cases.due.inquiry: missing required case type",
            id="missing-case-type",
        ),
        pytest.param(
            _with(DN, "mailing.channels.sms", {"reenrol_sources": []}),
            "p.toml: mailing.channels.sms: unknown mailing channel 'sms'",
            id="unknown-channel",
        ),
        pytest.param(
            _with(DN, "verification.high.data_point", 3),
            "p.toml: verification.high.data_point: unknown key (expected one of: "
            "affirmation, affirmation_text, data_points)",
            id="unknown-key-typo",
        ),
        pytest.param(
            _with_all(DN, {"children.clause": "", "children.basis": " "}),
            "p.toml: children.basis: the clause is empty (policy silent), so a basis is required",
            id="silent-without-basis",
        ),
        pytest.param(
            _with(DN, "retention.source", NDO_SOURCE),
            f"p.toml: retention.source: expected the profile's policy source '{DN_SOURCE}', "
            f"got '{NDO_SOURCE}'",
            id="clause-from-another-policy",
        ),
        pytest.param(
            _with(DN, "access.clause", " you can access "),
            "p.toml: access.clause: has leading or trailing whitespace",
            id="clause-padded",
        ),
        pytest.param(
            _with(DN, "profile.policy_source", "../../etc/passwd"),
            "p.toml: profile.policy_source: expected a plain .txt file name",
            id="policy-source-path",
        ),
        pytest.param(
            _with(DN, "profile.id", "Diamond Nexus"),
            "p.toml: profile.id: expected lowercase words joined by '-'",
            id="bad-profile-id",
        ),
        pytest.param(
            _with(DN, "schema_version", 2),
            "p.toml: schema_version: unsupported version 2 (expected 1)",
            id="schema-version",
        ),
        pytest.param(
            _with(DN, "verification.high.data_points", 1),
            "p.toml: verification.high.data_points: expected at least 2 "
            "(standard's data_points), got 1",
            id="levels-out-of-order",
        ),
        pytest.param(
            _with(DN, "verification.none.data_points", 1),
            "p.toml: verification.none.data_points: expected 0",
            id="none-level-asks-something",
        ),
        pytest.param(
            _without(DN, "verification.high.affirmation_text"),
            "p.toml: verification.high.affirmation_text: missing required key",
            id="affirmation-without-text",
        ),
        pytest.param(
            _with(DN, "verification.question_kinds", ["email", "phone", "billing_postcode"]),
            "p.toml: verification.question_kinds: only 2 usable for correcting email, "
            "but the high level needs 3 data points",
            id="too-few-questions",
        ),
        pytest.param(
            _with(DN, "corrections.fields", ["name", "postal_address", "email"]),
            "p.toml: verification.fields.phone: 'phone' is not listed in corrections.fields",
            id="field-level-without-correction",
        ),
        pytest.param(
            _without(DN, "verification.fields.phone"),
            "p.toml: corrections.fields[3]: 'phone' has no verification.fields.phone table",
            id="correction-without-field-level",
        ),
        pytest.param(
            _with(NDO, "disclosures.recipients.card_company.dispute_reference_required", False),
            "p.toml: disclosures.recipients.card_company.dispute_reference_required: "
            "must be true when scope is 'disputed_orders'",
            id="disputed-orders-without-reference",
        ),
        pytest.param(
            _with(DN, "disclosures.recipients.court.instrument_required", False),
            "p.toml: disclosures.recipients.court.instrument_required: must be true",
            id="compelled-without-instrument",
        ),
        pytest.param(
            _with(NDO, "disclosures.recipients.attorney.instrument_kinds", []),
            "p.toml: disclosures.recipients.attorney.instrument_kinds: expected at least one kind",
            id="instrument-without-kinds",
        ),
        pytest.param(
            _with(DN, "disclosures.recipients.court.scope", "everything"),
            "p.toml: disclosures.recipients.court.scope: unknown disclosure scope 'everything'",
            id="unknown-scope",
        ),
    ],
)
def test_malformed_profile_names_the_key(data: dict[str, Any], message: str) -> None:
    error = _error(data)
    assert str(error).startswith(message), str(error)
    assert error.source_name == "p.toml"
    assert str(error) == f"p.toml: {error.key}: {error.problem}"


def test_a_clause_not_in_the_policy_is_refused_with_its_key() -> None:
    data = _with(DN, "children.clause", "we never collect information from anyone under 13")
    profile = parse_profile(data, source_name="dn.toml")
    policy_text = (SOURCES / DN_SOURCE).read_text(encoding="utf-8")
    with pytest.raises(PolicyProfileError) as info:
        verify_clauses(profile, policy_text, source_name="dn.toml")
    assert info.value.key == "children.clause"
    assert str(info.value).startswith(
        f"dn.toml: children.clause: not found verbatim in {DN_SOURCE}"
    )


def test_a_dn_clause_is_not_accepted_in_the_ndo_profile() -> None:
    dn_clause = _raw(DN)["children"]["clause"]
    data = _with(NDO, "children.clause", dn_clause)
    profile = parse_profile(data, source_name="ndo.toml")
    policy_text = (SOURCES / NDO_SOURCE).read_text(encoding="utf-8")
    with pytest.raises(PolicyProfileError, match=r"^ndo\.toml: children\.clause: not found"):
        verify_clauses(profile, policy_text, source_name="ndo.toml")


def test_parse_does_not_mutate_its_input_and_results_are_read_only() -> None:
    data = _raw(NDO)
    before = copy.deepcopy(data)
    profile = parse_profile(data, source_name="ndo.toml")
    assert data == before
    with pytest.raises(TypeError):
        profile.case_due[CaseType.ACCESS] = profile.case_due[CaseType.INQUIRY]  # type: ignore[index]
    with pytest.raises(AttributeError):
        profile.id = "other"  # type: ignore[misc]


# --- helpers ------------------------------------------------------------------------------------


def test_clause_is_verbatim_normalises_whitespace_only() -> None:
    policy = "We will NOT share,\n  sell, or trade\u00a0any data.\n"
    assert clause_is_verbatim("We will NOT share, sell, or trade any data.", policy)
    assert clause_is_verbatim("  share,   sell ", policy)
    assert not clause_is_verbatim("we will not share, sell, or trade any data.", policy)  # case
    assert not clause_is_verbatim("We will NOT share sell, or trade any data.", policy)  # comma
    assert not clause_is_verbatim("We will NOT share, sell, or trade any data!", policy)
    assert not clause_is_verbatim("", policy)
    assert not clause_is_verbatim("   \n", policy)


def test_verification_levels_order() -> None:
    assert VerificationLevel.HIGH.satisfies(VerificationLevel.STANDARD)
    assert VerificationLevel.STANDARD.satisfies(VerificationLevel.STANDARD)
    assert not VerificationLevel.STANDARD.satisfies(VerificationLevel.HIGH)
    assert (
        VerificationLevel.NONE.rank < VerificationLevel.STANDARD.rank < VerificationLevel.HIGH.rank
    )
    assert stricter(VerificationLevel.NONE, VerificationLevel.HIGH) is VerificationLevel.HIGH
    assert stricter() is VerificationLevel.NONE


def test_clause_citation() -> None:
    quoted = Clause(key="k", text="we may reject", source="x.txt", basis="practice")
    assert quoted.citation() == '"we may reject" (x.txt); basis: practice'
    silent = Clause(key="k", text="", source="x.txt", basis="CCPA §7101")
    assert silent.is_silent
    assert silent.citation() == "x.txt is silent on this; basis: CCPA §7101"


# --- the verbatim check finds every rule type's clauses by itself ---------------------------------


@dataclass(frozen=True, slots=True)
class _NewsletterRule:
    """A rule type no list in the policy package names: its clauses must be checked all the same."""

    frequency_days: int
    clause: Clause


@dataclass(frozen=True, slots=True)
class _NewsletterRules:
    clause: Clause
    by_channel: Mapping[MailingChannel, _NewsletterRule]


@dataclass(frozen=True, slots=True)
class _ProfileWithNewsletter(PolicyProfile):
    newsletter: _NewsletterRules | None = None


def _with_newsletter(profile: PolicyProfile, nested_text: str) -> _ProfileWithNewsletter:
    source = profile.policy_source
    rules = _NewsletterRules(
        clause=Clause("newsletter", "", source, basis="the shop's own practice"),
        by_channel=MappingProxyType(
            {
                MailingChannel.EMAIL: _NewsletterRule(
                    7, Clause("newsletter.by_channel.email", nested_text, source)
                )
            }
        ),
    )
    kept = {field.name: getattr(profile, field.name) for field in dataclasses.fields(profile)}
    return _ProfileWithNewsletter(**kept, newsletter=rules)


def test_a_new_rule_table_with_a_clause_not_in_the_text_fails_the_check() -> None:
    policy_text = (SOURCES / DN_SOURCE).read_text(encoding="utf-8")
    profile = _with_newsletter(_profile(DN), "we send our newsletter every week")
    assert len(profile.clauses()) == 38
    with pytest.raises(PolicyProfileError) as info:
        verify_clauses(profile, policy_text, source_name="dn.toml")
    assert info.value.key == "newsletter.by_channel.email.clause"


def test_a_new_rule_table_quoting_the_text_passes_the_check() -> None:
    policy_text = (SOURCES / DN_SOURCE).read_text(encoding="utf-8")
    quoted = _raw(DN)["children"]["clause"]
    verify_clauses(_with_newsletter(_profile(DN), quoted), policy_text, source_name="dn.toml")


def test_clauses_in_walks_fields_mappings_and_sequences_in_order() -> None:
    first, second, third = (Clause(key, "", "x.txt", basis="b") for key in ("a", "b", "c"))
    nested = _NewsletterRules(
        first, MappingProxyType({MailingChannel.EMAIL: _NewsletterRule(1, second)})
    )
    assert list(clauses_in((nested, [third], "not a clause", 3))) == [first, second, third]
    assert list(clauses_in(frozenset({third, first}))) == [first, third]
