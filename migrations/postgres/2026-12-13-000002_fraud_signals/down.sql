DROP INDEX influencers_payout_email;
ALTER TABLE orders DROP COLUMN signals;
