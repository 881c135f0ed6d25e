-- HSDS 3.0 as other publishers write it (issue 11). Keep in step with the
-- other backend's 0070_kaart_hsds_import.sql.
--
-- `hsds` keeps the object as the publisher gave it (JSON text, NULL for what
-- Baken made itself), so an export carries every field Baken does not model
-- (alternate names, contacts, languages, funding, attributes of other
-- taxonomies, service areas and cost options as given …).
ALTER TABLE kaart_services ADD COLUMN hsds TEXT;
ALTER TABLE kaart_organizations ADD COLUMN hsds TEXT;
ALTER TABLE kaart_locations ADD COLUMN hsds TEXT;
ALTER TABLE kaart_service_locations ADD COLUMN hsds TEXT;
-- An imported service without Baken's own facts (life domain, ladder step,
-- form, reach, access, volunteering) is "nog in te delen": it holds the
-- suggested facts and why (`classification_note`), waits in the beheer queue
-- and is not on the public map until a beheerder sets them.
ALTER TABLE kaart_services ADD COLUMN classified BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE kaart_services ADD COLUMN classification_note TEXT NOT NULL DEFAULT '';
-- What a publisher gave that has no row of its own in Baken, kept as given:
-- taxonomies and terms of other taxonomies (exported again), and rows of
-- the tabular form that name nothing in their file (kind = the table's name).
CREATE TABLE kaart_hsds_kept (
    kind TEXT NOT NULL,
    uuid TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, uuid)
);
