-- Mantelzorg settings (issue 14): the mantelzorgwaardering's on/off, amount,
-- year and application window, set in beheer (`store::settings`, scope
-- Carers). The same key-value shape as ct_settings and mk_settings; the key
-- 'versie' guards a beheer form against lost updates. Until beheer saves, the
-- defaults in `WaarderingSettings::default_for` apply.
CREATE TABLE mz_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
