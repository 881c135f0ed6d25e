-- The buurtmarktplaats's term index (issue 14): every listing's keys — the
-- wijzer's Dutch analysis of its title and text (`baken_domain::kaart::text`),
-- written with the listing — so suggestions look up the listings that share a
-- word instead of analysing every open listing on each request.
--
-- mk_terms is the vocabulary: each key once, also reversed, both byte-ordered
-- (SQLite compares bytes) so a compound is found by a range scan on either end
-- ("maaltijd" in "buurtmaaltijd", "scootmobiel" in "scootmobielpool").
CREATE TABLE mk_terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    rterm TEXT NOT NULL
);
CREATE INDEX mk_terms_reversed ON mk_terms (rterm);

-- Which listing has which key, with what ranking reads of the listing (none
-- of it changes after posting), so a word's listings are scored from the
-- index alone; keyed by term, direction and category, so the listings of one
-- category that share a word are a narrow range. Whether a listing is still
-- open is checked on the best few.
CREATE TABLE mk_listing_terms (
    term_id BIGINT NOT NULL REFERENCES mk_terms(id),
    direction TEXT NOT NULL CHECK (direction IN ('vraag', 'aanbod')),
    listing_id BIGINT NOT NULL REFERENCES mk_listings(id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    district_code TEXT,
    on_date DATE,
    part_of_day TEXT NOT NULL,
    PRIMARY KEY (term_id, direction, category_id, listing_id)
) WITHOUT ROWID; -- the table is its key's b-tree: it covers as PostgreSQL's INCLUDE does
CREATE INDEX mk_listing_terms_listing ON mk_listing_terms (listing_id);

-- The analysis version a listing's keys were made with (0: not yet indexed);
-- the store re-indexes older ones after migrating, so a better analysis
-- reaches existing listings.
ALTER TABLE mk_listings ADD COLUMN terms_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mk_listings_terms_version ON mk_listings (terms_version);

-- What ranking reads of a candidate, in the index itself: the open listings
-- of one direction and category are scored without reading the table.
CREATE INDEX mk_listings_suggest ON mk_listings
    (direction, category_id, state, participant_id, district_code, on_date, part_of_day, id);
-- The few blocked participants, whose listings are never suggested.
CREATE INDEX mk_participants_blocked ON mk_participants (id) WHERE blocked = TRUE;
