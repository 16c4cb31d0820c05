-- Webhook endpoints of a brand's systems, and one delivery per endpoint and event.
CREATE TABLE webhook_endpoints (
    id                     TEXT PRIMARY KEY NOT NULL,
    brand_id               TEXT NOT NULL REFERENCES brands (id),
    url                    TEXT NOT NULL,
    description            TEXT NOT NULL,
    -- JSON array of event types; empty means every type.
    event_types            TEXT NOT NULL,
    enabled                BOOLEAN NOT NULL,
    -- Why reftrack disabled it (410 Gone, failing for 5 days); NULL when the brand did.
    disabled_reason        TEXT,
    -- The signing secret (`whsec_…`), sealed; the one a rotation replaced, until when.
    secret_sealed          TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_until  TIMESTAMP,
    -- The first failure since the last success; NULL while it succeeds.
    failing_since          TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    deleted_at             TIMESTAMP
);
CREATE INDEX webhook_endpoints_brand ON webhook_endpoints (brand_id, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    brand_id        TEXT NOT NULL REFERENCES brands (id),
    event_id        TEXT NOT NULL REFERENCES outbox_events (id),
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP,
    -- A worker holds the delivery until then; a worker killed mid-attempt lets it go.
    locked_until    TIMESTAMP,
    last_status     INTEGER,
    last_latency_ms BIGINT,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
