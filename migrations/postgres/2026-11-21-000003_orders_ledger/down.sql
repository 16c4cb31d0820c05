DROP TABLE idempotency_keys;
DROP TABLE rewards;
DROP TRIGGER ledger_entries_append_only ON ledger_entries;
DROP FUNCTION ledger_entries_append_only();
DROP TABLE ledger_entries;
DROP TABLE refunds;
DROP TABLE order_lines;
DROP TABLE orders;
