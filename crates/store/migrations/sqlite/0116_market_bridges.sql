-- Bridges between the buurtmarktplaats and casework (issue 14): a generalist
-- points a household to an ask or offer (with consent), a step-2 agreement
-- refers to a match, and a makelaar turns an ask too big for neighbours into
-- a signal for the wijkteam (with consent). Pointers only: nothing follows
-- what neighbours do after a match.

CREATE TABLE mk_pointers (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    listing_id INTEGER NOT NULL REFERENCES mk_listings(id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    consent TEXT NOT NULL CHECK (consent IN ('telefonisch', 'persoonlijk', 'bericht')),
    by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (household_id, listing_id)
);
CREATE INDEX mk_pointers_household ON mk_pointers (household_id);

-- The match a step-2 agreement refers to; the title stays when retention
-- deletes the listing (and with it the match).
CREATE TABLE mk_agreement_matches (
    agreement_id INTEGER PRIMARY KEY REFERENCES cw_agreements(id),
    match_id INTEGER REFERENCES mk_matches(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE mk_escalations (
    listing_id INTEGER PRIMARY KEY REFERENCES mk_listings(id) ON DELETE CASCADE,
    signal_id INTEGER NOT NULL REFERENCES cw_signals(id),
    consent TEXT NOT NULL CHECK (consent IN ('telefonisch', 'persoonlijk', 'bericht')),
    by_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
