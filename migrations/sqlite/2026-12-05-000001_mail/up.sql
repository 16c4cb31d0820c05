-- E-mail: which notifications an influencer wants, the mail waiting to go out (through
-- the same outbox as webhooks, with retries), and password-reset tokens.
ALTER TABLE influencers ADD COLUMN notify_sales BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE influencers ADD COLUMN notify_payouts BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE mail_messages (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    brand_id        TEXT REFERENCES brands (id),
    -- One message per outbox event and recipient (`sale:{event}`,
    -- `payout_paid:{event}:{ambassador}`), so a second dispatcher adds none; NULL for a
    -- message its use case wrote in its own transaction (an invitation, a reset).
    dedupe_key      TEXT UNIQUE,
    -- Recipient, subject and both bodies, sealed (AES-256-GCM, bound to the id): a
    -- reset link is a secret. Emptied once sent.
    message_sealed  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP,
    -- A worker holds the message until then; a worker killed mid-attempt lets it go.
    locked_until    TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX mail_messages_due ON mail_messages (status, next_attempt_at);

CREATE TABLE password_resets (
    id         TEXT PRIMARY KEY NOT NULL,
    account    TEXT NOT NULL CHECK (account IN ('brand', 'influencer')),
    subject_id TEXT NOT NULL,
    -- SHA-256 of the token; the token itself is only in the e-mail.
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_subject ON password_resets (account, subject_id);
