-- Households by the number of distinct domains they receive provisions from: 1, 2, 3, 4+.
SELECT
  CASE WHEN size(domains) >= 4 THEN '4+' ELSE CAST(size(domains) AS STRING) END AS domains,
  COUNT(*) AS households
FROM linked
GROUP BY 1
ORDER BY 1
