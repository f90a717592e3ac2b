"""initial cache schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:51:55.424433
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    op.create_table(
        "cache_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cache_meta")),
    )
    op.create_table(
        "shop_customer",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_norm", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("flagged_misuse", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_customer")),
    )
    with op.batch_alter_table("shop_customer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_customer_email_norm"), ["email_norm"], unique=False
        )

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    op.create_table(
        "shop_address",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("street", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("postcode_norm", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_rev", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["shop_customer.id"],
            name=op.f("fk_shop_address_customer_id_shop_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_address")),
    )
    with op.batch_alter_table("shop_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_address_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shop_address_phone_rev"), ["phone_rev"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shop_address_postcode_norm"), ["postcode_norm"], unique=False
        )

    op.create_table(
        "shop_order",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_number", sa.String(length=32), nullable=False),
        sa.Column("order_number_norm", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["shop_customer.id"],
            name=op.f("fk_shop_order_customer_id_shop_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_order")),
    )
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_order_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shop_order_order_number_norm"), ["order_number_norm"], unique=False
        )

    op.create_table(
        "shop_subscription_event",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["shop_customer.id"],
            name=op.f("fk_shop_subscription_event_customer_id_shop_customer"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_subscription_event")),
    )
    with op.batch_alter_table("shop_subscription_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_subscription_event_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "shop_call_recording",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("agent", sa.String(length=100), nullable=False),
        sa.Column("storage_ref", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["shop_customer.id"],
            name=op.f("fk_shop_call_recording_customer_id_shop_customer"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_order.id"],
            name=op.f("fk_shop_call_recording_order_id_shop_order"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_call_recording")),
    )
    with op.batch_alter_table("shop_call_recording", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_call_recording_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "shop_gift_recipient",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_order.id"],
            name=op.f("fk_shop_gift_recipient_order_id_shop_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_gift_recipient")),
    )
    with op.batch_alter_table("shop_gift_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_gift_recipient_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "shop_order_item",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_order.id"],
            name=op.f("fk_shop_order_item_order_id_shop_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_order_item")),
    )
    with op.batch_alter_table("shop_order_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_order_item_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shop_payment",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("card_brand", sa.String(length=32), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_order.id"],
            name=op.f("fk_shop_payment_order_id_shop_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_payment")),
    )
    with op.batch_alter_table("shop_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_payment_order_id"), ["order_id"], unique=False)

    # Names are indexed already folded (csconsole.domain.text.name_index_text); contentless, so
    # the index holds tokens only and the names stay in shop_customer.
    op.execute(
        "CREATE VIRTUAL TABLE customer_name_fts USING fts5("
        "name, content='', contentless_delete=1, "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    op.execute("CREATE VIRTUAL TABLE customer_name_vocab USING fts5vocab(customer_name_fts, 'row')")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS customer_name_vocab")
    op.execute("DROP TABLE IF EXISTS customer_name_fts")
    with op.batch_alter_table("shop_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_payment_order_id"))

    op.drop_table("shop_payment")
    with op.batch_alter_table("shop_order_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_order_item_order_id"))

    op.drop_table("shop_order_item")
    with op.batch_alter_table("shop_gift_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_gift_recipient_order_id"))

    op.drop_table("shop_gift_recipient")
    with op.batch_alter_table("shop_call_recording", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_call_recording_customer_id"))

    op.drop_table("shop_call_recording")
    with op.batch_alter_table("shop_subscription_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_subscription_event_customer_id"))

    op.drop_table("shop_subscription_event")
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_order_order_number_norm"))
        batch_op.drop_index(batch_op.f("ix_shop_order_customer_id"))

    op.drop_table("shop_order")
    with op.batch_alter_table("shop_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_address_postcode_norm"))
        batch_op.drop_index(batch_op.f("ix_shop_address_phone_rev"))
        batch_op.drop_index(batch_op.f("ix_shop_address_customer_id"))

    op.drop_table("shop_address")
    op.drop_table("staff")
    with op.batch_alter_table("shop_customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_customer_email_norm"))

    op.drop_table("shop_customer")
    op.drop_table("cache_meta")
    op.drop_table("audit_event")
