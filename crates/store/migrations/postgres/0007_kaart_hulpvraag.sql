-- A resident's request for help knows the casework signal it became, and keeps
-- the answers in the words the resident saw (labels), so the wijkteam reads
-- them as given even after a beheerder changes the wijzer. Keep in step with
-- ../sqlite/0007_kaart_hulpvraag.sql.
ALTER TABLE kaart_help_requests ADD COLUMN signal_id BIGINT REFERENCES cw_signals(id);
ALTER TABLE kaart_help_requests ADD COLUMN labelled TEXT;
CREATE INDEX kaart_help_requests_signal ON kaart_help_requests(signal_id);
