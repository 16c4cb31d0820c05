-- Returning customers (issue: attribution rules): a customer whose order was attributed
-- by code or link stays with that ambassador for the program's customer_binding_days,
-- so a repeat order without a code still earns. One row per program and customer (the
-- keyed hash of the e-mail the shop sends; never the address); a lapsed binding is
-- replaced by the next referred order. Orders attributed through one carry the method
-- 'binding', which the CHECK on orders.attribution_method now allows.
-- per dialect: SQLite cannot alter a CHECK; widening one that every row already meets
-- changes no stored data, so the table's text is rewritten in place (sqlite.org,
-- "ALTER TABLE", section 7) and the schema reloaded.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (attribution_method IN (''code'', ''link'', ''none''))', 'CHECK (attribution_method IN (''code'', ''link'', ''binding'', ''none''))') WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;
-- end per dialect
CREATE TABLE customer_bindings (
    program_id    TEXT NOT NULL REFERENCES programs (id),
    customer_hash TEXT NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    membership_id TEXT NOT NULL REFERENCES memberships (id),
    code_id       TEXT NOT NULL REFERENCES codes (id),
    order_id      TEXT NOT NULL REFERENCES orders (id),
    bound_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (program_id, customer_hash)
);
CREATE INDEX customer_bindings_customer ON customer_bindings (brand_id, customer_hash, bound_at);
