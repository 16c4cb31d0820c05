ALTER TABLE rewards DROP COLUMN carrier;
