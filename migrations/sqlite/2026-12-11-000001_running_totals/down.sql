-- per dialect: the triggers that keep the running totals
DROP TRIGGER clicks_totals_insert;
DROP TRIGGER ledger_entries_totals_after_approval;
DROP TRIGGER ledger_entries_totals_state;
DROP TRIGGER ledger_entries_totals_before_approval;
DROP TRIGGER ledger_entries_totals_qualify;
DROP TRIGGER ledger_entries_totals_insert;
DROP TRIGGER ledger_entries_totals_before_insert;
DROP TRIGGER refunds_totals_after_insert;
DROP TRIGGER refunds_totals_before_insert;
DROP TRIGGER orders_totals_after_update;
DROP TRIGGER orders_totals_before_update;
DROP TRIGGER orders_totals_insert;
-- end per dialect
DROP INDEX ledger_entries_pending;
DROP TABLE code_uses;
ALTER TABLE orders DROP COLUMN used_code_id;
DROP TABLE qualifying_sums;
DROP TABLE brand_click_days;
DROP TABLE click_days;
DROP TABLE brand_days;
DROP TABLE order_days;
DROP TABLE brand_ledger_sums;
DROP TABLE ledger_sums;
DELETE FROM settings WHERE key = 'running_totals_built';
