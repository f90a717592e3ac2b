"""``python -m tests.push.sync_proc SHOP_URL LEDGER_URL``: the push half of ``csconsole sync``
(the very function the sync runner's push hook calls), in a process of its own so a test can
kill it with SIGKILL anywhere (``CSCONSOLE_KILL_AT``, see ``services/checkpoints.py``).
``python -m tests.push.sync_proc --sync``: the whole of ``csconsole sync`` (``Console.sync``:
the pull, then the push hook) on the connection saved in the settings.

The console's home is ``CSCONSOLE_HOME``; its keyring the file ``CSCONSOLE_TEST_KEYRING``.
Prints the reports as JSON; exits 1 when the push or the ledger sync reported an error.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from sqlalchemy import create_engine

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from tests.push.file_keyring import FileKeyring


def main(shop_url: str, ledger_url: str) -> int:
    console = Console.open(Paths.from_environment(), KeyringSecretStore(FileKeyring()))
    shop = create_engine(shop_url)
    ledger = create_engine(ledger_url)
    try:
        pushed, replicated = console.sync.push(shop=shop, ledger=ledger)
    finally:
        shop.dispose()
        ledger.dispose()
        console.close()
    out = {"push": asdict(pushed) if pushed else None}
    out["ledger"] = asdict(replicated) if replicated else None
    print(json.dumps(out))
    return 1 if (pushed and pushed.error) or (replicated and replicated.error) else 0


def whole_sync() -> int:
    console = Console.open(Paths.from_environment(), KeyringSecretStore(FileKeyring()))
    try:
        report = console.sync.run()
    finally:
        console.close()
    pushed, replicated = report.push
    out = {"status": report.status, "kind": report.kind, "push": asdict(pushed)}
    out["ledger"] = asdict(replicated)
    print(json.dumps(out))
    return 1 if report.status != "ok" or pushed.error or replicated.error else 0


if __name__ == "__main__":
    if sys.argv[1] == "--sync":
        sys.exit(whole_sync())
    sys.exit(main(sys.argv[1], sys.argv[2]))
