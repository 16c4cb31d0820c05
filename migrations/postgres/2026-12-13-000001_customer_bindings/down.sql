DROP TABLE customer_bindings;
-- per dialect: the CHECK back to three methods (orders through a binding must be gone)
ALTER TABLE orders DROP CONSTRAINT orders_attribution_method_check;
ALTER TABLE orders ADD CONSTRAINT orders_attribution_method_check
    CHECK (attribution_method IN ('code', 'link', 'none'));
-- end per dialect
