"""Every audit event goes through ``services/audit.py``: ``record`` (and
``record_acknowledgement``) check the signed-in person's staff row first; ``record_system_event``
is the explicit path for events no session stands behind, and each of its callers is listed
here with the reason. A new direct appender, or a new unchecked caller, fails this test."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

import csconsole
from csconsole.domain.errors import PermissionDenied, SessionEnded
from csconsole.domain.staff import Role
from csconsole.persistence.repositories.outbox import SqlOutboxQueue
from csconsole.services.outbox import ItemResult, PushOutcome, Resolution
from csconsole.services.ports import OutboxItem
from tests.casework import JANE, CaseWorld, audit_rows

PACKAGE = Path(csconsole.__file__).parent

# Method names of the audit log that append an event (services.ports.AuditLog,
# services.case_ports.AuditIntegrity). The log's ``append`` is keyword-only, so a call of
# ``append`` with keywords is an event; ``list.append`` takes none.
APPEND_METHODS = {"append", "append_acknowledgement"}
# The ORM row of an event, or the SQL that inserts one: only in the audit log's one writer.
EVENT_MODEL = "AuditEvent"
EVENT_INSERT = "insert into audit_event"

# (module, function) -> why it may append directly.
APPENDERS = {
    ("services/audit.py", "record"): "the checked path",
    ("services/audit.py", "record_acknowledgement"): "the checked path, for a break's ack",
    ("services/audit.py", "record_system_event"): "the named path without a session",
}
EVENT_WRITERS = {
    ("persistence/repositories/audit_log.py", "<module>"): "the chain's writer's INSERT",
}
SYSTEM_EVENT_CALLERS = {
    ("services/auth.py", "AuthService.sign_in"): "sign-in attempts: no session yet",
    ("services/auth.py", "AuthService.still_signed_in"): "the forced sign-out of a stale session",
    ("services/auth.py", "AuthService.bootstrap_staff"): "the first accounts of an empty cache",
    ("services/auth.py", "AuthService.add_staff"): "only for the first account (no session)",
    ("services/sync_access.py", "SyncAccess.record_connection"): "set-up before staff exist",
    ("persistence/repositories/outbox.py", "SqlOutboxQueue.record"): "a push's own summary",
    ("persistence/replication/ledger_sync.py", "LedgerReplicator._pull.audit"): "a ledger pull",
    ("persistence/replication/ledger_sync.py", "LedgerReplicator._refused"): "rows refused",
    ("services/demo_rebuild.py", "DemoRebuildService._record_refusal"): "a refusal, no sign-in",
    ("services/demo_rebuild.py", "DemoRebuildService.record_built"): "a demo build's marker",
}


@dataclass(frozen=True, slots=True)
class Site:
    module: str
    function: str  # dotted qualified name of the enclosing def ("<module>" at top level)
    line: int
    what: str


class _Scanner(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.appends: list[Site] = []
        self.writers: list[Site] = []
        self.system_calls: list[Site] = []

    def _site(self, node: ast.AST, what: str) -> Site:
        function = ".".join(self.scope) or "<module>"
        return Site(self.module, function, getattr(node, "lineno", 0), what)

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = _scoped
    visit_FunctionDef = _scoped
    visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        appends = isinstance(func, ast.Attribute) and func.attr in APPEND_METHODS
        if appends and (name != "append" or node.keywords):
            self.appends.append(self._site(node, ast.unparse(func)))
        if name == EVENT_MODEL:
            self.writers.append(self._site(node, EVENT_MODEL))
        if name == "record_system_event":
            self.system_calls.append(self._site(node, name))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and EVENT_INSERT in " ".join(node.value.lower().split()):
            self.writers.append(self._site(node, "INSERT"))


def scan(source: str, module: str) -> _Scanner:
    scanner = _Scanner(module)
    scanner.visit(ast.parse(source))
    return scanner


def scan_package() -> _Scanner:
    total = _Scanner("")
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        found = scan(path.read_text(encoding="utf-8"), module)
        total.appends += found.appends
        total.writers += found.writers
        total.system_calls += found.system_calls
    return total


def _unlisted(sites: list[Site], allowed: dict[tuple[str, str], str]) -> list[Site]:
    return [s for s in sites if (s.module, s.function) not in allowed]


def test_only_services_audit_appends_events() -> None:
    found = scan_package()
    assert _unlisted(found.appends, APPENDERS) == []
    assert _unlisted(found.writers, EVENT_WRITERS) == []
    # Every listed site still exists (a stale entry would let a new one in under its name).
    assert {(s.module, s.function) for s in found.appends} == set(APPENDERS)
    assert {(s.module, s.function) for s in found.writers} == set(EVENT_WRITERS)


def test_every_event_without_a_session_is_a_listed_system_event() -> None:
    found = scan_package()
    assert _unlisted(found.system_calls, SYSTEM_EVENT_CALLERS) == []
    assert {(s.module, s.function) for s in found.system_calls} == set(SYSTEM_EVENT_CALLERS)


def test_the_scan_finds_a_direct_appender() -> None:
    """The scan can fail: a use case appending on its own is found, ``list.append`` is not."""
    source = """
class SomeService:
    def act(self, uow, session, items):
        items.append(1)
        uow.audit.append(at=now, actor=session.staff.username, role="rep", action="x")
        uow.audit_integrity.append_acknowledgement(at=now, actor="a", role="r", details={})

    def write(self, s):
        s.add(AuditEvent(seq=1))
        record_system_event(s.audit, at=now, actor="x", action="y")

    def write_sql(self, conn):
        conn.execute("INSERT INTO  audit_event (seq) VALUES (1)")
"""
    found = scan(source, "services/some.py")
    assert [(s.function, s.what) for s in found.appends] == [
        ("SomeService.act", "uow.audit.append"),
        ("SomeService.act", "uow.audit_integrity.append_acknowledgement"),
    ]
    assert [s.function for s in found.writers] == ["SomeService.write", "SomeService.write_sql"]
    assert _unlisted(found.appends, APPENDERS) == found.appends
    assert _unlisted(found.system_calls, SYSTEM_EVENT_CALLERS) == found.system_calls


# --- behaviour: a role revoked on another desk (a sync rewrote the staff row) -----------------


def make_conflict(world: CaseWorld) -> int:
    """A correction of JANE's email that the shop refused (it holds another value now)."""
    console = world.console
    with console.uow() as uow:
        outbox_id = uow.outbox.enqueue(
            OutboxItem(
                kind="correction",
                entity="customer",
                entity_key=str(JANE),
                changes={"email": "new@example.org"},
                expected={"email": "old@example.org"},
                idempotency_key="corr:jane:email",
            )
        )
        uow.commit()
    queue = SqlOutboxQueue(console.engine, console.uow, actor="desk")
    shop_now = {"email": "shop@example.org"}
    queue.record([ItemResult(outbox_id, PushOutcome.CONFLICT, shop_now)], world.clock.now())
    with console.uow() as uow:
        [conflict] = uow.outbox.open_conflicts()
    return conflict.conflict_id


def revoke(world: CaseWorld, username: str, role: str = "rep") -> None:
    """What a sync does when another desk changed the person's role in the central ledger: the
    cache's staff row changes under a session signed in before. Signed by the admin, as the
    row that arrives from the ledger is; the admin's own demotion is written directly (no
    sign-in follows it)."""
    if username != "admin":
        auth = world.console.auth
        auth.set_role(world.session("admin"), username, Role(role))
        return
    with world.console.engine.begin() as conn:
        conn.execute(
            text("UPDATE staff SET role = :r WHERE username = :u"), {"r": role, "u": username}
        )


def test_a_supervisor_whose_role_was_revoked_cannot_settle_a_conflict(world: CaseWorld) -> None:
    conflict_id = make_conflict(world)
    supervisor = world.session("supervisor")
    conflicts = world.console.conflicts
    assert [c.conflict_id for c in conflicts.open(supervisor)] == [conflict_id]
    revoke(world, "supervisor")
    before = audit_rows(world.console)
    with pytest.raises(SessionEnded, match="Sign in again"):
        conflicts.settle(supervisor, conflict_id, Resolution.APPLY_MINE)
    with pytest.raises(SessionEnded):
        conflicts.open(supervisor)
    # Nothing recorded: no event, the conflict still open, no change queued again.
    assert audit_rows(world.console) == before
    with world.console.uow() as uow:
        assert [c.conflict_id for c in uow.outbox.open_conflicts()] == [conflict_id]
        assert uow.outbox.conflict(conflict_id).settled is False  # type: ignore[union-attr]
    with world.console.engine.connect() as conn:
        queued = conn.execute(text("SELECT count(*) FROM outbox")).scalar()
    assert queued == 1
    # Signed in again with the role they hold now, they are refused as a rep.
    with pytest.raises(PermissionDenied):
        conflicts.settle(world.session("supervisor"), conflict_id, Resolution.KEEP_SHOP)


def test_a_current_supervisor_settles_and_it_is_recorded_under_their_name(
    world: CaseWorld,
) -> None:
    """The other side of the test above: the checked path records when the session is current."""
    conflict_id = make_conflict(world)
    supervisor = world.session("supervisor")
    assert world.console.conflicts.settle(supervisor, conflict_id, Resolution.KEEP_SHOP) is None
    settled = [r for r in audit_rows(world.console) if r[0] == "sync.conflict_settled"]
    assert settled == [
        (
            "sync.conflict_settled",
            JANE,
            None,
            {
                "conflict_id": conflict_id,
                "outbox_id": 1,
                "resolution": "keep_shop",
                "new_outbox_id": None,
            },
        )
    ]


def test_a_revoked_supervisor_cannot_acknowledge_a_broken_trail(world: CaseWorld) -> None:
    supervisor = world.session("supervisor")
    revoke(world, "supervisor")  # (signed, so before the trail breaks: nothing records after)
    with world.console.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET details = '{}' WHERE seq = 2"))
    assert world.console.audit_trail.verify().needs_acknowledgement
    with pytest.raises(SessionEnded):
        world.console.audit_trail.acknowledge(supervisor, "reviewed the edit")
    assert world.console.audit_trail.status().needs_acknowledgement  # still refused


def test_a_revoked_admin_cannot_add_staff(world: CaseWorld) -> None:
    admin = world.session("admin")
    revoke(world, "admin")
    with pytest.raises(SessionEnded):
        world.console.auth.create_staff(
            "newrep", "New Rep", Role.REP, "a-long-password", created_by=admin
        )
    with world.console.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM staff WHERE username = 'newrep'")).scalar() == 0
        )
