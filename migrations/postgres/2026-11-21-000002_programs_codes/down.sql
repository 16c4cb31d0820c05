DROP TABLE clicks;
DROP TABLE codes;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE program_versions;
DROP TABLE programs;
