-- Fraud review: the signals raised when an order was recorded (a JSON array of names,
-- such as ["repeat_customer"]); an order with any is recorded held for review. Kept
-- apart from `flags`, which say the order is no sale at all (a self-referral): a held
-- order that the brand releases counts like any other.
ALTER TABLE orders ADD COLUMN signals TEXT NOT NULL DEFAULT '[]';
-- The customer's e-mail compared with ambassadors' payout e-mails at checkout.
CREATE INDEX influencers_payout_email ON influencers (payout_email);
