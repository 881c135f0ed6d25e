-- Households by their exact combination of domains (names sorted, joined with '+').
SELECT
  array_join(sort_array(domains), '+') AS combination,
  COUNT(*) AS households
FROM linked
GROUP BY 1
ORDER BY 1
