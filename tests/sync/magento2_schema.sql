-- A Magento-2-like shop for the sync tests: the tables and columns the magento2 mapping reads,
-- named and typed as in Magento's app/code/Magento/*/etc/db_schema.xml (REFERENCES.md).
-- Portable DDL: PostgreSQL and MariaDB accept it as written.
-- As in Magento, sales_order_item and sales_order_payment have no change column here.

CREATE TABLE customer_entity (
    entity_id         INTEGER      NOT NULL PRIMARY KEY,
    website_id        SMALLINT,
    email             VARCHAR(255),
    firstname         VARCHAR(255),
    middlename        VARCHAR(255),
    lastname          VARCHAR(255),
    prefix            VARCHAR(40),
    suffix            VARCHAR(40),
    dob               DATE,
    gender            SMALLINT,
    created_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    is_active         SMALLINT     NOT NULL DEFAULT 1,
    default_billing   INTEGER,
    default_shipping  INTEGER
);
CREATE INDEX customer_entity_updated_at ON customer_entity (updated_at);

CREATE TABLE customer_address_entity (
    entity_id     INTEGER       NOT NULL PRIMARY KEY,
    parent_id     INTEGER,
    street        TEXT          NOT NULL,
    city          VARCHAR(255)  NOT NULL,
    region        VARCHAR(255),
    region_id     INTEGER,
    postcode      VARCHAR(255),
    country_id    VARCHAR(2)    NOT NULL,
    telephone     VARCHAR(255)  NOT NULL,
    firstname     VARCHAR(255)  NOT NULL,
    lastname      VARCHAR(255)  NOT NULL,
    company       VARCHAR(255),
    created_at    TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX customer_address_entity_parent_id ON customer_address_entity (parent_id);

CREATE TABLE sales_order (
    entity_id           INTEGER        NOT NULL PRIMARY KEY,
    increment_id        VARCHAR(50),
    customer_id         INTEGER,
    customer_email      VARCHAR(128),
    customer_firstname  VARCHAR(128),
    customer_lastname   VARCHAR(128),
    grand_total         DECIMAL(20, 4),
    status              VARCHAR(32),
    state               VARCHAR(32),
    created_at          TIMESTAMP      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMP      NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX sales_order_customer_id ON sales_order (customer_id);

CREATE TABLE sales_order_item (
    item_id      INTEGER        NOT NULL PRIMARY KEY,
    order_id     INTEGER        NOT NULL,
    sku          VARCHAR(255),
    name         VARCHAR(255),
    qty_ordered  DECIMAL(12, 4) DEFAULT 0,
    price        DECIMAL(20, 4) NOT NULL DEFAULT 0,
    row_total    DECIMAL(20, 4) NOT NULL DEFAULT 0
);
CREATE INDEX sales_order_item_order_id ON sales_order_item (order_id);

CREATE TABLE sales_order_payment (
    entity_id       INTEGER        NOT NULL PRIMARY KEY,
    parent_id       INTEGER        NOT NULL,
    method          VARCHAR(128),
    cc_last_4       VARCHAR(100),
    cc_type         VARCHAR(32),
    amount_ordered  DECIMAL(20, 4)
);
CREATE INDEX sales_order_payment_parent_id ON sales_order_payment (parent_id);

CREATE TABLE newsletter_subscriber (
    subscriber_id      INTEGER       NOT NULL PRIMARY KEY,
    store_id           SMALLINT      DEFAULT 0,
    change_status_at   TIMESTAMP     NULL,
    customer_id        INTEGER       NOT NULL DEFAULT 0,
    subscriber_email   VARCHAR(150),
    subscriber_status  INTEGER       NOT NULL DEFAULT 0,
    subscriber_confirm_code VARCHAR(32)
);
CREATE INDEX newsletter_subscriber_customer_id ON newsletter_subscriber (customer_id);
