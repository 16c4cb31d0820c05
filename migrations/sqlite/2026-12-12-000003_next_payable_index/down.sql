DROP INDEX ledger_entries_next_payable;
CREATE INDEX ledger_entries_pending ON ledger_entries (membership_id, currency, available_at) WHERE approved_at IS NULL;
