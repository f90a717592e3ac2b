"""desk roles: each desk's login may append its own rows, never update or delete anyone's

Revision ID: l0007
Revises: l0006
Create Date: 2026-12-06 00:45:00.000000

On PostgreSQL: the ledger's group role for desks, its privileges and the guard triggers
(``persistence/ledger/guards.py``). Every backend gets the mapping table of desk roles (SQLite
and MariaDB have no such roles here: their ledger trusts the desks' code, as before).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from csconsole.persistence.ledger import guards

revision = "l0007"
down_revision = "l0006"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# Dialect options as keywords (typed Any: create_table types each of its own).
MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def _where() -> tuple[str, str]:
    database, schema = (
        op.get_bind().exec_driver_sql("SELECT current_database(), current_schema()").one()
    )
    return guards.group_role_name(str(database)), str(schema)


def _run(statements: list[str]) -> None:
    # On the driver's cursor, without parameters: the function bodies hold % and := that no
    # layer may take for placeholders. The same transaction as the rest of the migration.
    cursor = op.get_bind().connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def upgrade() -> None:
    op.create_table(
        "csconsole_desk_role",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("desk", sa.String(length=100), nullable=True),
        sa.Column("granted_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_csconsole_desk_role")),
        sa.UniqueConstraint("desk", name=op.f("uq_csconsole_desk_role_desk")),
        sa.UniqueConstraint("workstation", name=op.f("uq_csconsole_desk_role_workstation")),
        **MYSQL,
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    group, schema = _where()
    _run(guards.install_statements(group, schema))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        group, _ = _where()
        _run(guards.remove_statements(group))
    op.drop_table("csconsole_desk_role")
