-- Shop integrations: a brand's Shopify store, WooCommerce shop or Stripe account sends
-- its order webhooks to reftrack, signed with a secret kept here sealed (AES-256-GCM).
CREATE TABLE integrations (
    id                     TEXT PRIMARY KEY NOT NULL,
    brand_id               TEXT NOT NULL REFERENCES brands (id),
    platform               TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce', 'stripe')),
    name                   TEXT NOT NULL,
    -- NULL until the brand pastes the secret its shop shows (Shopify and Stripe show
    -- it only once the webhook URL is entered there).
    secret_sealed          TEXT,
    -- The secret before the last rotation, still accepted until previous_secret_until.
    previous_secret_sealed TEXT,
    previous_secret_until  TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    deleted_at             TIMESTAMP
);
CREATE INDEX integrations_brand_id ON integrations (brand_id, id);

-- The inbox: every verified delivery, stored before it is answered, processed after.
-- A platform's retry of a delivery has the same dedupe key and is stored once.
CREATE TABLE shop_events (
    id             TEXT PRIMARY KEY NOT NULL,
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    brand_id       TEXT NOT NULL REFERENCES brands (id),
    topic          TEXT NOT NULL,
    dedupe_key     TEXT NOT NULL,
    -- The raw body, as signed; NULL once pruned (30 days after it arrived).
    body           TEXT,
    -- The host of WooCommerce's X-WC-Webhook-Source, part of its order ids.
    source         TEXT,
    received_at    TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('received', 'processed', 'ignored', 'waiting_for_order', 'failed')),
    -- Why it was ignored or failed, in words for the brand.
    detail         TEXT,
    -- The order it recorded, refunded or cancelled (reftrack's order_id).
    order_id       TEXT,
    -- A refund waiting for its order: the order_id or alias it waits for.
    waiting_for    TEXT,
    -- Money the platform said it gave back (gross) in refunds this event applied: the
    -- running total per order turns gross into merchandise without drifting a cent.
    gross_refunded BIGINT NOT NULL CHECK (gross_refunded >= 0),
    attempts       INTEGER NOT NULL CHECK (attempts >= 0),
    -- A worker holds the event until then; a worker killed mid-event lets it go.
    locked_until   TIMESTAMP,
    processed_at   TIMESTAMP,
    UNIQUE (integration_id, dedupe_key)
);
CREATE INDEX shop_events_integration ON shop_events (integration_id, received_at);
CREATE INDEX shop_events_due ON shop_events (status, received_at);
CREATE INDEX shop_events_waiting ON shop_events (brand_id, waiting_for);

-- Other names a platform gives an order in later deliveries (Stripe's charge names
-- the payment intent, not the checkout session the order was recorded under).
CREATE TABLE shop_order_aliases (
    brand_id   TEXT NOT NULL REFERENCES brands (id),
    alias      TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (brand_id, alias)
);

-- A reftrack code may carry the id of its twin promotion code in Stripe, so a Stripe
-- checkout that applied the promotion code is attributed to the code's ambassador.
ALTER TABLE codes ADD COLUMN stripe_promotion_code TEXT;
CREATE UNIQUE INDEX codes_stripe_promotion_code ON codes (brand_id, stripe_promotion_code);
