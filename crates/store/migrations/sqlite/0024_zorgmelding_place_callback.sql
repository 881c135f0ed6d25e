-- A neighbour's worry signal (SQLite). Keep in step with
-- ../postgres/0024_zorgmelding_place_callback.sql.

-- When the neighbour does not know the address, they describe the place
-- ("het bankje bij de speeltuin aan de Lindelaan"); the signal then has no
-- postcode ('') and house number (0), and any team may pick it up.
ALTER TABLE cw_signals ADD COLUMN place TEXT;
-- A phone number the neighbour left for a call-back: shown only to the team,
-- and erased when the signal is closed (kept no longer than the signal).
ALTER TABLE cw_signals ADD COLUMN callback_phone TEXT;
