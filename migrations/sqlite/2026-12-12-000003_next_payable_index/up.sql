-- The dashboard's "next payable" is the first pending entry that adds money, in the
-- order of available_at. The index holds exactly those entries, so the read stops at
-- the index's first row for the membership and currency: the partial index it
-- replaces also held paid and negative entries, which PostgreSQL filtered row by row
-- (every entry still in its hold, thousands for a busy ambassador).
DROP INDEX ledger_entries_pending;
CREATE INDEX ledger_entries_next_payable ON ledger_entries (membership_id, currency, available_at)
    WHERE approved_at IS NULL AND paid_out_in IS NULL AND amount > 0;
