-- Casework, second round (PostgreSQL). Keep in step with ../sqlite/0006_casework_more.sql.

-- Response norms in working days, set by the beheerder. One row per version;
-- the highest version is the current one, the others are its history. A
-- second writer of the same version fails on the primary key (a conflict).
CREATE TABLE cw_response_norms (
    version BIGINT PRIMARY KEY,
    crisis BIGINT NOT NULL CHECK (crisis BETWEEN 0 AND 1),
    urgent BIGINT NOT NULL,
    normaal BIGINT NOT NULL CHECK (normaal <= 30),
    set_at TIMESTAMPTZ NOT NULL,
    set_by BIGINT REFERENCES users(id),
    CHECK (crisis <= urgent AND urgent <= normaal)
);
-- The defaults: same day, 3 and 10 working days.
INSERT INTO cw_response_norms (version, crisis, urgent, normaal, set_at, set_by)
VALUES (1, 0, 3, 10, date_trunc('milliseconds', now()), NULL);

-- A signal's full address, so that signals about one dwelling come together
-- before anyone has linked them to a household.
ALTER TABLE cw_signals ADD COLUMN house_letter TEXT NOT NULL DEFAULT '';
ALTER TABLE cw_signals ADD COLUMN addition TEXT NOT NULL DEFAULT '';
CREATE INDEX cw_signals_address ON cw_signals(postcode, house_number, house_letter, addition);

-- A provider sees a plan through the provider it was linked to, never through
-- a name. Until now the link was made by matching free text with a provider's
-- name; keep the links that were made, but only where a provider can be the
-- one acting (a neighbour who happens to share a provider's name is not that
-- provider), and show the provider's own name beside each link.
UPDATE cw_agreements SET provider_id = NULL WHERE actor NOT IN ('voorziening', 'specialist');
UPDATE cw_agreements a SET actor_name = p.name FROM providers p WHERE p.id = a.provider_id;
UPDATE cw_consents k SET organisation = p.name FROM providers p WHERE p.id = k.provider_id;

ALTER TABLE cw_agreements ADD CONSTRAINT cw_agreements_provider_actor
    CHECK (provider_id IS NULL OR actor IN ('voorziening', 'specialist'));
