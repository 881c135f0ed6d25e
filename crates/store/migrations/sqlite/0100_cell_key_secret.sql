-- The installation's secret behind the cell-key method (baken_domain::cell_key):
-- every record's key is HMAC-SHA256 of this secret and the record's id, so
-- every process serving the database publishes the same noise for the same records.
INSERT INTO server_secrets (name, secret) VALUES ('cell_key', lower(hex(randomblob(32))));
