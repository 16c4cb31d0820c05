-- The carrier a brand names when it ships a free item ("DHL Express"), beside the
-- tracking reference; both optional.
ALTER TABLE rewards ADD COLUMN carrier TEXT;
