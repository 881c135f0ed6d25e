-- The cell key (sum of the households' record keys, `baken_domain::cell_key`)
-- of a computed figure's households, kept with the report's snapshot so the
-- count it rests on is published through the cell-key method like every
-- other count.
ALTER TABLE cm_report_values ADD COLUMN households_key BIGINT;
