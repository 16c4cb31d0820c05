-- Payout batches. An approved ledger entry belongs to at most one live batch: the
-- partial unique index below is that rule, held by the database itself. Cancelling a
-- batch releases its entries (released_at), so they can be paid by a later batch.

CREATE TABLE payouts (
    id           TEXT PRIMARY KEY NOT NULL,
    brand_id     TEXT NOT NULL REFERENCES brands (id),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled')),
    total        BIGINT NOT NULL CHECK (total > 0),
    created_at   TIMESTAMP NOT NULL,
    paid_at      TIMESTAMP,
    cancelled_at TIMESTAMP
);
CREATE INDEX payouts_brand_id ON payouts (brand_id, id);

CREATE TABLE payout_items (
    payout_id     TEXT NOT NULL REFERENCES payouts (id),
    membership_id TEXT NOT NULL REFERENCES memberships (id),
    amount        BIGINT NOT NULL CHECK (amount > 0),
    entries       INTEGER NOT NULL CHECK (entries > 0),
    payout_email  TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    period_start  TIMESTAMP NOT NULL,
    period_end    TIMESTAMP NOT NULL,
    PRIMARY KEY (payout_id, membership_id)
);

CREATE TABLE payout_entries (
    payout_id   TEXT NOT NULL REFERENCES payouts (id),
    entry_id    TEXT NOT NULL REFERENCES ledger_entries (id),
    released_at TIMESTAMP,
    PRIMARY KEY (payout_id, entry_id)
);
CREATE UNIQUE INDEX payout_entries_one_live_batch ON payout_entries (entry_id) WHERE released_at IS NULL;
CREATE INDEX ledger_entries_brand_payable ON ledger_entries (brand_id, currency, approved_at);
