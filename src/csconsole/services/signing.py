"""Each person's signing key: an Ed25519 key pair made with their account, the private half
sealed under their password (AES-256-GCM under a key derived by argon2id) in their staff row.
Sign-in unseals it for the people who sign (admins, supervisors); a password change re-seals it.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, replace

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from csconsole.domain.errors import CsConsoleError
from csconsole.domain.signing import SignedStaffRow, sign, staff_row_bytes

_AAD = b"csconsole.staff-key.v1"


class KeyUnsealError(CsConsoleError):
    """The sealed signing key does not open with this password (or is damaged)."""


@dataclass(frozen=True, slots=True)
class SealCost:
    """argon2id's cost for the sealing key (tests pass a cheap one)."""

    time_cost: int = 2
    memory_kib: int = 19 * 1024
    parallelism: int = 1


def _derive(password: str, salt: bytes, cost: SealCost) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seal(key: Ed25519PrivateKey, password: str, cost: SealCost | None = None) -> str:
    """``v1$t$m$p$salt$nonce$ciphertext``: everything needed to open it with the password."""
    cost = cost or SealCost()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    sealed = AESGCM(_derive(password, salt, cost)).encrypt(nonce, raw, _AAD)
    parts = ["v1", str(cost.time_cost), str(cost.memory_kib), str(cost.parallelism)]
    return "$".join([*parts, _b64(salt), _b64(nonce), _b64(sealed)])


def unseal(sealed: str, password: str) -> Ed25519PrivateKey:
    try:
        version, t, m, p, salt, nonce, body = sealed.split("$")
        if version != "v1":
            raise ValueError(version)
        cost = SealCost(int(t), int(m), int(p))
        key = _derive(password, base64.b64decode(salt), cost)
        raw = AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(body), _AAD)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, InvalidTag) as error:
        raise KeyUnsealError("signing key: does not open with this password") from error


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def signed_row(row: SignedStaffRow, signer: str, key: Ed25519PrivateKey) -> SignedStaffRow:
    """``row`` signed by ``signer`` (user name) with ``key``."""
    unsigned = replace(row, signed_by=signer, signature=None)
    return replace(unsigned, signature=sign(key, staff_row_bytes(unsigned)))
