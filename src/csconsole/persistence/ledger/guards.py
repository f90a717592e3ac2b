"""What a desk's database role may do in the central ledger on PostgreSQL: the SQL of the group
role's privileges and of the triggers behind them (ledger revision l0007).

Every desk connects with its own login role, a member of the ledger's group role
(``group_role_name``), and ``csconsole_desk_role`` says which workstation (and, from its first
push, which audit chain) that login speaks for. The group may SELECT everything a sync reads and
INSERT what a desk appends; it has no DELETE or TRUNCATE anywhere, and UPDATE only where the
replication code itself updates rows. The triggers narrow that UPDATE to what the code does and
tie every inserted row to the desk:

- ``chain`` (audit events, desk heads): insert only, under the desk's own workstation and chain
  id; ``replication.chain`` never updates or deletes them.
- ``owned`` (cases, notes, verification records): insert under the desk's own ``origin``; update
  only the desk's own rows, never their key nor the columns listed as fixed (``push_owned``
  re-sends a row whole: a case's status changes, a replayed batch repeats the same content, and
  a staff id re-pointed by the pull changes a note's ``author_id``; a note's text never changes).
- ``shared`` (staff): insert at version 1; update only to version + 1 of the same id, stamped
  with the desk's workstation (``push_shared``'s optimistic check; the signatures that say *who*
  may change staff are checked above this, in the application).
- ``clock``: the one row's revision only ever moves up by one (``state.next_rev``).
- ``append`` (applied idempotency keys): insert only.

Roles that are not desk roles (the owner running migrations, the shop's admin) pass the
triggers untouched; a member of the group that no desk is granted to is refused everything.
The trigger functions run as their owner (``SECURITY DEFINER``, fixed ``search_path``) so the
desk needs no access to the mapping table. Errors are one line, SQLSTATE 42501, naming the role,
the table and the column, never a row's values.

The table list is frozen at l0007: a later migration that adds a central table grants and
guards it with ``table_statements``.
"""

# ruff: noqa: S608 - names put into SQL here are constants or quoted (quote_ident, quote_literal)
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["chain", "owned", "shared", "clock", "append"]

GROUP_PREFIX = "csconsole_desk_"
_MAX_NAME = 63  # PostgreSQL's identifier length
DESK_ROLE_TABLE = "csconsole_desk_role"


@dataclass(frozen=True, slots=True)
class Guarded:
    table: str
    kind: Kind
    fixed: tuple[str, ...] = ()  # owned: columns a desk may never change once written


GUARDED: tuple[Guarded, ...] = (
    Guarded("csconsole_audit_event", "chain"),
    Guarded("csconsole_desk_head", "chain"),
    Guarded("csconsole_ledger_applied", "append"),
    Guarded("csconsole_ledger_clock", "clock"),
    Guarded("csconsole_staff", "shared"),
    Guarded("csconsole_case_record", "owned", ("origin", "id", "opened_at")),
    Guarded("csconsole_case_note", "owned", ("origin", "id", "case_id", "at", "text")),
    Guarded(
        "csconsole_verification_session",
        "owned",
        ("origin", "id", "case_id", "customer_id", "started_at"),
    ),
    Guarded(
        "csconsole_verification_attempt",
        "owned",
        ("origin", "id", "session_id", "customer_id", "at", "question_kind", "result"),
    ),
    Guarded("csconsole_verification_lock", "owned", ("origin", "id", "customer_id", "locked_at")),
    Guarded(
        "csconsole_verification_unlock",
        "owned",
        (
            "origin",
            "id",
            "customer_id",
            "unlocked_at",
            "effective_at",
            "reason",
            "lock_origin",
            "lock_id",
        ),
    ),
)
READ_ONLY = ("csconsole_ledger_version",)  # is_current() reads it before every sync
SERIAL = (("csconsole_staff", "id"),)  # push_shared advances it after an explicit id

_PRIVILEGES: dict[Kind, str] = {
    "chain": "SELECT, INSERT",
    "append": "SELECT, INSERT",
    "owned": "SELECT, INSERT, UPDATE",
    "shared": "SELECT, INSERT, UPDATE",
    "clock": "SELECT, UPDATE",
}
_FUNCTIONS: dict[Kind, str] = {
    "chain": "csconsole_guard_chain",
    "append": "csconsole_guard_append",
    "owned": "csconsole_guard_owned",
    "shared": "csconsole_guard_shared",
    "clock": "csconsole_guard_clock",
}
TRIGGER = "csconsole_desk_guard"
TRUNCATE_TRIGGER = "csconsole_desk_guard_truncate"


def bounded_name(name: str) -> str:
    """A role name of at most 63 characters: long ones keep a hash of the whole."""
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: _MAX_NAME - 11]}_{digest}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "x"


def group_role_name(database: str) -> str:
    """The ledger's group role: one per database, so a desk of one shop's ledger reads nothing
    of another ledger on the same server (roles are server-wide, privileges per database)."""
    return bounded_name(GROUP_PREFIX + slug(database))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a SQL literal cannot hold a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _function(name: str, returns: str, body: str, schema: str, args: str = "") -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {returns} LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = {quote_ident(schema)}, pg_temp AS $guard$\n"
        f"{body}\n$guard$"
    )


# The guards' refusals: (message, its % arguments), one line each, never a row's values.
_MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "unmapped": (
        "database role % is a desk role but no desk is granted to it (csconsole ledger grant-desk)",
        ("session_user",),
    ),
    "no_chain": (
        "desk role % must name its audit chain (column desk) in %",
        ("d.role_name", "tbl"),
    ),
    "other_chain": (
        "desk role % may write only its own audit chain in %, not another desk's",
        ("d.role_name", "tbl"),
    ),
    "append_only": (
        "desk role % may not % rows of % (append-only)",
        ("d.role_name", "lower(TG_OP)", "TG_TABLE_NAME"),
    ),
    "own_workstation": (
        "desk role % may write % only for its own workstation %, not another desk's",
        ("d.role_name", "TG_TABLE_NAME", "d.workstation"),
    ),
    "other_rows": (
        "desk role % may not change another desk's rows of %",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "fixed_column": (
        "desk role % may not change column % of % once written",
        ("d.role_name", "col", "TG_TABLE_NAME"),
    ),
    "own_origin": (
        "desk role % may write % only under its own origin %, not another desk's",
        ("d.role_name", "TG_TABLE_NAME", "d.workstation"),
    ),
    "updated_by": (
        "desk role % may write % only as its own workstation % (column updated_by)",
        ("d.role_name", "TG_TABLE_NAME", "d.workstation"),
    ),
    "version_1": (
        "desk role % may insert rows of % only at version 1",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "fixed_key": (
        "desk role % may not change column id or username of %",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "next_version": (
        "desk role % may change a row of % only to its next version",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "clock_step": (
        "desk role % may only move the revision of % up by one",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "clock_rows": (
        "desk role % may not % rows of %",
        ("d.role_name", "lower(TG_OP)", "TG_TABLE_NAME"),
    ),
    "truncate": (
        "desk role % may not truncate %",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
    "delete": (
        "desk role % may not delete rows of %",
        ("d.role_name", "TG_TABLE_NAME"),
    ),
}


def _refuse(key: str) -> str:
    what, args = _MESSAGES[key]
    params = "".join(f", {a}" for a in args)
    message = what.replace("'", "''")
    return f"RAISE EXCEPTION 'csconsole: {message}'{params} USING ERRCODE = '42501';"


_NOT_A_DESK = (
    "IF d.role_name IS NULL THEN IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END IF;"
)
_NO_DELETE = "IF TG_OP = 'DELETE' THEN " + _refuse("delete") + " END IF;"


def function_statements(group: str, schema: str) -> list[str]:
    """The trigger functions (owned by whoever runs the migration)."""
    whoami = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  SELECT * INTO d FROM {DESK_ROLE_TABLE} WHERE role_name = session_user;
  IF FOUND THEN RETURN d; END IF;
  IF pg_has_role(session_user, {quote_literal(group)}, 'MEMBER')
     AND NOT COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) THEN
    {_refuse("unmapped")}
  END IF;
  RETURN NULL;
END;"""
    claim = f"""BEGIN
  IF chain IS NULL THEN
    {_refuse("no_chain")}
  END IF;
  IF d.desk IS NOT NULL THEN
    IF chain <> d.desk THEN
      {_refuse("other_chain")}
    END IF;
    RETURN;
  END IF;
  -- The first push binds the chain id, unless the chain is another desk's already.
  IF EXISTS (SELECT 1 FROM {DESK_ROLE_TABLE} r WHERE r.desk = chain AND r.role_name <> d.role_name)
     OR EXISTS (SELECT 1 FROM csconsole_audit_event e
                WHERE (e.desk = chain OR (e.desk IS NULL AND e.workstation = chain))
                  AND e.workstation <> d.workstation)
     OR EXISTS (SELECT 1 FROM csconsole_desk_head h
                WHERE h.desk = chain AND h.workstation <> d.workstation) THEN
    {_refuse("other_chain")}
  END IF;
  UPDATE {DESK_ROLE_TABLE} SET desk = chain WHERE role_name = d.role_name;
END;"""
    chain = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  d := csconsole_guard_whoami();
  {_NOT_A_DESK}
  IF TG_OP <> 'INSERT' THEN
    {_refuse("append_only")}
  END IF;
  IF NEW.workstation IS DISTINCT FROM d.workstation THEN
    {_refuse("own_workstation")}
  END IF;
  PERFORM csconsole_guard_claim(d, NEW.desk, TG_TABLE_NAME);
  RETURN NEW;
END;"""
    owned = f"""DECLARE d {DESK_ROLE_TABLE}; col text; n jsonb; o jsonb;
BEGIN
  d := csconsole_guard_whoami();
  {_NOT_A_DESK}
  {_NO_DELETE}
  n := to_jsonb(NEW);
  IF TG_OP = 'UPDATE' THEN
    o := to_jsonb(OLD);
    IF o->>'origin' IS DISTINCT FROM d.workstation THEN
      {_refuse("other_rows")}
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
      IF n->col IS DISTINCT FROM o->col THEN
        {_refuse("fixed_column")}
      END IF;
    END LOOP;
  END IF;
  IF n->>'origin' IS DISTINCT FROM d.workstation THEN
    {_refuse("own_origin")}
  END IF;
  RETURN NEW;
END;"""
    shared = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  d := csconsole_guard_whoami();
  {_NOT_A_DESK}
  {_NO_DELETE}
  IF NEW.updated_by IS DISTINCT FROM left(d.workstation, 100) THEN
    {_refuse("updated_by")}
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.version IS DISTINCT FROM 1 THEN
      {_refuse("version_1")}
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.username IS DISTINCT FROM OLD.username THEN
    {_refuse("fixed_key")}
  END IF;
  IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
    {_refuse("next_version")}
  END IF;
  RETURN NEW;
END;"""
    clock = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  d := csconsole_guard_whoami();
  {_NOT_A_DESK}
  IF TG_OP <> 'UPDATE' THEN
    {_refuse("clock_rows")}
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.rev IS DISTINCT FROM OLD.rev + 1 THEN
    {_refuse("clock_step")}
  END IF;
  RETURN NEW;
END;"""
    append = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  d := csconsole_guard_whoami();
  {_NOT_A_DESK}
  IF TG_OP <> 'INSERT' THEN
    {_refuse("append_only")}
  END IF;
  RETURN NEW;
END;"""
    truncate = f"""DECLARE d {DESK_ROLE_TABLE};
BEGIN
  d := csconsole_guard_whoami();
  IF d.role_name IS NOT NULL THEN
    {_refuse("truncate")}
  END IF;
  RETURN NULL;
END;"""
    return [
        _function("csconsole_guard_whoami", DESK_ROLE_TABLE, whoami, schema),
        _function(
            "csconsole_guard_claim",
            "void",
            claim,
            schema,
            f"d {DESK_ROLE_TABLE}, chain varchar, tbl text",
        ),
        _function("csconsole_guard_chain", "trigger", chain, schema),
        _function("csconsole_guard_owned", "trigger", owned, schema),
        _function("csconsole_guard_shared", "trigger", shared, schema),
        _function("csconsole_guard_clock", "trigger", clock, schema),
        _function("csconsole_guard_append", "trigger", append, schema),
        _function("csconsole_guard_truncate", "trigger", truncate, schema),
        # Nobody but the owner calls them directly (triggers run them whatever EXECUTE says).
        *[
            f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC"
            for f in (
                "csconsole_guard_whoami()",
                f"csconsole_guard_claim({DESK_ROLE_TABLE}, varchar, text)",
            )
        ],
    ]


def table_statements(guard: Guarded, group: str) -> list[str]:
    """The group's privileges on one table and its guard triggers."""
    table, g = quote_ident(guard.table), quote_ident(group)
    args = ", ".join(quote_literal(c) for c in guard.fixed)
    return [
        f"REVOKE ALL ON {table} FROM {g}",
        f"GRANT {_PRIVILEGES[guard.kind]} ON {table} TO {g}",
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}",
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTIONS[guard.kind]}({args})",
        f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}",
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION csconsole_guard_truncate()",
    ]


def create_group_statement(group: str) -> str:
    """The group role, made once (another ledger's migration may race us to it)."""
    return (
        "DO $guard$ BEGIN\n"
        f"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {quote_literal(group)}) THEN\n"
        f"    CREATE ROLE {quote_ident(group)} NOLOGIN;\n"
        "  END IF;\n"
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;\n"
        "END $guard$"
    )


def install_statements(group: str, schema: str) -> list[str]:
    g = quote_ident(group)
    out = [create_group_statement(group), f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {g}"]
    out += function_statements(group, schema)
    for guard in GUARDED:
        out += table_statements(guard, group)
    out += [f"REVOKE ALL ON {quote_ident(t)} FROM {g}" for t in READ_ONLY]
    out += [f"GRANT SELECT ON {quote_ident(t)} TO {g}" for t in READ_ONLY]
    out += [
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {quote_ident(t + '_' + c + '_seq')} TO {g}"
        for t, c in SERIAL
    ]
    # The mapping is the owner's: the desks never read or write it (the guards do, as owner).
    out.append(f"REVOKE ALL ON {DESK_ROLE_TABLE} FROM {g}")
    return out


def remove_statements(group: str) -> list[str]:
    g = quote_ident(group)
    out: list[str] = []
    for guard in GUARDED:
        table = quote_ident(guard.table)
        out += [
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}",
            f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}",
        ]
    out += [
        f"DROP FUNCTION IF EXISTS {f}"
        for f in (
            "csconsole_guard_chain()",
            "csconsole_guard_owned()",
            "csconsole_guard_shared()",
            "csconsole_guard_clock()",
            "csconsole_guard_append()",
            "csconsole_guard_truncate()",
            f"csconsole_guard_claim({DESK_ROLE_TABLE}, varchar, text)",
            "csconsole_guard_whoami()",
        )
    ]
    # Privileges held by the group in this database go with it; the desks' login roles (made
    # by grant-desk, server-wide) are the admin's to drop.
    out += [
        "DO $guard$ BEGIN\n"
        f"  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {quote_literal(group)}) THEN\n"
        f"    EXECUTE 'DROP OWNED BY {g}';\n"
        f"    EXECUTE 'DROP ROLE {g}';\n"
        "  END IF;\n"
        "END $guard$",
    ]
    return out
