-- Mantelzorg (issue 14): informal carers, their burden checks (EDIZ), the
-- yearly mantelzorgwaardering (Wmo 2015 art. 2.1.6) and signals with consent.

CREATE TABLE mz_carers (
    id INTEGER PRIMARY KEY,
    -- A carer who registered themself; NULL when a generalist registered
    -- them from a household's network (then household_id and registered_by).
    user_id INTEGER UNIQUE REFERENCES users(id),
    household_id INTEGER REFERENCES households(id),
    registered_by INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    phone TEXT,
    district_code TEXT NOT NULL REFERENCES districts(code),
    hours_per_week INTEGER NOT NULL CHECK (hours_per_week BETWEEN 1 AND 168),
    relation TEXT NOT NULL,
    cares_for TEXT NOT NULL,
    -- The day the carer agreed to be registered (self: the day they did).
    consent_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((user_id IS NOT NULL) OR (registered_by IS NOT NULL))
);

CREATE TABLE mz_burden_checks (
    id INTEGER PRIMARY KEY,
    carer_id INTEGER NOT NULL REFERENCES mz_carers(id),
    taken_on TEXT NOT NULL,
    answers TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 9),
    level TEXT NOT NULL CHECK (level IN ('licht', 'matig', 'zwaar')),
    -- The wijkteam's signal, when the carer agreed to one.
    signal_id INTEGER REFERENCES cw_signals(id),
    created_at TEXT NOT NULL
);
CREATE INDEX mz_burden_checks_carer ON mz_burden_checks (carer_id);

CREATE TABLE mz_waarderingen (
    id INTEGER PRIMARY KEY,
    carer_id INTEGER NOT NULL REFERENCES mz_carers(id),
    year INTEGER NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('cadeaubon', 'bijdrage', 'uitje')),
    iban TEXT,
    state TEXT NOT NULL DEFAULT 'aangevraagd' CHECK (state IN ('aangevraagd', 'toegekend')),
    applied_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    UNIQUE (carer_id, year)
);
