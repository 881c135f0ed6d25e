-- Staff login: a second factor (TOTP) and single sign-on (OIDC).
-- Keep in step with ../postgres/0040_second_factor.sql.

-- One TOTP secret per account. Written when enrolment starts (confirmed_at
-- NULL until the user typed a first code); never shown again after that.
-- last_step is the last time step whose code was accepted: a code counts once.
CREATE TABLE second_factors (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_step BIGINT
);

-- Recovery codes, stored as SHA-256 of 80 random bits; each works once.
CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A session after the password step that still waits for the second factor
-- (or for enrolment): it opens nothing but the code and enrolment pages.
ALTER TABLE sessions ADD COLUMN second_factor_pending BOOLEAN NOT NULL DEFAULT FALSE;

-- Sessions from before second factors existed were made with a password
-- alone: everyone logs in once more.
DELETE FROM sessions;

-- An OIDC login under way: the state (hashed; the browser holds it in a
-- cookie), the nonce and the PKCE verifier, for ten minutes at most.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    back TEXT NOT NULL,
    created_at TEXT NOT NULL
);
