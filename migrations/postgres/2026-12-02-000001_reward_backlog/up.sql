-- Memberships whose free-item grants were capped in a maturation pass: each pass grants
-- a bounded number per membership and rule, and later passes grant the rest from here
-- even when no new commission of the membership falls due.
CREATE TABLE reward_backlog (
    membership_id TEXT PRIMARY KEY NOT NULL REFERENCES memberships (id),
    since         TIMESTAMP NOT NULL
);
