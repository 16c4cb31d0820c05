-- Team seats: an owner of a brand invites a teammate by e-mail, with the role they will
-- have. The token is random and only in the e-mail; its SHA-256 is stored. An invitation
-- is pending until it is accepted, revoked or expires (7 days); never both accepted and
-- revoked.
CREATE TABLE brand_user_invitations (
    id          TEXT PRIMARY KEY NOT NULL,
    brand_id    TEXT NOT NULL REFERENCES brands (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    token_hash  TEXT NOT NULL UNIQUE,
    -- The brand user who sent it. No foreign key: that user may be removed from the
    -- team later, and the invitation stays the brand's.
    invited_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at  TIMESTAMP,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- The brand's open invitations, and whether one is open for an address.
CREATE INDEX brand_user_invitations_brand_email ON brand_user_invitations (brand_id, email);
