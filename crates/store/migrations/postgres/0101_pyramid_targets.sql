-- The pyramid's targets (issue 15): the share of households per layer that
-- the municipality aims for, set in beheer (/beheer/piramide). One row, with a
-- version for optimistic locking; KING's 85/10/5 until a beheerder sets them.
-- Until now they were a `ct_settings` value "85/10/5"; that value moves here.
CREATE TABLE mon_targets (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    light BIGINT NOT NULL CHECK (light BETWEEN 0 AND 100),
    middle BIGINT NOT NULL CHECK (middle BETWEEN 0 AND 100),
    heavy BIGINT NOT NULL CHECK (heavy BETWEEN 0 AND 100),
    version BIGINT NOT NULL DEFAULT 1,
    set_by TEXT,
    set_at TIMESTAMPTZ,
    CHECK (light + middle + heavy = 100)
);

INSERT INTO mon_targets (id, light, middle, heavy)
SELECT 1, split_part(value, '/', 1)::BIGINT, split_part(value, '/', 2)::BIGINT,
       split_part(value, '/', 3)::BIGINT
FROM ct_settings WHERE key = 'piramide_doelen';
INSERT INTO mon_targets (id, light, middle, heavy)
SELECT 1, 85, 10, 5 WHERE NOT EXISTS (SELECT 1 FROM mon_targets);
DELETE FROM ct_settings WHERE key = 'piramide_doelen';
