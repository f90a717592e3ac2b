"""Two threads appending audit events at once never fork or duplicate the chain."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console


def test_concurrent_appends_keep_one_chain(paths: Paths, secret_store: KeyringSecretStore) -> None:
    console = Console.open(paths, secret_store, create=True)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(40):
                with console.uow() as uow:
                    # Read something first, as a use case would, then append.
                    uow.staff.count()
                    uow.audit.append(
                        at=datetime.now(UTC),
                        actor=name,
                        role="rep",
                        action="test.event",
                        details={"i": i},
                    )
                    uow.commit()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        report = console.audit_trail.verify()
        assert report.ok
        assert report.events == 120
    finally:
        console.close()
