-- Running totals (issue "Speed at scale"): what the dashboard, the portal's overview and
-- the brand's statistics show, kept up to date by triggers in the transaction of every
-- write they depend on (an order, a refund, a ledger entry appended, approved or paid, a
-- click). The ledger, orders, refunds and clicks stay the source of truth: `reftrack
-- verify` recomputes every total from them and reports a difference, `reftrack verify
-- --repair` rewrites the totals (never the ledger), and the first start after this
-- migration builds them (`store::totals`).
--
-- Every money column is two halves, Σ(v >> 32) and Σ(v & (2^32 - 1)), as the reports'
-- wide sums are: no total can overflow a column, and an impossible figure fails only its
-- own membership when it is read. Each row is one of 16 shards (the last hex digit of the
-- id of the order, entry or click that wrote it), so concurrent orders through one code
-- do not queue on one row; readers add the shards up. A text column '' stands for "none"
-- (an unattributed order, an order without a code), since a key column cannot be NULL.

-- Σ ledger entries per membership, currency, kind and state (approved or not, paid or
-- not): the entry status rule is applied when it is read, never stored.
CREATE TABLE ledger_sums (
    membership_id TEXT NOT NULL,
    currency      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    approved      INTEGER NOT NULL,
    paid          INTEGER NOT NULL,
    shard         TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    entries       BIGINT NOT NULL,
    amount_hi     BIGINT NOT NULL,
    amount_lo     BIGINT NOT NULL,
    PRIMARY KEY (membership_id, currency, kind, approved, paid, shard)
);

-- The same per brand, for the brand's statistics.
CREATE TABLE brand_ledger_sums (
    brand_id  TEXT NOT NULL,
    currency  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    approved  INTEGER NOT NULL,
    paid      INTEGER NOT NULL,
    shard     TEXT NOT NULL,
    entries   BIGINT NOT NULL,
    amount_hi BIGINT NOT NULL,
    amount_lo BIGINT NOT NULL,
    PRIMARY KEY (brand_id, currency, kind, approved, paid, shard)
);

-- Orders per ambassador, code, currency and UTC day of placed_at: how many, net sales
-- after refunds, the orders' commission after refund reversals, and Σ every ledger entry
-- of the orders (what the ambassador's chart calls commission).
CREATE TABLE order_days (
    membership_id TEXT NOT NULL,
    day           TEXT NOT NULL,
    code_id       TEXT NOT NULL,
    currency      TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    shard         TEXT NOT NULL,
    orders        BIGINT NOT NULL,
    net_sales_hi  BIGINT NOT NULL,
    net_sales_lo  BIGINT NOT NULL,
    commission_hi BIGINT NOT NULL,
    commission_lo BIGINT NOT NULL,
    earned_hi     BIGINT NOT NULL,
    earned_lo     BIGINT NOT NULL,
    PRIMARY KEY (membership_id, day, code_id, currency, brand_id, shard)
);
CREATE INDEX order_days_brand ON order_days (brand_id, currency, day);

-- Orders per brand, currency and UTC day: all, attributed, attributed net sales after
-- refunds, commission after reversals.
CREATE TABLE brand_days (
    brand_id          TEXT NOT NULL,
    currency          TEXT NOT NULL,
    day               TEXT NOT NULL,
    shard             TEXT NOT NULL,
    orders            BIGINT NOT NULL,
    attributed_orders BIGINT NOT NULL,
    net_sales_hi      BIGINT NOT NULL,
    net_sales_lo      BIGINT NOT NULL,
    commission_hi     BIGINT NOT NULL,
    commission_lo     BIGINT NOT NULL,
    PRIMARY KEY (brand_id, currency, day, shard)
);

-- Clicks per ambassador, code and UTC day, and per brand and day.
CREATE TABLE click_days (
    membership_id TEXT NOT NULL,
    day           TEXT NOT NULL,
    code_id       TEXT NOT NULL,
    shard         TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    clicks        BIGINT NOT NULL,
    PRIMARY KEY (membership_id, day, code_id, shard)
);
CREATE TABLE brand_click_days (
    brand_id TEXT NOT NULL,
    day      TEXT NOT NULL,
    shard    TEXT NOT NULL,
    clicks   BIGINT NOT NULL,
    PRIMARY KEY (brand_id, day, shard)
);

-- What counts toward rewards per membership: orders attributed to it with their
-- commission approved, no flag, no review, not fully refunded; how many and Σ net after
-- refunds.
CREATE TABLE qualifying_sums (
    membership_id TEXT NOT NULL,
    shard         TEXT NOT NULL,
    orders        BIGINT NOT NULL,
    amount_hi     BIGINT NOT NULL,
    amount_lo     BIGINT NOT NULL,
    PRIMARY KEY (membership_id, shard)
);

-- Which code's use an order took (the code typed at checkout by someone other than its
-- owner; it may not be the code the order is attributed to when a link won). A code's
-- uses are codes.uses (those counted before this version) + Σ code_uses: an order no
-- longer updates the code's row, so concurrent orders through one code do not queue on
-- it; only a code with max_uses is locked, to check its limit.
ALTER TABLE orders ADD COLUMN used_code_id TEXT;
CREATE TABLE code_uses (
    code_id TEXT NOT NULL,
    shard   TEXT NOT NULL,
    uses    BIGINT NOT NULL,
    PRIMARY KEY (code_id, shard)
);

-- The dashboard's "next payable" reads only entries still in their hold.
CREATE INDEX ledger_entries_pending ON ledger_entries (membership_id, currency, available_at) WHERE approved_at IS NULL;

-- per dialect: the triggers that keep the running totals
CREATE TRIGGER orders_totals_insert AFTER INSERT ON orders FOR EACH ROW
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      VALUES (NEW.brand_id, NEW.currency, CAST(DATE(NEW.placed_at) AS TEXT), substr(NEW.id, 36, 1), 1, CASE WHEN NEW.membership_id IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.membership_id IS NULL THEN 0 ELSE ((NEW.net_amount) >> 32) END, CASE WHEN NEW.membership_id IS NULL THEN 0 ELSE ((NEW.net_amount) & 4294967295) END, ((NEW.commission) >> 32), ((NEW.commission) & 4294967295))
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      VALUES (COALESCE(NEW.membership_id, ''), CAST(DATE(NEW.placed_at) AS TEXT), COALESCE(NEW.code_id, ''), NEW.currency, NEW.brand_id, substr(NEW.id, 36, 1), 1, ((NEW.net_amount) >> 32), ((NEW.net_amount) & 4294967295), ((NEW.commission) >> 32), ((NEW.commission) & 4294967295), 0, 0)
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO code_uses (code_id, shard, uses)
      SELECT x.code_id, x.shard, 1
      FROM (SELECT NEW.used_code_id AS code_id, substr(NEW.id, 36, 1) AS shard) x WHERE x.code_id IS NOT NULL
      ON CONFLICT (code_id, shard) DO UPDATE SET uses = code_uses.uses + excluded.uses;
END;

CREATE TRIGGER orders_totals_before_update BEFORE UPDATE ON orders FOR EACH ROW
WHEN NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id OR NEW.code_id IS NOT OLD.code_id OR NEW.currency IS NOT OLD.currency OR NEW.placed_at IS NOT OLD.placed_at OR NEW.net_amount IS NOT OLD.net_amount OR NEW.commission IS NOT OLD.commission OR NEW.flags IS NOT OLD.flags OR NEW.review IS NOT OLD.review
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, -1, -1 * x.attributed, -((x.net_sales) >> 32), -((x.net_sales) & 4294967295), -((x.commission) >> 32), -((x.commission) & 4294967295)
      FROM (SELECT o.brand_id AS k0, o.currency AS k1, CAST(DATE(o.placed_at) AS TEXT) AS k2, substr(o.id, 36, 1) AS k3,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE 1 END AS attributed,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) END AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission
            FROM orders o WHERE o.id = OLD.id) x WHERE true
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, x.k4, x.k5, -1, -((x.net_sales) >> 32), -((x.net_sales) & 4294967295), -((x.commission) >> 32), -((x.commission) & 4294967295), -((x.earned) >> 32), -((x.earned) & 4294967295)
      FROM (SELECT COALESCE(o.membership_id, '') AS k0, CAST(DATE(o.placed_at) AS TEXT) AS k1, COALESCE(o.code_id, '') AS k2, o.currency AS k3, o.brand_id AS k4, substr(o.id, 36, 1) AS k5,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission,
              CAST(COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id), 0) AS BIGINT) AS earned
            FROM orders o WHERE o.id = OLD.id) x WHERE true
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, -1, -((x.amount) >> 32), -((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = OLD.id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER orders_totals_after_update AFTER UPDATE ON orders FOR EACH ROW
WHEN NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id OR NEW.code_id IS NOT OLD.code_id OR NEW.currency IS NOT OLD.currency OR NEW.placed_at IS NOT OLD.placed_at OR NEW.net_amount IS NOT OLD.net_amount OR NEW.commission IS NOT OLD.commission OR NEW.flags IS NOT OLD.flags OR NEW.review IS NOT OLD.review
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, 1, 1 * x.attributed, ((x.net_sales) >> 32), ((x.net_sales) & 4294967295), ((x.commission) >> 32), ((x.commission) & 4294967295)
      FROM (SELECT o.brand_id AS k0, o.currency AS k1, CAST(DATE(o.placed_at) AS TEXT) AS k2, substr(o.id, 36, 1) AS k3,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE 1 END AS attributed,
              CASE WHEN o.membership_id IS NULL THEN 0 ELSE CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) END AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission
            FROM orders o WHERE o.id = NEW.id) x WHERE true
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT x.k0, x.k1, x.k2, x.k3, x.k4, x.k5, 1, ((x.net_sales) >> 32), ((x.net_sales) & 4294967295), ((x.commission) >> 32), ((x.commission) & 4294967295), ((x.earned) >> 32), ((x.earned) & 4294967295)
      FROM (SELECT COALESCE(o.membership_id, '') AS k0, CAST(DATE(o.placed_at) AS TEXT) AS k1, COALESCE(o.code_id, '') AS k2, o.currency AS k3, o.brand_id AS k4, substr(o.id, 36, 1) AS k5,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS net_sales,
              CAST(o.commission - COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS commission,
              CAST(COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id), 0) AS BIGINT) AS earned
            FROM orders o WHERE o.id = NEW.id) x WHERE true
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, 1, ((x.amount) >> 32), ((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER refunds_totals_before_insert BEFORE INSERT ON refunds FOR EACH ROW
BEGIN
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, -1, -((x.amount) >> 32), -((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER refunds_totals_after_insert AFTER INSERT ON refunds FOR EACH ROW
BEGIN
    INSERT INTO brand_days (brand_id, currency, day, shard, orders, attributed_orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo)
      SELECT o.brand_id, o.currency, CAST(DATE(o.placed_at) AS TEXT), substr(o.id, 36, 1), 0, 0, CASE WHEN o.membership_id IS NULL THEN 0 ELSE -((NEW.amount) >> 32) END, CASE WHEN o.membership_id IS NULL THEN 0 ELSE -((NEW.amount) & 4294967295) END, -((NEW.reversal) >> 32), -((NEW.reversal) & 4294967295)
      FROM orders o WHERE o.id = NEW.order_id
      ON CONFLICT (brand_id, currency, day, shard) DO UPDATE SET orders = brand_days.orders + excluded.orders, attributed_orders = brand_days.attributed_orders + excluded.attributed_orders, net_sales_hi = brand_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = brand_days.net_sales_lo + excluded.net_sales_lo, commission_hi = brand_days.commission_hi + excluded.commission_hi, commission_lo = brand_days.commission_lo + excluded.commission_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT COALESCE(o.membership_id, ''), CAST(DATE(o.placed_at) AS TEXT), COALESCE(o.code_id, ''), o.currency, o.brand_id, substr(o.id, 36, 1), 0, -((NEW.amount) >> 32), -((NEW.amount) & 4294967295), -((NEW.reversal) >> 32), -((NEW.reversal) & 4294967295), 0, 0
      FROM orders o WHERE o.id = NEW.order_id
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, 1, ((x.amount) >> 32), ((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER ledger_entries_totals_before_insert BEFORE INSERT ON ledger_entries FOR EACH ROW
WHEN NEW.kind = 'commission' AND NEW.order_id IS NOT NULL AND NEW.approved_at IS NOT NULL
BEGIN
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, -1, -((x.amount) >> 32), -((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER ledger_entries_totals_insert AFTER INSERT ON ledger_entries FOR EACH ROW
BEGIN
    INSERT INTO brand_ledger_sums (brand_id, currency, kind, approved, paid, shard, entries, amount_hi, amount_lo)
      VALUES (NEW.brand_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (brand_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = brand_ledger_sums.entries + excluded.entries, amount_hi = brand_ledger_sums.amount_hi + excluded.amount_hi, amount_lo = brand_ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO ledger_sums (membership_id, currency, kind, approved, paid, shard, brand_id, entries, amount_hi, amount_lo)
      VALUES (NEW.membership_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), NEW.brand_id, 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (membership_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = ledger_sums.entries + excluded.entries, amount_hi = ledger_sums.amount_hi + excluded.amount_hi, amount_lo = ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO order_days (membership_id, day, code_id, currency, brand_id, shard, orders, net_sales_hi, net_sales_lo, commission_hi, commission_lo, earned_hi, earned_lo)
      SELECT COALESCE(o.membership_id, ''), CAST(DATE(o.placed_at) AS TEXT), COALESCE(o.code_id, ''), o.currency, o.brand_id, substr(o.id, 36, 1), 0, 0, 0, 0, 0, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295)
      FROM orders o WHERE o.id = NEW.order_id
      ON CONFLICT (membership_id, day, code_id, currency, brand_id, shard) DO UPDATE SET orders = order_days.orders + excluded.orders, net_sales_hi = order_days.net_sales_hi + excluded.net_sales_hi, net_sales_lo = order_days.net_sales_lo + excluded.net_sales_lo, commission_hi = order_days.commission_hi + excluded.commission_hi, commission_lo = order_days.commission_lo + excluded.commission_lo, earned_hi = order_days.earned_hi + excluded.earned_hi, earned_lo = order_days.earned_lo + excluded.earned_lo;
END;

CREATE TRIGGER ledger_entries_totals_qualify AFTER INSERT ON ledger_entries FOR EACH ROW
WHEN NEW.kind = 'commission' AND NEW.order_id IS NOT NULL AND NEW.approved_at IS NOT NULL
BEGIN
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, 1, ((x.amount) >> 32), ((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER ledger_entries_totals_before_approval BEFORE UPDATE ON ledger_entries FOR EACH ROW
WHEN NEW.kind = 'commission' AND NEW.order_id IS NOT NULL AND (OLD.approved_at IS NULL) <> (NEW.approved_at IS NULL)
BEGIN
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, -1, -((x.amount) >> 32), -((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER ledger_entries_totals_state AFTER UPDATE ON ledger_entries FOR EACH ROW
WHEN (OLD.approved_at IS NULL) <> (NEW.approved_at IS NULL) OR (OLD.paid_out_in IS NULL) <> (NEW.paid_out_in IS NULL)
BEGIN
    INSERT INTO brand_ledger_sums (brand_id, currency, kind, approved, paid, shard, entries, amount_hi, amount_lo)
      VALUES (OLD.brand_id, OLD.currency, OLD.kind, CASE WHEN OLD.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN OLD.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(OLD.id, 36, 1), -1, -((OLD.amount) >> 32), -((OLD.amount) & 4294967295))
      ON CONFLICT (brand_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = brand_ledger_sums.entries + excluded.entries, amount_hi = brand_ledger_sums.amount_hi + excluded.amount_hi, amount_lo = brand_ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO ledger_sums (membership_id, currency, kind, approved, paid, shard, brand_id, entries, amount_hi, amount_lo)
      VALUES (OLD.membership_id, OLD.currency, OLD.kind, CASE WHEN OLD.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN OLD.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(OLD.id, 36, 1), OLD.brand_id, -1, -((OLD.amount) >> 32), -((OLD.amount) & 4294967295))
      ON CONFLICT (membership_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = ledger_sums.entries + excluded.entries, amount_hi = ledger_sums.amount_hi + excluded.amount_hi, amount_lo = ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO brand_ledger_sums (brand_id, currency, kind, approved, paid, shard, entries, amount_hi, amount_lo)
      VALUES (NEW.brand_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (brand_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = brand_ledger_sums.entries + excluded.entries, amount_hi = brand_ledger_sums.amount_hi + excluded.amount_hi, amount_lo = brand_ledger_sums.amount_lo + excluded.amount_lo;
    INSERT INTO ledger_sums (membership_id, currency, kind, approved, paid, shard, brand_id, entries, amount_hi, amount_lo)
      VALUES (NEW.membership_id, NEW.currency, NEW.kind, CASE WHEN NEW.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN NEW.paid_out_in IS NULL THEN 0 ELSE 1 END, substr(NEW.id, 36, 1), NEW.brand_id, 1, ((NEW.amount) >> 32), ((NEW.amount) & 4294967295))
      ON CONFLICT (membership_id, currency, kind, approved, paid, shard) DO UPDATE SET entries = ledger_sums.entries + excluded.entries, amount_hi = ledger_sums.amount_hi + excluded.amount_hi, amount_lo = ledger_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER ledger_entries_totals_after_approval AFTER UPDATE ON ledger_entries FOR EACH ROW
WHEN NEW.kind = 'commission' AND NEW.order_id IS NOT NULL AND (OLD.approved_at IS NULL) <> (NEW.approved_at IS NULL)
BEGIN
    INSERT INTO qualifying_sums (membership_id, shard, orders, amount_hi, amount_lo)
      SELECT x.membership_id, x.shard, 1, ((x.amount) >> 32), ((x.amount) & 4294967295)
      FROM (SELECT o.membership_id AS membership_id, substr(o.id, 36, 1) AS shard,
              CAST(o.net_amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS BIGINT) AS amount
            FROM orders o
            WHERE o.id = NEW.order_id AND o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id
                          AND c.kind = 'commission' AND c.approved_at IS NOT NULL)) x
      WHERE x.amount > 0
      ON CONFLICT (membership_id, shard) DO UPDATE SET orders = qualifying_sums.orders + excluded.orders, amount_hi = qualifying_sums.amount_hi + excluded.amount_hi, amount_lo = qualifying_sums.amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER clicks_totals_insert AFTER INSERT ON clicks FOR EACH ROW
BEGIN
    INSERT INTO brand_click_days (brand_id, day, shard, clicks)
      VALUES (NEW.brand_id, CAST(DATE(NEW.created_at) AS TEXT), substr(NEW.id, 36, 1), 1)
      ON CONFLICT (brand_id, day, shard) DO UPDATE SET clicks = brand_click_days.clicks + excluded.clicks;
    INSERT INTO click_days (membership_id, day, code_id, shard, brand_id, clicks)
      VALUES (NEW.membership_id, CAST(DATE(NEW.created_at) AS TEXT), NEW.code_id, substr(NEW.id, 36, 1), NEW.brand_id, 1)
      ON CONFLICT (membership_id, day, code_id, shard) DO UPDATE SET clicks = click_days.clicks + excluded.clicks;
END;
-- end per dialect
