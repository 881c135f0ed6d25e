-- Gaps in the offer (issue 15 item 3): what the Eigen Kracht Wijzer answered
-- without a fitting offer on the social map, kept as counters only. A row is a
-- cell (quarter, district, life domain, whether an offer was found) with its
-- count and the sum of its records' cell keys modulo 2^32, so the figures can be
-- published through the cell-key method without a row per search. No free text,
-- no time of day, no client address, no person: nothing here leads back to a
-- resident or to one visit.
-- life_domain: a life domain's code; '' when the answers named none; '*' for
-- the search itself (each search once, however many domains it touched).
-- district_code: the district the resident chose; '' when they chose none.
CREATE TABLE gap_wijzer_searches (
    period TEXT NOT NULL,
    district_code TEXT NOT NULL DEFAULT '',
    life_domain TEXT NOT NULL,
    offer_found BOOLEAN NOT NULL,
    searches INTEGER NOT NULL CHECK (searches >= 0),
    key_sum INTEGER NOT NULL DEFAULT 0 CHECK (key_sum >= 0 AND key_sum < 4294967296),
    PRIMARY KEY (period, district_code, life_domain, offer_found)
);
