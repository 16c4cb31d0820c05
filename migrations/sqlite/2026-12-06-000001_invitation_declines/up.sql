-- An influencer may decline an invitation sent to their login e-mail; a declined
-- invitation can no longer be accepted, and none is both accepted and declined.
ALTER TABLE invitations ADD COLUMN declined_at TIMESTAMP CHECK (declined_at IS NULL OR accepted_at IS NULL);
-- The influencer's inbox: the invitations sent to one address, newest first.
CREATE INDEX invitations_email ON invitations (email, id);
