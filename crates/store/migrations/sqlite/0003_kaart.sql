-- Sociale kaart and Eigen Kracht Wijzer (SQLite). Keep in step with ../postgres/0003_kaart.sql.
-- Multi-valued codes (life domains, districts) are stored as comma-separated
-- lists: the map is filtered in Rust with Dutch-aware matching, the same on
-- both backends, so SQL never has to look inside them.

-- HSDS identity and details of a provider (organisation).
CREATE TABLE kaart_organizations (
    provider_id INTEGER PRIMARY KEY REFERENCES providers(id),
    uuid TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
);

CREATE TABLE kaart_services (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    domains TEXT NOT NULL,
    step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 5),
    form TEXT NOT NULL,
    reach TEXT NOT NULL,
    access TEXT NOT NULL,
    cost_cents INTEGER,
    cost_unit TEXT,
    districts TEXT NOT NULL DEFAULT '',
    schedule TEXT NOT NULL DEFAULT '',
    eligibility TEXT NOT NULL DEFAULT '',
    min_age INTEGER,
    max_age INTEGER,
    how_to_apply TEXT NOT NULL DEFAULT '',
    capacity TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    volunteering BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX kaart_services_provider ON kaart_services(provider_id);

CREATE TABLE kaart_locations (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    district_code TEXT
);

CREATE TABLE kaart_service_locations (
    uuid TEXT PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES kaart_services(id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES kaart_locations(id),
    UNIQUE (service_id, location_id)
);

-- The wijzer's content: topics, questions, interests, network options,
-- stories and rules, each a JSON document a beheerder edits.
CREATE TABLE kaart_wijzer_items (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

-- "Laat een professional meedenken": the structured answers; the request itself
-- reaches the wijkteam as a casework signal of category hulpvraag.
CREATE TABLE kaart_help_requests (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    district_code TEXT,
    answers TEXT NOT NULL,
    contact TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'nieuw'
);
