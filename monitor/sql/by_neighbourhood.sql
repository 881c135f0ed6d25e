-- Households per CBS neighbourhood, and how many of them receive provisions from two or more domains.
SELECT
  buurtcode,
  COUNT(*) AS households,
  SUM(CASE WHEN size(domains) >= 2 THEN 1 ELSE 0 END) AS multi_domain
FROM linked
GROUP BY buurtcode
ORDER BY buurtcode
