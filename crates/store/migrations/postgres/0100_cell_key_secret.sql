-- The installation's secret behind the cell-key method (baken_domain::cell_key):
-- every record's key is HMAC-SHA256 of this secret and the record's id, so
-- every process serving the database publishes the same noise for the same records.
-- gen_random_uuid() draws from pg_strong_random: two give 244 random bits.
INSERT INTO server_secrets (name, secret)
VALUES ('cell_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
