-- Orders reported by the shop's checkout, refunds, the append-only ledger, free-item
-- rewards and the stored answers that make checkout retries harmless.

CREATE TABLE orders (
    id                     TEXT PRIMARY KEY NOT NULL,
    brand_id               TEXT NOT NULL REFERENCES brands (id),
    order_id               TEXT NOT NULL,
    currency               TEXT NOT NULL CHECK (length(currency) = 3),
    subtotal               BIGINT NOT NULL CHECK (subtotal >= 0),
    discount_total         BIGINT NOT NULL CHECK (discount_total >= 0 AND discount_total <= subtotal),
    shipping_total         BIGINT NOT NULL CHECK (shipping_total >= 0),
    tax_total              BIGINT NOT NULL CHECK (tax_total >= 0),
    net_amount             BIGINT NOT NULL CHECK (net_amount >= 0),
    placed_at              TIMESTAMP NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    membership_id          TEXT REFERENCES memberships (id),
    program_id             TEXT REFERENCES programs (id),
    terms_version          INTEGER,
    code_id                TEXT REFERENCES codes (id),
    click_id               TEXT REFERENCES clicks (id),
    commission             BIGINT NOT NULL CHECK (commission >= 0),
    commission_rate        TEXT,
    attribution_method     TEXT NOT NULL CHECK (attribution_method IN ('code', 'link', 'none')),
    attribution_reason     TEXT NOT NULL,
    attribution_candidates TEXT NOT NULL,
    flags                  TEXT NOT NULL,
    customer_email_hash    TEXT,
    UNIQUE (brand_id, order_id)
);
CREATE INDEX orders_membership_placed ON orders (membership_id, placed_at);
CREATE INDEX orders_brand_placed ON orders (brand_id, placed_at);
CREATE INDEX orders_program_id ON orders (program_id);

CREATE TABLE order_lines (
    order_id   TEXT NOT NULL REFERENCES orders (id),
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    category   TEXT,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    rate       TEXT,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE refunds (
    id             TEXT PRIMARY KEY NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    refund_id      TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    -- Σ quantity × unit_price of the lines refunded, for line refunds.
    line_value     BIGINT NOT NULL CHECK (line_value >= 0),
    lines          TEXT,
    reversal       BIGINT NOT NULL CHECK (reversal >= 0),
    request_hash   TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (order_id, refund_id)
);

-- Money moves only here. Rows are appended; amounts are never changed and rows are
-- never deleted (enforced by the triggers below). approved_at and paid_out_in are set
-- once each.
CREATE TABLE ledger_entries (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    membership_id TEXT NOT NULL REFERENCES memberships (id),
    order_id      TEXT REFERENCES orders (id),
    refund_id     TEXT REFERENCES refunds (id),
    kind          TEXT NOT NULL CHECK (kind IN ('commission', 'reversal', 'adjustment', 'bonus', 'flat_fee', 'override')),
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    available_at  TIMESTAMP NOT NULL,
    approved_at   TIMESTAMP,
    paid_out_in   TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_due ON ledger_entries (approved_at, available_at);
CREATE INDEX ledger_entries_membership ON ledger_entries (membership_id, currency);
CREATE INDEX ledger_entries_order ON ledger_entries (order_id);
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'ledger entries are append-only'; END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.brand_id IS DISTINCT FROM OLD.brand_id OR NEW.membership_id IS DISTINCT FROM OLD.membership_id
      OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.refund_id IS DISTINCT FROM OLD.refund_id OR NEW.kind IS DISTINCT FROM OLD.kind
      OR NEW.amount IS DISTINCT FROM OLD.amount OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.available_at IS DISTINCT FROM OLD.available_at
      OR NEW.created_at IS DISTINCT FROM OLD.created_at
      OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS DISTINCT FROM OLD.approved_at)
      OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS DISTINCT FROM OLD.paid_out_in) THEN
        RAISE EXCEPTION 'ledger entries are append-only: only approved_at and paid_out_in may be set, once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

-- Free items earned by ambassadors. (membership, rule, sequence) is unique, so a grant
-- happens exactly once however many job passes run.
CREATE TABLE rewards (
    id               TEXT PRIMARY KEY NOT NULL,
    brand_id         TEXT NOT NULL REFERENCES brands (id),
    membership_id    TEXT NOT NULL REFERENCES memberships (id),
    rule_key         TEXT NOT NULL,
    sequence         INTEGER NOT NULL CHECK (sequence >= 1),
    sku              TEXT NOT NULL,
    description      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('earned', 'claimed', 'fulfilled')),
    earned_at        TIMESTAMP NOT NULL,
    claimed_at       TIMESTAMP,
    shipping_name    TEXT,
    shipping_address TEXT,
    fulfilled_at     TIMESTAMP,
    tracking         TEXT,
    UNIQUE (membership_id, rule_key, sequence)
);
CREATE INDEX rewards_brand_status ON rewards (brand_id, status);

-- The first answer to each checkout request, replayed byte for byte on retries.
CREATE TABLE idempotency_keys (
    brand_id     TEXT NOT NULL REFERENCES brands (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (brand_id, key)
);
