"""Audit actions and their details in people's language: the audit browser, its CSV export and
``csconsole audit list`` show these instead of ``verification.answer_rejected`` and
``key=value`` pairs.

``ACTION_LABELS`` has a label for every action the console writes;
``tests/domain/test_audit_labels.py`` scans the package for the actions passed to the audit
recorders so a new action without a label fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from csconsole.domain.audit_integrity import ACK_ACTION

DetailValue = str | int | float | bool | None

# The ledger pull's own event is named after the shared table it adopted a row of
# (``persistence/replication/shared.py``: f"{spec.name}.adopted_from_ledger").
ADOPTED_SUFFIX = ".adopted_from_ledger"

ACTION_LABELS: Mapping[str, str] = {
    "staff.sign_in": "Signed in",
    "staff.sign_in_failed": "Sign-in failed",
    "staff.sign_in_refused": "Sign-in refused (account locked or inactive)",
    "staff.signed_out": "Signed out",
    "staff.created": "Staff account created",
    "demo.built": "Demo built",
    "demo.rebuilt": "Demo rebuilt (the desk's data replaced)",
    "demo.rebuild_refused": "Demo rebuild refused",
    "staff.role_changed": "Staff role changed",
    "staff.enabled": "Staff account enabled",
    "staff.disabled": "Staff account disabled",
    "staff.password_changed": "Staff password changed",
    "staff.password_reset": "Staff password reset",
    "staff.renamed": "Staff name changed",
    "staff.row_refused": "Staff change refused: signature not valid",
    "decision.refused": "Supervisor decision refused: signature not valid",
    "staff.adopted_from_ledger": "Staff account taken over from the central ledger",
    "customer.search": "Searched customers",
    "customer.view_masked": "Viewed customer (masked)",
    "customer.view_unmasked": "Viewed unmasked data",
    "customer.search_refused": "Customer search refused",
    "customer.view_refused": "Customer view refused",
    "search.refused": "Identifier search refused (searcher stopped)",
    "search.probing_stopped": "Searcher stopped: searches circled one customer",
    "search.probing_cleared": "Search stop lifted by a supervisor",
    "case.opened": "Case opened",
    "case.viewed": "Case viewed",
    "case.note_added": "Case note added",
    "case.status_changed": "Case status changed",
    "account.flag_requested": "Account misuse flagged",
    "verification.started": "Verification started",
    "verification.answer": "Verification answer checked",
    "verification.answer_rejected": "Verification answer rejected",
    "verification.affirmed": "Verification affirmed",
    "verification.level_reached": "Verification level reached",
    "verification.refused": "Verification refused",
    "verification.locked": "Verification locked",
    "verification.unlocked": "Verification unlocked",
    "verification.ended": "Verification ended",
    "sync.conflicts_viewed": "Viewed sync conflicts",
    "sync.conflict_settled": "Sync conflict settled",
    "sync.outbox_settled": "Changes sent to the shop",
    "sync.connection_changed": "Shop connection changed",
    "supervision.queue_viewed": "Viewed the supervisor's queue",
    "audit.browsed": "Browsed the audit trail",
    "audit.exported": "Exported the audit trail",
    ACK_ACTION: "Audit trail break acknowledged",
}

# Detail keys whose plain reading is not just the key with spaces.
_KEY_LABELS: Mapping[str, str] = {
    "actor": "Person",
    "customer_id": "Customer",
    "customer_ids": "Customers",
    "case_id": "Case",
    "case_type": "Case type",
    "due_on": "Due on",
    "lock_id": "Lock",
    "unlock_id": "Unlock",
    "note_id": "Note",
    "outbox_id": "Outbox item",
    "new_outbox_id": "New outbox item",
    "conflict_id": "Conflict",
    "conflict_ids": "Conflicts",
    "verification_id": "Verification",
    "reason_chars": "Reason length (characters)",
    "chars": "Length (characters)",
    "window_hours": "Window (hours)",
    "required_level": "Level needed",
    "query_kind": "Search kind",
    "bad_seq": "Broken at event",
    "since": "From",
    "until": "Until",
    "from": "From",
    "to": "To",
}


def action_label(action: str) -> str:
    """The label of ``action``; an action without one (from a newer desk) reads as itself
    with its words spaced, never as nothing."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return label
    if action.endswith(ADOPTED_SUFFIX):
        table = action.removesuffix(ADOPTED_SUFFIX).replace("_", " ")
        return f"{table.capitalize()} taken over from the central ledger"
    return action.replace("_", " ").replace(".", ": ")


def actions_for_label(label: str) -> tuple[str, ...]:
    """Every action whose label is ``label`` (the browser's action filter goes by label)."""
    return tuple(a for a, text in ACTION_LABELS.items() if text == label)


def key_label(key: str) -> str:
    known = _KEY_LABELS.get(key)
    if known is not None:
        return known
    return key.replace("_", " ").capitalize()


# Details whose values are the console's own words ("no_match", "phone"), read with spaces;
# any other value (a user name, a reason) is shown exactly as recorded.
_WORD_VALUED = frozenset(
    {"result", "resolution", "query_kind", "channel", "case_type", "question", "from", "to"}
)


def value_text(key: str, value: DetailValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and key in _WORD_VALUED and value.isidentifier():
        return value.replace("_", " ")
    return str(value)


def detail_lines(details: Mapping[str, DetailValue]) -> list[str]:
    """One "Label: value" line per detail that has a value, in key order, each in full."""
    return [
        f"{key_label(key)}: {value_text(key, value)}"
        for key, value in sorted(details.items())
        if value is not None
    ]


def details_summary(details: Mapping[str, DetailValue]) -> str:
    """The details on one line, in full (the table's column; wrapped there, never cut)."""
    return "; ".join(detail_lines(details))


def details_full(details: Mapping[str, DetailValue]) -> str:
    """The details one per line (the browser's details pane)."""
    return "\n".join(detail_lines(details)) or "No details recorded."
