-- The rows of the day totals outside shard '0': what the compaction pass folds into
-- shard '0' once their day is over (src/store/totals/compact.rs). Partial, so a pass
-- finds them without reading the compacted history.
CREATE INDEX order_days_loose ON order_days (day) WHERE shard <> '0';
CREATE INDEX brand_days_loose ON brand_days (day) WHERE shard <> '0';
CREATE INDEX click_days_loose ON click_days (day) WHERE shard <> '0';
CREATE INDEX brand_click_days_loose ON brand_click_days (day) WHERE shard <> '0';
