-- Which agreement's referral led to a toewijzing: the dashboard leaves such
-- agreements to their toewijzing (store::dashboard::support_uses). Without
-- this index each agreement on step 4 or 5 scanned every toewijzing: 116 s
-- over 2,000,000 households (docs/benchmarks.md, the dashboard).
CREATE INDEX ct_toewijzingen_referral ON ct_toewijzingen(referral_id);
