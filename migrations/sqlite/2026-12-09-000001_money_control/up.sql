-- The brand's control over money: adjustments, bonuses, and the review of a commission
-- (hold, release, reject). Entries a person made carry why and who; the ledger stays
-- append-only, now over these two columns too.
ALTER TABLE ledger_entries ADD COLUMN reason TEXT;
-- The brand user who made the entry (no foreign key: the entry outlives a removed seat).
ALTER TABLE ledger_entries ADD COLUMN created_by TEXT;
DROP TRIGGER ledger_entries_immutable;
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries
WHEN NEW.id IS NOT OLD.id OR NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id
  OR NEW.order_id IS NOT OLD.order_id OR NEW.refund_id IS NOT OLD.refund_id OR NEW.kind IS NOT OLD.kind
  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency OR NEW.available_at IS NOT OLD.available_at
  OR NEW.created_at IS NOT OLD.created_at OR NEW.reason IS NOT OLD.reason OR NEW.created_by IS NOT OLD.created_by
  OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS NOT OLD.approved_at)
  OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS NOT OLD.paid_out_in)
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: only approved_at and paid_out_in may be set, once');
END;

-- Where the review of an order's commission stands: none (NULL), held (it does not
-- mature until released) or rejected (reversed). The history is commission_reviews.
ALTER TABLE orders ADD COLUMN review TEXT CHECK (review IN ('held', 'rejected'));

-- Every review action, appended: who held, released, rejected or reassigned which
-- order, and why.
CREATE TABLE commission_reviews (
    id         TEXT PRIMARY KEY NOT NULL,
    brand_id   TEXT NOT NULL REFERENCES brands (id),
    order_id   TEXT NOT NULL REFERENCES orders (id),
    action     TEXT NOT NULL CHECK (action IN ('hold', 'release', 'reject', 'reassign')),
    reason     TEXT,
    acted_by   TEXT,
    -- For a reassignment: the ambassador the order had and the one it went to.
    from_membership_id TEXT REFERENCES memberships (id),
    to_membership_id   TEXT REFERENCES memberships (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX commission_reviews_order ON commission_reviews (order_id, id);
-- The held orders of a brand, for its review list.
CREATE INDEX orders_review ON orders (brand_id, review);
