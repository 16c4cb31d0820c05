DROP TABLE brand_user_invitations;
