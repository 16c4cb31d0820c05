ALTER TABLE payout_items DROP COLUMN overrides;
ALTER TABLE payout_items DROP COLUMN flat_fees;
ALTER TABLE payout_items DROP COLUMN bonuses;
ALTER TABLE payout_items DROP COLUMN adjustments;
ALTER TABLE payout_items DROP COLUMN reversals;
ALTER TABLE payout_items DROP COLUMN commissions;
