-- Programs with versioned terms, invitations, memberships (ambassadors), referral codes
-- and clicks on referral links.

CREATE TABLE programs (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    -- The current terms document and its version (a copy of the newest program_versions row).
    terms         TEXT NOT NULL,
    terms_version INTEGER NOT NULL CHECK (terms_version >= 1),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX programs_brand_id ON programs (brand_id, id);

-- Every terms version ever in force; rows are only ever added.
CREATE TABLE program_versions (
    program_id TEXT NOT NULL REFERENCES programs (id),
    version    INTEGER NOT NULL CHECK (version >= 1),
    currency   TEXT NOT NULL CHECK (length(currency) = 3),
    terms      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (program_id, version)
);

CREATE TABLE memberships (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    program_id    TEXT NOT NULL REFERENCES programs (id),
    influencer_id TEXT NOT NULL REFERENCES influencers (id),
    status        TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (brand_id, influencer_id)
);
CREATE INDEX memberships_influencer_id ON memberships (influencer_id);
CREATE INDEX memberships_brand_id ON memberships (brand_id, id);

CREATE TABLE invitations (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    program_id    TEXT NOT NULL REFERENCES programs (id),
    email         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    accepted_at   TIMESTAMP,
    membership_id TEXT REFERENCES memberships (id)
);
CREATE INDEX invitations_brand_id ON invitations (brand_id);

-- Codes are stored upper-case, so uniqueness per brand is case-insensitive.
CREATE TABLE codes (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    membership_id TEXT NOT NULL REFERENCES memberships (id),
    code          TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    max_uses      BIGINT CHECK (max_uses >= 0),
    uses          BIGINT NOT NULL CHECK (uses >= 0),
    expires_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (brand_id, code)
);
CREATE INDEX codes_membership_id ON codes (membership_id);

-- Visitors are kept only as salted hashes of IP address and user agent.
CREATE TABLE clicks (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    code_id       TEXT NOT NULL REFERENCES codes (id),
    membership_id TEXT NOT NULL REFERENCES memberships (id),
    ip_hash       TEXT NOT NULL,
    ua_hash       TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX clicks_code_visitor ON clicks (code_id, ip_hash, ua_hash, created_at);
CREATE INDEX clicks_membership_id ON clicks (membership_id, created_at);
