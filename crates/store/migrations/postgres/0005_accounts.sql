-- Accounts and beheer (PostgreSQL). Keep in step with ../sqlite/0005_accounts.sql.

-- Facts about the database itself, such as "this holds the synthetic
-- municipality" (written by the demo load, read at start-up for the banner).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A password set by a beheerder must be replaced by the user at the next login.
ALTER TABLE users ADD COLUMN password_temporary BOOLEAN NOT NULL DEFAULT FALSE;

-- A team can be deactivated (it keeps its history, but takes no new members).
ALTER TABLE teams ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- Optimistic locking for the remaining mutable records.
ALTER TABLE districts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE neighbourhoods ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE providers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
