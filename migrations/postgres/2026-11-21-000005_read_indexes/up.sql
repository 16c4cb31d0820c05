-- Keyset pages of an ambassador's orders and ledger entries read one index range.
CREATE INDEX orders_membership_id ON orders (membership_id, id);
CREATE INDEX ledger_entries_membership_id ON ledger_entries (membership_id, id);
