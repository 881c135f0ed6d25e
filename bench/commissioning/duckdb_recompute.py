"""The same figures as `commissioning::recompute_all`, computed by DuckDB over
the CSV export of the same tables (households and casework) and the scopes
Baken computed (report, indicator, measure, provider, district, period).

usage: duckdb_recompute.py EXPORT_DIR SCOPES_CSV OUT_CSV
Prints the wall time of the computation (reading the CSVs included).
"""
import resource
import sys
import time

import duckdb

export, scopes_csv, out_csv = sys.argv[1:4]


def csv(name, columns):
    cols = ", ".join(f"'{c}': '{t}'" for c, t in columns)
    return (f"read_csv('{export}/{name}.csv', header = false, auto_detect = false, "
            f"delim = ',', quote = '\"', columns = {{{cols}}})")


HOUSEHOLDS = csv("households", [("id", "BIGINT"), ("district_code", "VARCHAR")])
PLANS = csv("cw_plans", [("id", "BIGINT"), ("household_id", "BIGINT"), ("opened_on", "DATE"),
                         ("status", "VARCHAR"), ("closed_on", "DATE")])
GOALS = csv("cw_goals", [("id", "BIGINT"), ("plan_id", "BIGINT"), ("outcome", "VARCHAR"),
                         ("outcome_on", "DATE")])
AGREEMENTS = csv("cw_agreements", [("id", "BIGINT"), ("plan_id", "BIGINT"),
                                   ("provider_id", "BIGINT"), ("step", "BIGINT"),
                                   ("start_on", "DATE")])
MEASUREMENTS = csv("cw_measurements", [("id", "BIGINT"), ("household_id", "BIGINT"),
                                       ("measured_on", "DATE"), ("source", "VARCHAR")])
SCORES = csv("cw_scores", [("measurement_id", "BIGINT"), ("score", "VARCHAR")])
SIGNALS = csv("cw_signals", [("id", "BIGINT"), ("household_id", "BIGINT"),
                             ("reported_on", "DATE"), ("first_contact_on", "DATE")])
SCOPES = (f"read_csv('{scopes_csv}', header = false, auto_detect = false, delim = ',', "
          "columns = {'report_id': 'BIGINT', 'indicator_id': 'BIGINT', 'measure': 'VARCHAR', "
          "'provider_id': 'BIGINT', 'district': 'VARCHAR', 'from_on': 'DATE', 'until_on': 'DATE'})")

# Rust's integer division truncates toward zero; share() is hits * 10000 / total.
SQL = f"""
SET threads = 2;
CREATE TEMP TABLE s AS SELECT * FROM {SCOPES};
CREATE TEMP TABLE h AS SELECT * FROM {HOUSEHOLDS};
CREATE TEMP TABLE p AS SELECT * FROM {PLANS};
CREATE TEMP TABLE a AS SELECT * FROM {AGREEMENTS};
CREATE TEMP TABLE served AS SELECT DISTINCT p.household_id AS hh, a.provider_id
  FROM a JOIN p ON p.id = a.plan_id WHERE a.provider_id IS NOT NULL;
CREATE TEMP TABLE plan_providers AS SELECT DISTINCT plan_id, provider_id FROM a WHERE provider_id IS NOT NULL;

-- Goals achieved: goals with an outcome in the period, in plans the provider worked in.
CREATE TEMP TABLE r_goals AS
SELECT s.report_id, s.indicator_id,
       CASE WHEN count(*) > 0 THEN sum(CASE WHEN g.outcome = 'behaald' THEN 1 ELSE 0 END) * 10000 // count(*) END AS value,
       count(DISTINCT p.household_id) AS households
FROM s JOIN plan_providers pp ON pp.provider_id = s.provider_id
JOIN p ON p.id = pp.plan_id JOIN h ON h.id = p.household_id
JOIN {GOALS} g ON g.plan_id = p.id
WHERE s.measure = 'GoalsAchieved' AND (s.district IS NULL OR h.district_code = s.district)
  AND g.outcome_on BETWEEN s.from_on AND s.until_on
GROUP BY s.report_id, s.indicator_id;

-- ZRM change with the case-mix adjustment.
CREATE TEMP TABLE m AS
SELECT m.id, m.household_id AS hh, m.measured_on, m.source,
       sum(CASE WHEN sc.score = 'nvt' THEN 0 ELSE CAST(sc.score AS BIGINT) END) AS total,
       sum(CASE WHEN sc.score = 'nvt' THEN 0 ELSE 1 END) AS n
FROM {MEASUREMENTS} m JOIN {SCORES} sc ON sc.measurement_id = m.id
GROUP BY m.id, m.household_id, m.measured_on, m.source;
CREATE TEMP TABLE periods AS SELECT DISTINCT from_on, until_on FROM s WHERE measure = 'ZrmChange';
CREATE TEMP TABLE ranked AS
SELECT pe.from_on, pe.until_on, m.*,
       row_number() OVER (PARTITION BY pe.from_on, pe.until_on, m.hh ORDER BY m.measured_on, m.id) AS rn
FROM periods pe JOIN m ON m.measured_on <= pe.until_on
WHERE m.hh IN (SELECT m2.hh FROM m m2 WHERE m2.source = 'evaluatie'
               AND m2.measured_on BETWEEN pe.from_on AND pe.until_on);
CREATE TEMP TABLE cases AS
SELECT i.from_on, i.until_on, i.hh, h.district_code,
       i.total * 100 // i.n AS intake,
       e.total * 100 // e.n - i.total * 100 // i.n AS change
FROM ranked i
JOIN (SELECT from_on, until_on, hh, arg_max(total, (measured_on, id)) AS total,
             arg_max(n, (measured_on, id)) AS n
      FROM ranked WHERE rn > 1 AND source = 'evaluatie' GROUP BY ALL) e
  ON e.from_on = i.from_on AND e.until_on = i.until_on AND e.hh = i.hh
JOIN h ON h.id = i.hh
WHERE i.rn = 1 AND i.n > 0 AND e.n > 0;
CREATE TEMP TABLE cases_b AS SELECT *,
  CASE WHEN intake < 200 THEN 0 WHEN intake < 300 THEN 1 WHEN intake < 400 THEN 2 ELSE 3 END AS band FROM cases;
CREATE MACRO rounded_mean(total, n) AS
  sign(total) * ((2 * abs(total) + n) // (2 * n));
CREATE MACRO trunc_div(x, n) AS
  CASE WHEN x < 0 THEN -((-x) // n) ELSE x // n END;
CREATE TEMP TABLE zrm_scopes AS SELECT DISTINCT from_on, until_on, district FROM s WHERE measure = 'ZrmChange';
CREATE TEMP TABLE expected AS
SELECT z.from_on, z.until_on, z.district, c.band, rounded_mean(sum(c.change), count(*)) AS expected
FROM zrm_scopes z JOIN cases_b c ON c.from_on = z.from_on AND c.until_on = z.until_on
  AND (z.district IS NULL OR c.district_code = z.district)
GROUP BY ALL;
CREATE TEMP TABLE r_zrm AS
SELECT s.report_id, s.indicator_id,
       rounded_mean(sum(c.change - e.expected), count(*)) AS value,
       count(*) AS households
FROM s JOIN cases_b c ON c.from_on = s.from_on AND c.until_on = s.until_on
  AND (s.district IS NULL OR c.district_code = s.district)
JOIN served sv ON sv.hh = c.hh AND sv.provider_id = s.provider_id
JOIN expected e ON e.from_on = s.from_on AND e.until_on = s.until_on
  AND e.district IS NOT DISTINCT FROM s.district AND e.band = c.band
WHERE s.measure = 'ZrmChange'
GROUP BY s.report_id, s.indicator_id;

-- Share at steps 1-3: households by their heaviest step started in the period.
CREATE TEMP TABLE r_steps AS
WITH per AS (
  SELECT s.report_id, s.indicator_id, s.provider_id, p.household_id AS hh, max(a.step) AS step
  FROM s JOIN a ON a.start_on BETWEEN s.from_on AND s.until_on
  JOIN p ON p.id = a.plan_id JOIN h ON h.id = p.household_id
  WHERE s.measure = 'LightSteps' AND (s.district IS NULL OR h.district_code = s.district)
  GROUP BY ALL)
SELECT report_id, indicator_id, sum(CASE WHEN step <= 3 THEN 1 ELSE 0 END) * 10000 // count(*) AS value,
       count(*) AS households
FROM per JOIN served sv ON sv.hh = per.hh AND sv.provider_id = per.provider_id
GROUP BY report_id, indicator_id;

-- Back within 12 months: plans closed in the year before the period.
CREATE TEMP TABLE r_back AS
WITH closed AS (
  SELECT s.report_id, s.indicator_id, p.household_id AS hh, p.closed_on,
         (SELECT min(p2.opened_on) FROM p p2 WHERE p2.household_id = p.household_id
            AND p2.opened_on > p.closed_on) AS next_on
  FROM s JOIN plan_providers pp ON pp.provider_id = s.provider_id
  JOIN p ON p.id = pp.plan_id JOIN h ON h.id = p.household_id
  WHERE s.measure = 'BackWithinYear' AND (s.district IS NULL OR h.district_code = s.district)
    AND p.status = 'gesloten'
    AND p.closed_on BETWEEN s.from_on - INTERVAL 12 MONTH AND s.from_on - INTERVAL 1 DAY)
SELECT report_id, indicator_id,
       sum(CASE WHEN next_on <= closed_on + INTERVAL 12 MONTH THEN 1 ELSE 0 END) * 10000 // count(*) AS value,
       count(DISTINCT hh) AS households
FROM closed GROUP BY report_id, indicator_id;

-- Days from signal to first contact, the provider's households.
CREATE TEMP TABLE r_contact AS
SELECT s.report_id, s.indicator_id,
       trunc_div(sum(date_diff('day', g.reported_on, g.first_contact_on)) * 100, count(*)) AS value,
       count(DISTINCT g.household_id) AS households
FROM s JOIN {SIGNALS} g ON g.first_contact_on BETWEEN s.from_on AND s.until_on
JOIN h ON h.id = g.household_id
JOIN served sv ON sv.hh = g.household_id AND sv.provider_id = s.provider_id
WHERE s.measure = 'DaysToFirstContact' AND (s.district IS NULL OR h.district_code = s.district)
GROUP BY s.report_id, s.indicator_id;

CREATE TEMP TABLE result AS
SELECT s.report_id, s.indicator_id, r.value, coalesce(r.households, 0) AS households
FROM s LEFT JOIN (SELECT * FROM r_goals UNION ALL SELECT * FROM r_zrm UNION ALL SELECT * FROM r_steps
                  UNION ALL SELECT * FROM r_back UNION ALL SELECT * FROM r_contact) r
  ON r.report_id = s.report_id AND r.indicator_id = s.indicator_id;
"""

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


started, cpu_started = time.perf_counter(), cpu()
con = duckdb.connect()
con.execute(SQL)
rows = con.execute("SELECT report_id, indicator_id, value, households FROM result "
                   "ORDER BY report_id, indicator_id").fetchall()
wall, cpu_s = time.perf_counter() - started, cpu() - cpu_started
with open(out_csv, "w") as f:
    for r in rows:
        f.write(f"{r[0]},{r[1]},{'' if r[2] is None else int(r[2])},{r[3]}\n")
print(f'{{"figures": {len(rows)}, "wall_s": {wall:.3f}, "cpu_s": {cpu_s:.3f}}}')
