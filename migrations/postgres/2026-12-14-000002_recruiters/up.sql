-- Two tiers (issue: attribution rules): an ambassador recruits others into their
-- brand's program through their own invitation link, and in a program with an
-- `override_rate` earns that share of each recruit's commission as an `override` ledger
-- entry, which follows the commission (matures, is reversed and rejected with it). One
-- level: a recruit's recruits earn their own recruiter nothing more.
-- per dialect: SQLite cannot drop a column that references a table (the down migration),
-- so there the recruiter is named without the constraint; the service checks it
ALTER TABLE memberships ADD COLUMN recruited_by TEXT REFERENCES memberships (id);
-- end per dialect
CREATE INDEX memberships_recruited_by ON memberships (recruited_by);
-- per dialect: an order's running totals count only its own ambassador's entries (a
-- recruiter's override on it is theirs, in their ledger totals)
CREATE OR REPLACE FUNCTION orders_totals_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, -1, -1 * x.attributed, -((x.net_sales) >> 32), -((x.net_sales) & 4294967295), -((x.commission) >> 32), -((x.commission) & 4294967295)
      FROM (SELECT o.brand_id AS k0, COALESCE(o.fx_currency, o.currency) AS k1, CAST(DATE(o.placed_at) AS TEXT) AS k2, substr(o.id, 36, 1) AS k3,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE 1 END AS attributed,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) END AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission
            FROM orders o WHERE o.id = OLD.id) x WHERE true
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, x.k4, x.k5, -1, -((x.net_sales) >> 32), -((x.net_sales) & 4294967295), -((x.commission) >> 32), -((x.commission) & 4294967295), -((x.earned) >> 32), -((x.earned) & 4294967295)
      FROM (SELECT COALESCE(o.membership_id, '') AS k0, CAST(DATE(o.placed_at) AS TEXT) AS k1, COALESCE(o.code_id, '') AS k2, COALESCE(o.fx_currency, o.currency) AS k3, o.brand_id AS k4, substr(o.id, 36, 1) AS k5,
              CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission,
              CAST(COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id AND e.membership_id = o.membership_id), 0) AS BIGINT) AS earned
            FROM orders o WHERE o.id = OLD.id) x WHERE true
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, -1, -((x.amount) >> 32), -((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = OLD.id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION orders_totals_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, 1, 1 * x.attributed, ((x.net_sales) >> 32), ((x.net_sales) & 4294967295), ((x.commission) >> 32), ((x.commission) & 4294967295)
      FROM (SELECT o.brand_id AS k0, COALESCE(o.fx_currency, o.currency) AS k1, CAST(DATE(o.placed_at) AS TEXT) AS k2, substr(o.id, 36, 1) AS k3,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE 1 END AS attributed,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) END AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission
            FROM orders o WHERE o.id = NEW.id) x WHERE true
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, x.k4, x.k5, 1, ((x.net_sales) >> 32), ((x.net_sales) & 4294967295), ((x.commission) >> 32), ((x.commission) & 4294967295), ((x.earned) >> 32), ((x.earned) & 4294967295)
      FROM (SELECT COALESCE(o.membership_id, '') AS k0, CAST(DATE(o.placed_at) AS TEXT) AS k1, COALESCE(o.code_id, '') AS k2, COALESCE(o.fx_currency, o.currency) AS k3, o.brand_id AS k4, substr(o.id, 36, 1) AS k5,
              CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission,
              CAST(COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id AND e.membership_id = o.membership_id), 0) AS BIGINT) AS earned
            FROM orders o WHERE o.id = NEW.id) x WHERE true
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, 1, ((x.amount) >> 32), ((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(COALESCE(o.fx_net, o.net_amount) - COALESCE((SELECT SUM(COALESCE(r.fx_amount, r.amount)) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ledger_entries_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM orders WHERE id = NEW.order_id FOR UPDATE;
    INSERT INTO brand_ledger_sums (brand_id, currency, kind, approved, paid, shard, entries, amount_hi, amount_lo)
      VALUES (NEW.brand_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (brand_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = brand_ledger_sums.entries + excluded.entries, amount_hi = brand_ledger_sums.amount_hi + excluded.amount_hi, amount_lo = brand_ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO ledger_sums (membership_id, currency, kind, approved, paid, shard, brand_id, entries, amount_hi, amount_lo)
      VALUES (NEW.membership_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), NEW.brand_id, 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (membership_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = ledger_sums.entries + excluded.entries, amount_hi = ledger_sums.amount_hi + excluded.amount_hi, amount_lo = ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT COALESCE(o.membership_id, ''), CAST(DATE(o.placed_at) AS TEXT), COALESCE(o.code_id, ''), COALESCE(o.fx_currency, o.currency), o.brand_id, substr(o.id, 36, 1), 0, 0, 0, 0, 0, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295)
      FROM orders o WHERE o.id = NEW.order_id AND o.membership_id = NEW.membership_id
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    RETURN NULL;
END $$;
-- end per dialect
