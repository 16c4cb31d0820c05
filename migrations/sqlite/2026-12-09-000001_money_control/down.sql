DROP INDEX orders_review;
DROP TABLE commission_reviews;
ALTER TABLE orders DROP COLUMN review;
DROP TRIGGER ledger_entries_immutable;
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries
WHEN NEW.id IS NOT OLD.id OR NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id
  OR NEW.order_id IS NOT OLD.order_id OR NEW.refund_id IS NOT OLD.refund_id OR NEW.kind IS NOT OLD.kind
  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency OR NEW.available_at IS NOT OLD.available_at
  OR NEW.created_at IS NOT OLD.created_at
  OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS NOT OLD.approved_at)
  OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS NOT OLD.paid_out_in)
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: only approved_at and paid_out_in may be set, once');
END;
ALTER TABLE ledger_entries DROP COLUMN created_by;
ALTER TABLE ledger_entries DROP COLUMN reason;
