-- Households by the number of distinct organisations that reported them: 1, 2, 3, 4+.
SELECT
  CASE WHEN size(organisations) >= 4 THEN '4+' ELSE CAST(size(organisations) AS STRING) END AS organisations,
  COUNT(*) AS households
FROM linked
GROUP BY 1
ORDER BY 1
