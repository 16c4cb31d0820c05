DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE influencers;
DROP TABLE brand_users;
DROP TABLE brands;
DROP TABLE settings;
