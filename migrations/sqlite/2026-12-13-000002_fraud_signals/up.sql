-- Fraud review: the signals raised when an order was recorded (a JSON array of names,
-- such as ["repeat_customer"]); an order with any is recorded held for review. Kept
-- apart from `flags`, which say the order is no sale at all (a self-referral): a held
-- order that the brand releases counts like any other.
ALTER TABLE orders ADD COLUMN signals TEXT NOT NULL DEFAULT '[]';
-- The customer's e-mail compared with ambassadors' payout e-mails at checkout.
CREATE INDEX influencers_payout_email ON influencers (payout_email);
-- An ambassador's refunds of the last 30 days, for the refund rate: their reversal
-- entries only, so the read does not grow with the ambassador's sales.
CREATE INDEX ledger_entries_refund_reversals ON ledger_entries (membership_id, created_at)
    WHERE kind = 'reversal' AND refund_id IS NOT NULL;
