DROP INDEX ledger_entries_refund_reversals;
DROP INDEX influencers_payout_email;
ALTER TABLE orders DROP COLUMN signals;
