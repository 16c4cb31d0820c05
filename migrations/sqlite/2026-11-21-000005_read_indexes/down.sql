DROP INDEX ledger_entries_membership_id;
DROP INDEX orders_membership_id;
