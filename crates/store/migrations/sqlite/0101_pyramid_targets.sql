-- The pyramid's targets (issue 15): the share of households per layer that
-- the municipality aims for, set in beheer (/beheer/piramide). One row, with a
-- version for optimistic locking; KING's 85/10/5 until a beheerder sets them.
-- Until now they were a `ct_settings` value "85/10/5"; that value moves here.
CREATE TABLE mon_targets (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    light INTEGER NOT NULL CHECK (light BETWEEN 0 AND 100),
    middle INTEGER NOT NULL CHECK (middle BETWEEN 0 AND 100),
    heavy INTEGER NOT NULL CHECK (heavy BETWEEN 0 AND 100),
    version INTEGER NOT NULL DEFAULT 1,
    set_by TEXT,
    set_at TEXT,
    CHECK (light + middle + heavy = 100)
);

INSERT INTO mon_targets (id, light, middle, heavy)
SELECT 1,
       CAST(substr(value, 1, instr(value, '/') - 1) AS INTEGER),
       CAST(substr(rest, 1, instr(rest, '/') - 1) AS INTEGER),
       CAST(substr(rest, instr(rest, '/') + 1) AS INTEGER)
FROM (SELECT value, substr(value, instr(value, '/') + 1) AS rest
      FROM ct_settings WHERE key = 'piramide_doelen');
INSERT INTO mon_targets (id, light, middle, heavy)
SELECT 1, 85, 10, 5 WHERE NOT EXISTS (SELECT 1 FROM mon_targets);
DELETE FROM ct_settings WHERE key = 'piramide_doelen';
