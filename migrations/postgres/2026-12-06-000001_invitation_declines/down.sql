DROP INDEX invitations_email;
ALTER TABLE invitations DROP COLUMN declined_at;
