-- Each batch item's amount by ledger kind, written with the item: the payout CSV, the
-- PayPal file and the batch read them with the item instead of summing the item's ledger
-- entries again for every page (which read each ambassador's whole history).
ALTER TABLE payout_items ADD COLUMN commissions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_items ADD COLUMN reversals BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_items ADD COLUMN adjustments BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_items ADD COLUMN bonuses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_items ADD COLUMN flat_fees BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_items ADD COLUMN overrides BIGINT NOT NULL DEFAULT 0;
UPDATE payout_items SET
    commissions = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'commission'), 0),
    reversals = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'reversal'), 0),
    adjustments = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'adjustment'), 0),
    bonuses = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'bonus'), 0),
    flat_fees = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'flat_fee'), 0),
    overrides = COALESCE((SELECT SUM(e.amount) FROM payout_entries p JOIN ledger_entries e ON e.id = p.entry_id
        WHERE p.payout_id = payout_items.payout_id AND e.membership_id = payout_items.membership_id AND e.kind = 'override'), 0);
