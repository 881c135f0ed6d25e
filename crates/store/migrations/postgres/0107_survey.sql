-- The Wmo client survey (issue 15 item 4). Three tables that share no column
-- a person could be traced through:
--   sv_invitations  who was invited (household, provider, quarter): the
--                   person side, so nobody is invited twice for one quarter;
--   sv_tokens       the one-time codes, as SHA-256 hashes, with only team,
--                   provider and year (no household, no invitation id, no time);
--   sv_answers      the answers, with only team, provider and year, under a
--                   random id (no token, no time).
-- Tokens and answers are tables keyed by random values, so
-- neither their keys nor their storage order follow the order of the
-- invitations: the caller inserts tokens in shuffled order, and answers come
-- one by one from residents, under random ids.

CREATE TABLE sv_invitations (
    household_id BIGINT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    period TEXT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES teams(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'brief')),
    invited_on DATE NOT NULL,
    PRIMARY KEY (household_id, provider_id, period)
);
CREATE INDEX sv_invitations_team ON sv_invitations(team_id, period);

CREATE TABLE sv_tokens (
    token_hash TEXT PRIMARY KEY,
    team_id BIGINT NOT NULL REFERENCES teams(id),
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    year INTEGER NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE sv_answers (
    id BIGINT PRIMARY KEY,
    team_id BIGINT NOT NULL REFERENCES teams(id),
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    year INTEGER NOT NULL,
    q1 SMALLINT NOT NULL CHECK (q1 BETWEEN 0 AND 5),
    q2 SMALLINT NOT NULL CHECK (q2 BETWEEN 0 AND 5),
    q3 SMALLINT NOT NULL CHECK (q3 BETWEEN 0 AND 5),
    q4 SMALLINT NOT NULL CHECK (q4 BETWEEN 0 AND 5),
    q5 SMALLINT NOT NULL CHECK (q5 BETWEEN 0 AND 5),
    q6 SMALLINT NOT NULL CHECK (q6 BETWEEN 0 AND 5),
    q7 SMALLINT NOT NULL CHECK (q7 BETWEEN 0 AND 5),
    q8 SMALLINT NOT NULL CHECK (q8 BETWEEN 0 AND 5),
    q9 SMALLINT NOT NULL CHECK (q9 BETWEEN 0 AND 5)
);
CREATE INDEX sv_answers_year ON sv_answers(year, team_id, provider_id);
