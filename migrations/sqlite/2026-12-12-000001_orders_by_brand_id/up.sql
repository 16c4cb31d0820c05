-- The brand's order list and its CSV export page newest first on the order id
-- (keyset): without this index each page sorted every order of the brand.
CREATE INDEX orders_brand_id ON orders (brand_id, id);
