-- Secrets of this installation, made once by the migration itself so that every
-- process serving the database uses the same ones. `pre_login` keys the HMAC of
-- the CSRF token that forms carry before login (cookie `baken_pre`).
-- gen_random_uuid() draws from pg_strong_random: two give 244 random bits.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
INSERT INTO server_secrets (name, secret)
VALUES ('pre_login', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- How many wrong passwords were tried on the account since its previous login,
-- kept with the session that followed so the account holder is told.
ALTER TABLE sessions ADD COLUMN failed_logins_before BIGINT NOT NULL DEFAULT 0;
