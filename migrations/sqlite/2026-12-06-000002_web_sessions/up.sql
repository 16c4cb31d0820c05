-- Signed-in browsers of the web portal: a random cookie, stored as SHA-256, revocable
-- (sign-out, password reset), ending after a spell of idleness or at its absolute end.
CREATE TABLE web_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    account      TEXT NOT NULL CHECK (account IN ('brand', 'influencer')),
    subject_id   TEXT NOT NULL,
    -- Every state-changing form carries it; random per session.
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX web_sessions_subject ON web_sessions (account, subject_id);
