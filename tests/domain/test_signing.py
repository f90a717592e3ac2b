"""The pure parts of signed staff rows: canonical bytes, signatures, who may sign what, the
chain of trust back to the root; and the sealed key (services/signing.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from csconsole.domain import signing
from csconsole.domain.signing import SignedStaffRow
from csconsole.services.signing import KeyUnsealError, SealCost, new_key, seal, signed_row, unseal

CHEAP = SealCost(time_cost=1, memory_kib=1024, parallelism=1)


def row(username: str, role: str, key: Ed25519PrivateKey) -> SignedStaffRow:
    return SignedStaffRow(
        username, username.title(), role, "$argon2id$x", True,
        signing.public_key_text(key), None, None, None,
    )  # fmt: skip


def staff() -> tuple[list[SignedStaffRow], dict[str, Ed25519PrivateKey]]:
    keys = {name: new_key() for name in ("root", "admin2", "rep")}
    root = signed_row(row("root", "admin", keys["root"]), "root", keys["root"])
    admin2 = signed_row(row("admin2", "admin", keys["admin2"]), "root", keys["root"])
    rep = signed_row(row("rep", "rep", keys["rep"]), "admin2", keys["admin2"])
    return [root, admin2, rep], keys


def test_a_chain_of_admins_back_to_the_root_is_trusted() -> None:
    rows, _ = staff()
    root = signing.root_of(rows, None)
    assert root == rows[0].public_key
    assert signing.refusals(rows, root) == {}
    assert signing.refusals(list(reversed(rows)), root) == {}  # order does not matter


def test_any_change_outside_the_console_breaks_the_signature() -> None:
    rows, _ = staff()
    root = signing.root_of(rows, None)
    for change in ({"role": "admin"}, {"password_hash": "$argon2id$y"}, {"active": False}):
        forged = [rows[0], rows[1], replace(rows[2], **change)]
        assert signing.refusals(forged, root) == {"rep": "staff row signature does not verify"}


def test_a_rep_signs_no_staff_row_and_a_stranger_is_no_root() -> None:
    rows, keys = staff()
    root = signing.root_of(rows, None)
    x = new_key()
    by_rep = signed_row(row("x", "admin", x), "rep", keys["rep"])
    assert signing.refusals([*rows, by_rep], root) == {
        "x": "staff row signed by a rep, not an admin"
    }
    stranger = new_key()
    own = signed_row(row("mallory", "admin", stranger), "mallory", stranger)
    assert "mallory" in signing.refusals([*rows, own], root)
    unsigned = replace(rows[2], signature=None, signed_by=None)
    assert signing.refusals([rows[0], unsigned], root)["rep"].endswith("before signed staff rows)")


def test_demoting_the_signer_distrusts_what_they_signed() -> None:
    rows, keys = staff()
    root = signing.root_of(rows, None)
    demoted = signed_row(replace(rows[1], role="rep"), "root", keys["root"])
    assert set(signing.refusals([rows[0], demoted, rows[2]], root)) == {"rep"}


def test_decisions_need_a_supervisor_or_an_admin() -> None:
    rows, keys = staff()
    data = signing.decision_bytes("x", {"a": 1})
    sig = signing.sign(keys["rep"], data)
    assert signing.decision_refusal(data, rows[2], sig) == (
        "decision signed by a rep, not a supervisor or admin"
    )
    sig = signing.sign(keys["admin2"], data)
    assert signing.decision_refusal(data, rows[1], sig) is None
    assert signing.decision_refusal(data + b" ", rows[1], sig) == (
        "decision signature does not verify"
    )
    assert signing.decision_refusal(data, None, sig) is not None
    assert signing.decision_refusal(data, rows[1], None) == "decision has no signature"


def test_the_sealed_key_opens_only_with_its_password() -> None:
    key = new_key()
    sealed = seal(key, "a-long-password-1", CHEAP)
    assert "a-long-password-1" not in sealed
    opened = unseal(sealed, "a-long-password-1")
    assert signing.public_key_text(opened) == signing.public_key_text(key)
    with pytest.raises(KeyUnsealError, match="does not open"):
        unseal(sealed, "another-password")
    with pytest.raises(KeyUnsealError):
        unseal("v1$garbage", "a-long-password-1")
