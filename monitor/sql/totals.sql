-- Stapelingsmonitor: totals (true counts; protect before publishing).
-- Input: the linked Parquet file from `baken monitor link`, registered as the view `linked`.
-- Dialect: Spark SQL (also runs on Databricks; for Trino use cardinality() for size()).
SELECT
  COUNT(*)     AS households,
  SUM(records) AS records
FROM linked
