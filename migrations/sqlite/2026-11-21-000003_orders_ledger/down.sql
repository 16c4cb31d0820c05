DROP TABLE idempotency_keys;
DROP TABLE rewards;
DROP TRIGGER ledger_entries_immutable;
DROP TRIGGER ledger_entries_no_delete;
DROP TABLE ledger_entries;
DROP TABLE refunds;
DROP TABLE order_lines;
DROP TABLE orders;
