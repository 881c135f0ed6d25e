-- Buurtmarktplaats (issue 14): participants (own account or proxy), asks and
-- offers, matches, messages, reports and moderation. No table records what
-- happens after a match, and none counts hours (no time bank).

CREATE TABLE mk_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Editable in beheer; the migration seeds the defaults (seeded, version 1).
CREATE TABLE mk_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    seeded BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

INSERT INTO mk_categories (name, seeded) VALUES
    ('Koken', TRUE), ('Gezelschap', TRUE), ('Hond uitlaten', TRUE),
    ('Lift naar de dokter', TRUE), ('Klusje in huis', TRUE), ('Tuin', TRUE),
    ('Boodschappen', TRUE), ('Administratie', TRUE), ('Technologie', TRUE),
    ('Voorlezen', TRUE), ('Huiswerk en taal', TRUE), ('Samen activiteit', TRUE);

-- Districts that border each other (stored both ways).
CREATE TABLE mk_neighbours (
    district_code TEXT NOT NULL REFERENCES districts(code),
    neighbour_code TEXT NOT NULL REFERENCES districts(code),
    PRIMARY KEY (district_code, neighbour_code)
);

CREATE TABLE mk_participants (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    district_code TEXT NOT NULL REFERENCES districts(code),
    kind TEXT NOT NULL CHECK (kind IN ('account', 'proxy')),
    -- An account: its login and e-mail address.
    user_id INTEGER UNIQUE REFERENCES users(id),
    email TEXT UNIQUE,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    -- A proxy: the makelaar who reaches them, and how.
    makelaar_user_id INTEGER REFERENCES users(id),
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    phone TEXT,
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    warnings INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'account') = (user_id IS NOT NULL)),
    CHECK ((kind = 'proxy') = (makelaar_user_id IS NOT NULL))
);
CREATE INDEX mk_participants_created ON mk_participants (created_at);

-- E-mail verification links: the token is stored hashed and used once.
CREATE TABLE mk_verifications (
    token_hash TEXT PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES mk_participants(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE mk_listings (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES mk_participants(id),
    direction TEXT NOT NULL CHECK (direction IN ('vraag', 'aanbod')),
    category_id INTEGER NOT NULL REFERENCES mk_categories(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- NULL: the whole town.
    district_code TEXT REFERENCES districts(code),
    recurrence TEXT NOT NULL CHECK (recurrence IN ('eenmalig', 'terugkerend')),
    on_date TEXT,
    part_of_day TEXT NOT NULL CHECK (part_of_day IN ('ochtend', 'middag', 'avond', 'flexibel')),
    urgent BOOLEAN NOT NULL DEFAULT FALSE,
    places INTEGER NOT NULL DEFAULT 1 CHECK (places BETWEEN 1 AND 500),
    is_group BOOLEAN NOT NULL DEFAULT FALSE,
    taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= places),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'vol', 'gesloten', 'verborgen')),
    posted_by_user_id INTEGER REFERENCES users(id),
    posted_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    first_reply_at TEXT,
    closed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mk_listings_open ON mk_listings (state, direction, category_id);
CREATE INDEX mk_listings_participant ON mk_listings (participant_id);

CREATE TABLE mk_matches (
    id INTEGER PRIMARY KEY,
    listing_id INTEGER NOT NULL REFERENCES mk_listings(id) ON DELETE CASCADE,
    -- The participant answering the listing, and their own listing if they came from one.
    responder_id INTEGER NOT NULL REFERENCES mk_participants(id),
    via_listing_id INTEGER REFERENCES mk_listings(id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('voorgesteld', 'geaccepteerd', 'contact_gedeeld', 'afgesloten', 'afgewezen')),
    proposed_by TEXT NOT NULL CHECK (proposed_by IN ('vraag', 'aanbod')),
    ask_agrees BOOLEAN NOT NULL DEFAULT FALSE,
    offer_agrees BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when a makelaar made the match on someone's behalf.
    made_by_user_id INTEGER REFERENCES users(id),
    -- When it was accepted (kept after closing, for the figures: matches made).
    accepted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (listing_id, responder_id)
);
CREATE INDEX mk_matches_responder ON mk_matches (responder_id);

CREATE TABLE mk_messages (
    id INTEGER PRIMARY KEY,
    match_id INTEGER NOT NULL REFERENCES mk_matches(id) ON DELETE CASCADE,
    from_participant_id INTEGER NOT NULL REFERENCES mk_participants(id),
    body TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    sent_at TEXT NOT NULL
);
CREATE INDEX mk_messages_match ON mk_messages (match_id, sent_at);
CREATE INDEX mk_messages_sent ON mk_messages (sent_at);

-- Reports of a listing or message, and what a makelaar decided.
CREATE TABLE mk_reports (
    id INTEGER PRIMARY KEY,
    listing_id INTEGER REFERENCES mk_listings(id) ON DELETE CASCADE,
    message_id INTEGER REFERENCES mk_messages(id) ON DELETE CASCADE,
    reporter_id INTEGER REFERENCES mk_participants(id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    action TEXT CHECK (action IN ('verbergen', 'waarschuwen', 'blokkeren', 'afwijzen')),
    action_reason TEXT,
    decided_by_user_id INTEGER REFERENCES users(id),
    decided_at TEXT,
    CHECK ((listing_id IS NULL) <> (message_id IS NULL))
);
