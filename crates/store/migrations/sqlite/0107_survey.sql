-- The Wmo client survey (issue 15 item 4). Three tables that share no column
-- a person could be traced through:
--   sv_invitations  who was invited (household, provider, quarter): the
--                   person side, so nobody is invited twice for one quarter;
--   sv_tokens       the one-time codes, as SHA-256 hashes, with only team,
--                   provider and year (no household, no invitation id, no time);
--   sv_answers      the answers, with only team, provider and year, under a
--                   random id (no token, no time).
-- Tokens and answers are WITHOUT ROWID tables keyed by random values, so
-- neither their keys nor their storage order follow the order of the
-- invitations (PostgreSQL: the caller inserts tokens in shuffled order).

CREATE TABLE sv_invitations (
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    period TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'brief')),
    invited_on TEXT NOT NULL,
    PRIMARY KEY (household_id, provider_id, period)
);
CREATE INDEX sv_invitations_team ON sv_invitations(team_id, period);

CREATE TABLE sv_tokens (
    token_hash TEXT PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    year INTEGER NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
) WITHOUT ROWID;

CREATE TABLE sv_answers (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    year INTEGER NOT NULL,
    q1 INTEGER NOT NULL CHECK (q1 BETWEEN 0 AND 5),
    q2 INTEGER NOT NULL CHECK (q2 BETWEEN 0 AND 5),
    q3 INTEGER NOT NULL CHECK (q3 BETWEEN 0 AND 5),
    q4 INTEGER NOT NULL CHECK (q4 BETWEEN 0 AND 5),
    q5 INTEGER NOT NULL CHECK (q5 BETWEEN 0 AND 5),
    q6 INTEGER NOT NULL CHECK (q6 BETWEEN 0 AND 5),
    q7 INTEGER NOT NULL CHECK (q7 BETWEEN 0 AND 5),
    q8 INTEGER NOT NULL CHECK (q8 BETWEEN 0 AND 5),
    q9 INTEGER NOT NULL CHECK (q9 BETWEEN 0 AND 5)
) WITHOUT ROWID;
CREATE INDEX sv_answers_year ON sv_answers(year, team_id, provider_id);
