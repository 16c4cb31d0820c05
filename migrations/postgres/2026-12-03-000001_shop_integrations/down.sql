DROP INDEX codes_stripe_promotion_code;
ALTER TABLE codes DROP COLUMN stripe_promotion_code;
DROP TABLE shop_order_aliases;
DROP TABLE shop_events;
DROP TABLE integrations;
