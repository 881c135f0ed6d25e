-- Baken foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql.
CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE neighbourhoods (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts(code),
    name TEXT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    district_code TEXT REFERENCES districts(code),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    street TEXT NOT NULL,
    house_number INTEGER NOT NULL CHECK (house_number BETWEEN 1 AND 99999),
    house_letter TEXT NOT NULL DEFAULT '',
    addition TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    neighbourhood_code TEXT NOT NULL REFERENCES neighbourhoods(code),
    district_code TEXT NOT NULL REFERENCES districts(code),
    team_id INTEGER REFERENCES teams(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (postcode, house_number, house_letter, addition)
);
CREATE INDEX households_team ON households(team_id, id);
CREATE INDEX households_district ON households(district_code);

CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    bsn TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    surname_prefix TEXT,
    surname TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX residents_household ON residents(household_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    provider_id INTEGER REFERENCES providers(id),
    household_id INTEGER REFERENCES households(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- No foreign key to users: the log outlives accounts.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT,
    role TEXT,
    client_addr TEXT NOT NULL,
    route TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_type, object_id);
CREATE INDEX audit_user ON audit_log(user_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
