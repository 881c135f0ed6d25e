-- Volunteer work (issue 14): volunteers' profiles with their VOG date,
-- providers' vacancies linked to the social map, applications and placements.

CREATE TABLE vw_profiles (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
    display_name TEXT NOT NULL,
    district_code TEXT REFERENCES districts(code),
    skills TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    trainings TEXT NOT NULL DEFAULT '',
    -- Comma-separated codes: ochtend, middag, avond, weekend.
    availability TEXT NOT NULL DEFAULT '',
    vog_valid_until TEXT,
    -- The end date the last VOG reminder was for (once per end date).
    vog_reminded_for TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE vw_vacancies (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    service_id INTEGER REFERENCES kaart_services(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- NULL: the whole town.
    district_code TEXT REFERENCES districts(code),
    vog_required BOOLEAN NOT NULL,
    open BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE vw_applications (
    id INTEGER PRIMARY KEY,
    vacancy_id INTEGER NOT NULL REFERENCES vw_vacancies(id),
    profile_id INTEGER NOT NULL REFERENCES vw_profiles(id),
    motivation TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'aangemeld'
        CHECK (state IN ('aangemeld', 'geplaatst', 'afgewezen', 'ingetrokken')),
    start_on TEXT,
    decided_by INTEGER REFERENCES users(id),
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    decided_at TEXT,
    UNIQUE (vacancy_id, profile_id)
);
CREATE INDEX vw_applications_state ON vw_applications (state);
