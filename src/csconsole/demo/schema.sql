-- The csconsole reference shop schema (documented in docs/reference-shop-schema.md).
-- Portable DDL: SQLite, PostgreSQL and MariaDB accept it as written.
-- Every table has `updated_at`, the change column incremental sync reads.
-- Card data: last 4 digits and brand only (PCI DSS 3.4.1); no PAN, CVV or track data.

CREATE TABLE customers (
    customer_id     INTEGER PRIMARY KEY,
    email           VARCHAR(254) NOT NULL,
    first_name      VARCHAR(100) NOT NULL,
    last_name       VARCHAR(100) NOT NULL,
    locale          VARCHAR(16)  NOT NULL,
    date_of_birth   DATE,
    created_at      TIMESTAMP    NOT NULL,
    updated_at      TIMESTAMP    NOT NULL,
    is_active       SMALLINT     NOT NULL DEFAULT 1,
    flagged_misuse  SMALLINT     NOT NULL DEFAULT 0
);
CREATE INDEX ix_customers_updated_at ON customers (updated_at, customer_id);

CREATE TABLE addresses (
    address_id      INTEGER PRIMARY KEY,
    customer_id     INTEGER      NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    kind            VARCHAR(16)  NOT NULL,  -- billing | shipping
    street          VARCHAR(300) NOT NULL,  -- lines separated by newline
    city            VARCHAR(100) NOT NULL,
    region          VARCHAR(100),
    postcode        VARCHAR(20),
    country         CHAR(2)      NOT NULL,  -- ISO 3166-1 alpha-2
    phone           VARCHAR(40),            -- as the customer typed it
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_addresses_customer_id ON addresses (customer_id);
CREATE INDEX ix_addresses_updated_at ON addresses (updated_at, address_id);

CREATE TABLE orders (
    order_id        INTEGER PRIMARY KEY,
    order_number    VARCHAR(32)  NOT NULL UNIQUE,  -- the number customers see
    customer_id     INTEGER      NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    placed_at       TIMESTAMP    NOT NULL,
    status          VARCHAR(32)  NOT NULL,
    currency        CHAR(3)      NOT NULL,
    total_cents     BIGINT       NOT NULL,
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
CREATE INDEX ix_orders_updated_at ON orders (updated_at, order_id);

CREATE TABLE order_items (
    item_id         INTEGER PRIMARY KEY,
    order_id        INTEGER      NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    sku             VARCHAR(64)  NOT NULL,
    name            VARCHAR(200) NOT NULL,
    quantity        INTEGER      NOT NULL,
    price_cents     BIGINT       NOT NULL,
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_order_items_order_id ON order_items (order_id);

CREATE TABLE payments (
    payment_id      INTEGER PRIMARY KEY,
    order_id        INTEGER      NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    method          VARCHAR(32)  NOT NULL,  -- card | paypal | bank_transfer | financing
    card_brand      VARCHAR(32),
    card_last4      CHAR(4),
    amount_cents    BIGINT       NOT NULL,
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_payments_order_id ON payments (order_id);

-- Mailing lists as histories: one row per enrolment or unsubscribe, never a boolean.
CREATE TABLE subscription_events (
    event_id        INTEGER PRIMARY KEY,
    customer_id     INTEGER REFERENCES customers (customer_id) ON DELETE SET NULL,  -- NULL: a guest
    channel         VARCHAR(16)  NOT NULL,  -- email | catalog
    event           VARCHAR(16)  NOT NULL,  -- enrolled | unsubscribed
    source          VARCHAR(32)  NOT NULL,  -- contest_entry | promo_request | registration | catalog_request | customer_request | list_unsubscribe
    address         VARCHAR(400) NOT NULL,  -- the email address, or the postal address for catalogs
    occurred_at     TIMESTAMP    NOT NULL,
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_subscription_events_customer_id ON subscription_events (customer_id);

CREATE TABLE gift_recipients (
    recipient_id    INTEGER PRIMARY KEY,
    order_id        INTEGER      NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    name            VARCHAR(200) NOT NULL,
    street          VARCHAR(300) NOT NULL,
    city            VARCHAR(100) NOT NULL,
    postcode        VARCHAR(20),
    country         CHAR(2)      NOT NULL,
    message         VARCHAR(500),
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_gift_recipients_order_id ON gift_recipients (order_id);

-- An index of recorded calls; the audio lives in the shop's call recorder.
CREATE TABLE call_recordings (
    recording_id    INTEGER PRIMARY KEY,
    customer_id     INTEGER REFERENCES customers (customer_id) ON DELETE SET NULL,
    order_id        INTEGER REFERENCES orders (order_id) ON DELETE SET NULL,
    started_at      TIMESTAMP    NOT NULL,
    duration_s      INTEGER      NOT NULL,
    direction       VARCHAR(8)   NOT NULL,  -- inbound | outbound
    agent           VARCHAR(100) NOT NULL,
    storage_ref     VARCHAR(300) NOT NULL,
    updated_at      TIMESTAMP    NOT NULL
);
CREATE INDEX ix_call_recordings_customer_id ON call_recordings (customer_id);
