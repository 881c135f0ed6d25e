-- Casework, second round (SQLite). Keep in step with ../postgres/0006_casework_more.sql.

-- Response norms in working days, set by the beheerder. One row per version;
-- the highest version is the current one, the others are its history. A
-- second writer of the same version fails on the primary key (a conflict).
CREATE TABLE cw_response_norms (
    version INTEGER PRIMARY KEY,
    crisis INTEGER NOT NULL CHECK (crisis BETWEEN 0 AND 1),
    urgent INTEGER NOT NULL,
    normaal INTEGER NOT NULL CHECK (normaal <= 30),
    set_at TEXT NOT NULL,
    set_by INTEGER REFERENCES users(id),
    CHECK (crisis <= urgent AND urgent <= normaal)
);
-- The defaults: same day, 3 and 10 working days.
INSERT INTO cw_response_norms (version, crisis, urgent, normaal, set_at, set_by)
VALUES (1, 0, 3, 10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL);

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
UPDATE cw_agreements SET actor_name = (SELECT p.name FROM providers p WHERE p.id = cw_agreements.provider_id)
WHERE provider_id IS NOT NULL;
UPDATE cw_consents SET organisation = (SELECT p.name FROM providers p WHERE p.id = cw_consents.provider_id)
WHERE provider_id IS NOT NULL;

CREATE TRIGGER cw_agreements_provider_actor_insert BEFORE INSERT ON cw_agreements
WHEN NEW.provider_id IS NOT NULL AND NEW.actor NOT IN ('voorziening', 'specialist')
BEGIN
    SELECT RAISE(ABORT, 'only a service or a specialist provider refers to a provider');
END;
CREATE TRIGGER cw_agreements_provider_actor_update BEFORE UPDATE OF provider_id, actor ON cw_agreements
WHEN NEW.provider_id IS NOT NULL AND NEW.actor NOT IN ('voorziening', 'specialist')
BEGIN
    SELECT RAISE(ABORT, 'only a service or a specialist provider refers to a provider');
END;
