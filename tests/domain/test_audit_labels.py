"""Every audit action the console writes has a label in people's language, and details read in
full. The actions are collected from the source: the action argument of every call of the
audit recorders (``services/audit.py``), resolved through module constants."""

from __future__ import annotations

import ast
from pathlib import Path

import csconsole
from csconsole.domain.audit_integrity import ACK_ACTION
from csconsole.domain.audit_labels import (
    ACTION_LABELS,
    action_label,
    actions_for_label,
    details_full,
    details_summary,
)
from csconsole.persistence.ledger.tables import SHARED

PACKAGE = Path(csconsole.__file__).parent
# name -> positional index of action; ``_change`` is AuthService's signed staff change, whose
# callers name the action.
RECORDERS = {"record": 3, "record_system_event": None, "self._change": 2}
# Calls whose action is a parameter passed through, each covered another way below.
PASS_THROUGH = {
    ("persistence/replication/ledger_sync.py", "action"): "the ledger pull's audit callback",
    ("services/auth.py", "action"): "AuthService._change, whose callers are scanned",
}


def _constants(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _choices(value: ast.expr, names: dict[str, str] | None = None) -> set[str] | None:
    """The strings an expression of constants, named module constants and conditionals of them
    can be (None: anything else)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    if isinstance(value, ast.Name) and names is not None and value.id in names:
        return {names[value.id]}
    if isinstance(value, ast.IfExp):
        body, orelse = _choices(value.body, names), _choices(value.orelse, names)
        return body | orelse if body is not None and orelse is not None else None
    return None


def _local_choices(tree: ast.Module) -> dict[str, set[str]]:
    """Names assigned only constants or conditionals of them anywhere in the module."""
    found: dict[str, set[str]] = {}
    bad: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    choices = _choices(node.value)
                    if choices is None:
                        bad.add(target.id)
                    else:
                        found.setdefault(target.id, set()).update(choices)
    return {name: values for name, values in found.items() if name not in bad}


def _written_actions() -> tuple[set[str], list[str]]:
    trees = {
        path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in PACKAGE.rglob("*.py")
    }
    constants: dict[str, str] = {}
    for tree in trees.values():
        constants.update(_constants(tree))
    actions: set[str] = set()
    unresolved: list[str] = []
    for module, tree in trees.items():
        local = _local_choices(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            if (
                module == "services/auth.py"
                and isinstance(func, ast.Attribute)
                and func.attr == "_change"
            ):
                name = "self._change"
            if name not in RECORDERS:
                continue
            position = RECORDERS[name]
            arg: ast.expr | None = next(
                (kw.value for kw in node.keywords if kw.arg == "action"), None
            )
            if arg is None and position is not None and len(node.args) > position:
                arg = node.args[position]
            if arg is None:
                continue
            if (choices := _choices(arg, constants)) is not None:
                actions |= choices
            elif isinstance(arg, ast.Name) and arg.id in local:
                actions |= local[arg.id]
            elif isinstance(arg, ast.Name) and arg.id in constants:
                actions.add(constants[arg.id])
            elif isinstance(arg, ast.Name) and (module, arg.id) in PASS_THROUGH:
                continue
            else:
                unresolved.append(f"{module}:{node.lineno}")
    return actions, unresolved


def test_every_written_action_has_a_label() -> None:
    actions, unresolved = _written_actions()
    assert not unresolved, f"audit actions the scan cannot read (use a constant): {unresolved}"
    # The scan really finds the recorders' actions (it is not vacuous).
    assert {"customer.view_unmasked", "verification.answer_rejected", "staff.sign_in"} <= actions
    missing = sorted(actions - set(ACTION_LABELS))
    assert not missing, f"audit actions without a label in domain/audit_labels.py: {missing}"


def test_the_acknowledgement_and_the_ledger_adoptions_have_labels() -> None:
    assert ACK_ACTION in ACTION_LABELS  # written by the audit log itself
    for table in SHARED:
        assert f"{table}.adopted_from_ledger" in ACTION_LABELS


def test_labels_are_unique_so_the_filter_by_label_is_exact() -> None:
    labels = list(ACTION_LABELS.values())
    assert len(labels) == len(set(labels))
    assert actions_for_label("Viewed unmasked data") == ("customer.view_unmasked",)


def test_labels_read_as_people_say_them() -> None:
    assert action_label("customer.view_unmasked") == "Viewed unmasked data"
    assert action_label("verification.answer_rejected") == "Verification answer rejected"
    # An action from a newer desk still reads as words, never as nothing.
    assert action_label("refund.issued_twice") == "refund: issued twice"
    assert action_label("order.adopted_from_ledger") == "Order taken over from the central ledger"


def test_details_are_shown_in_full() -> None:
    long_reason = "Caller asked twice; " * 30
    details = {
        "question": "email",
        "result": "no_match",
        "verification_id": 12,
        "reason": long_reason,
        "across_desks": True,
        "note": None,
        "username": "jane_doe",
    }
    summary = details_summary(details)
    assert f"Reason: {long_reason}" in summary  # never cut off
    assert "Result: no match" in summary
    assert "Username: jane_doe" in summary  # recorded values stay as recorded
    assert "Across desks: yes" in summary
    assert "Note" not in summary
    lines = details_full(details).splitlines()
    assert lines[0] == "Across desks: yes"
    assert "Verification: 12" in lines
    assert details_full({}) == "No details recorded."
