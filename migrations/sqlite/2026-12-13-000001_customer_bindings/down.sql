DROP TABLE customer_bindings;
-- per dialect: the CHECK back to three methods (orders through a binding must be gone)
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (attribution_method IN (''code'', ''link'', ''binding'', ''none''))', 'CHECK (attribution_method IN (''code'', ''link'', ''none''))') WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;
-- end per dialect
