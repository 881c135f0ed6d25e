-- Households by the number of distinct provisions (organisation + voorziening): 1, 2, 3, 4+.
SELECT
  CASE WHEN provisions >= 4 THEN '4+' ELSE CAST(provisions AS STRING) END AS provisions,
  COUNT(*) AS households
FROM linked
GROUP BY 1
ORDER BY 1
