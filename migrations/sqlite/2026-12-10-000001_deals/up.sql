-- Deals: what a brand offers an ambassador besides commission (a fee per deliverable,
-- gifted products, the deliverables themselves), every version of the offer's fee, the
-- proof the influencer submits per deliverable, and the shipment of each gift. Money a
-- deal earns is a `flat_fee` ledger entry; the rows here only say why.
CREATE TABLE deals (
    id            TEXT PRIMARY KEY NOT NULL,
    brand_id      TEXT NOT NULL REFERENCES brands (id),
    program_id    TEXT NOT NULL REFERENCES programs (id),
    -- The ambassador it is for; NULL while it waits on an invitation (set when the
    -- invitation is accepted).
    membership_id TEXT REFERENCES memberships (id),
    invitation_id TEXT REFERENCES invitations (id),
    title         TEXT NOT NULL,
    terms         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn', 'completed', 'cancelled')),
    -- The version on the table, and who must answer it.
    version       INTEGER NOT NULL CHECK (version >= 1),
    awaiting      TEXT NOT NULL CHECK (awaiting IN ('influencer', 'brand')),
    accepted_version INTEGER,
    expires_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK (membership_id IS NOT NULL OR invitation_id IS NOT NULL)
);
CREATE INDEX deals_brand ON deals (brand_id, id);
CREATE INDEX deals_membership ON deals (membership_id, id);
CREATE INDEX deals_invitation ON deals (invitation_id);
CREATE INDEX deals_offered ON deals (status, expires_at);

-- Every fee proposed for a deal, appended: the brand's offer is version 1, each
-- counter-offer the next. `declined_at` is set once when the other side declines it.
CREATE TABLE deal_versions (
    id          TEXT PRIMARY KEY NOT NULL,
    deal_id     TEXT NOT NULL REFERENCES deals (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    fee         BIGINT NOT NULL CHECK (fee >= 0),
    proposed_by TEXT NOT NULL CHECK (proposed_by IN ('influencer', 'brand')),
    note        TEXT,
    declined_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (deal_id, version)
);

CREATE TABLE deal_deliverables (
    id           TEXT PRIMARY KEY NOT NULL,
    deal_id      TEXT NOT NULL REFERENCES deals (id),
    position     INTEGER NOT NULL,
    platform     TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok', 'youtube', 'facebook', 'x', 'blog', 'other')),
    kind         TEXT NOT NULL CHECK (kind IN ('post', 'story', 'reel', 'video', 'article', 'other')),
    count        INTEGER NOT NULL CHECK (count >= 1),
    -- The due date, 'YYYY-MM-DD' (UTC).
    due_on       TEXT NOT NULL CHECK (length(due_on) = 10),
    keep_up_days INTEGER NOT NULL CHECK (keep_up_days >= 0),
    requirements TEXT NOT NULL,
    UNIQUE (deal_id, position)
);

CREATE TABLE deal_gifts (
    id           TEXT PRIMARY KEY NOT NULL,
    deal_id      TEXT NOT NULL REFERENCES deals (id),
    position     INTEGER NOT NULL,
    sku          TEXT NOT NULL,
    description  TEXT NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity >= 1),
    -- Declared value of one unit, minor units of the deal's currency; never payable.
    unit_value   BIGINT NOT NULL CHECK (unit_value >= 0),
    shipment     TEXT NOT NULL CHECK (shipment IN ('to_ship', 'shipped', 'delivered')),
    carrier      TEXT,
    tracking     TEXT,
    shipped_at   TIMESTAMP,
    delivered_at TIMESTAMP,
    UNIQUE (deal_id, position)
);

-- Proof of one published deliverable. A rejected proof stays; the influencer submits a
-- new one. An approved proof names its flat fee entry, and its reversal when the brand
-- reported the post removed before the keep-up period ended.
CREATE TABLE deliverable_proofs (
    id             TEXT PRIMARY KEY NOT NULL,
    brand_id       TEXT NOT NULL REFERENCES brands (id),
    deal_id        TEXT NOT NULL REFERENCES deals (id),
    deliverable_id TEXT NOT NULL REFERENCES deal_deliverables (id),
    url            TEXT NOT NULL,
    published_at   TIMESTAMP NOT NULL,
    views          BIGINT CHECK (views >= 0),
    likes          BIGINT CHECK (likes >= 0),
    comments       BIGINT CHECK (comments >= 0),
    state          TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'rejected', 'removed')),
    reason         TEXT,
    submitted_at   TIMESTAMP NOT NULL,
    decided_at     TIMESTAMP,
    decided_by     TEXT,
    fee_entry_id   TEXT REFERENCES ledger_entries (id),
    removed_at     TIMESTAMP,
    removal_reason TEXT,
    reversal_entry_id TEXT REFERENCES ledger_entries (id)
);
CREATE INDEX deliverable_proofs_deliverable ON deliverable_proofs (deliverable_id, id);
CREATE INDEX deliverable_proofs_deal ON deliverable_proofs (deal_id, id);
CREATE INDEX deliverable_proofs_review ON deliverable_proofs (brand_id, state);
