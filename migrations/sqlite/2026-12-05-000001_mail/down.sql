DROP TABLE password_resets;
DROP TABLE mail_messages;
ALTER TABLE influencers DROP COLUMN notify_payouts;
ALTER TABLE influencers DROP COLUMN notify_sales;
