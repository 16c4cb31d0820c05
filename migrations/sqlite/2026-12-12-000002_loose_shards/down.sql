DROP INDEX brand_click_days_loose;
DROP INDEX click_days_loose;
DROP INDEX brand_days_loose;
DROP INDEX order_days_loose;
