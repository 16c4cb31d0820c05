DROP INDEX ledger_entries_brand_payable;
DROP TABLE payout_entries;
DROP TABLE payout_items;
DROP TABLE payouts;
