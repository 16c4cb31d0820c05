DROP INDEX orders_review;
DROP TABLE commission_reviews;
ALTER TABLE orders DROP COLUMN review;
CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
ALTER TABLE ledger_entries DROP COLUMN created_by;
ALTER TABLE ledger_entries DROP COLUMN reason;
