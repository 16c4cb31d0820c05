-- The transactional outbox: every change worth telling is written here in the same
-- transaction as the change, so an event exists exactly when the change committed.
-- A dispatcher fans each one out to the brand's webhook endpoints and to e-mail.
CREATE TABLE outbox_events (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    event_type    TEXT NOT NULL,
    -- The event's `data` object, JSON, as receivers get it.
    data          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    -- When the dispatcher fanned it out; NULL until then.
    dispatched_at TIMESTAMP
);
CREATE INDEX outbox_events_undispatched ON outbox_events (dispatched_at, created_at);
CREATE INDEX outbox_events_brand ON outbox_events (brand_id, id);
