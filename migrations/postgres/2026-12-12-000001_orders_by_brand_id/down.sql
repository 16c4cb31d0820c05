DROP INDEX orders_brand_id;
