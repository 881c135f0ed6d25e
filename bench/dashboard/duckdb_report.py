"""The verantwoording dashboard's figures computed by DuckDB over the CSV
export of the same tables Baken reads (issue 15's benchmark): the pyramid of
the year with its cost per layer, per quarter and area (the municipality and
every district) the three layer shares, maatwerk per 1,000 residents and the
share of households back within 12 months, the purchases per product and
provider, and the facts behind the eight bakens per quarter and area (computed
so the work is the same; `report.rs check` compares the rest).

usage: duckdb_report.py EXPORT_DIR TODAY OUT_CSV
Prints the wall and CPU time of the computation (reading the CSVs included).
Every value is the true one, unprotected: the check asks whether Baken's
published figure is consistent with it.
"""
import datetime
import resource
import sys
import time

import duckdb

export, today_s, out_csv = sys.argv[1:4]
today = datetime.date.fromisoformat(today_s)


def csv(name, columns):
    cols = ", ".join(f"'{c}': '{t}'" for c, t in columns)
    return (f"read_csv('{export}/{name}.csv', header = false, auto_detect = false, "
            f"delim = ',', quote = '\"', columns = {{{cols}}})")


# The last eight whole quarters before today's, and the year of today.
q = (today.month - 1) // 3
y = today.year
quarters = []
for _ in range(8):
    q -= 1
    if q < 0:
        q, y = 3, y - 1
    first = datetime.date(y, 3 * q + 1, 1)
    last = (datetime.date(y + (q == 3), (3 * q + 3) % 12 + 1, 1) - datetime.timedelta(days=1))
    quarters.append((f"{y}-K{q + 1}", first, last))
quarters.reverse()
year = (str(today.year), datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
since = min(quarters[0][1] - datetime.timedelta(days=366), year[1])
periods = ", ".join(f"('{c}', DATE '{f}', DATE '{l}')" for c, f, l in quarters)

SQL = f"""
SET threads = 2;
CREATE TEMP TABLE h AS SELECT * FROM {csv("households", [("id", "BIGINT"), ("district_code", "VARCHAR")])};
CREATE TEMP TABLE r AS SELECT * FROM {csv("residents", [("id", "BIGINT"), ("household_id", "BIGINT")])};
CREATE TEMP TABLE p AS SELECT * FROM {csv("cw_plans", [("id", "BIGINT"), ("household_id", "BIGINT"),
    ("opened_on", "DATE"), ("status", "VARCHAR"), ("closed_on", "DATE")])};
CREATE TEMP TABLE a AS SELECT * FROM {csv("cw_agreements", [("id", "BIGINT"), ("plan_id", "BIGINT"),
    ("provider_id", "BIGINT"), ("step", "BIGINT"), ("start_on", "DATE"), ("until_on", "DATE"),
    ("referral_id", "BIGINT"), ("actor", "VARCHAR"), ("actor_name", "VARCHAR"), ("ended_on", "DATE")])};
CREATE TEMP TABLE z AS SELECT * FROM {csv("ct_toewijzingen", [("id", "BIGINT"), ("household_id", "BIGINT"),
    ("referral_id", "BIGINT"), ("product_id", "BIGINT"), ("provider_id", "BIGINT"), ("start_date", "DATE"),
    ("until_on", "DATE"), ("volume", "BIGINT"), ("unit", "VARCHAR"), ("frequency", "VARCHAR"),
    ("budget_cents", "BIGINT")])};
CREATE TEMP TABLE pr AS SELECT * FROM {csv("ct_products", [("id", "BIGINT"), ("name", "VARCHAR"), ("step", "BIGINT")])};
CREATE TEMP TABLE t AS SELECT * FROM {csv("ct_tariffs", [("product_id", "BIGINT"), ("cents", "BIGINT"),
    ("valid_from", "DATE"), ("valid_until", "DATE")])};
CREATE TEMP TABLE pv AS SELECT * FROM {csv("providers", [("id", "BIGINT"), ("name", "VARCHAR")])};
CREATE TEMP TABLE q AS SELECT * FROM (VALUES {periods}) v(code, first_day, last_day);

-- Every use of support since {since}: agreements (those on steps 4-5 whose
-- referral led to a toewijzing are left to the toewijzing) and toewijzingen,
-- priced by the product's single valid tariff x volume, or the budget.
CREATE TEMP TABLE uses AS
SELECT p.household_id AS hh, h.district_code AS district, a.step, a.start_on AS from_on, a.until_on,
       NULL::BIGINT AS yearly, a.step >= 4 AS billed, NULL::VARCHAR AS product, NULL::VARCHAR AS provider
FROM a JOIN p ON p.id = a.plan_id JOIN h ON h.id = p.household_id
WHERE (a.until_on IS NULL OR a.until_on >= DATE '{since}')
  AND NOT (a.step >= 4 AND EXISTS (SELECT 1 FROM z WHERE z.referral_id = a.referral_id))
UNION ALL
SELECT z.household_id, h.district_code, pr.step, z.start_date, z.until_on,
       CASE
         WHEN z.volume IS NOT NULL AND z.unit IS NOT NULL AND z.frequency IS NOT NULL THEN
           CASE WHEN z.unit = '83' THEN z.volume * 100 * f.per_year
                WHEN tt.n = 1 THEN tt.cents * z.volume * f.per_year END
         WHEN z.budget_cents IS NOT NULL THEN z.budget_cents
       END,
       TRUE, pr.name, pv.name
FROM z JOIN h ON h.id = z.household_id JOIN pr ON pr.id = z.product_id JOIN pv ON pv.id = z.provider_id
LEFT JOIN (VALUES ('1', 365), ('2', 52), ('4', 12), ('6', 1)) f(code, per_year) ON f.code = z.frequency
LEFT JOIN LATERAL (SELECT min(t.cents) AS cents, count(DISTINCT t.cents) AS n FROM t
                   WHERE t.product_id = z.product_id AND t.valid_from <= z.start_date
                     AND (t.valid_until IS NULL OR t.valid_until >= z.start_date)) tt ON TRUE
WHERE z.until_on IS NULL OR z.until_on >= DATE '{since}';
CREATE TEMP TABLE uses_l AS SELECT *, CASE WHEN step <= 3 THEN 0 WHEN step = 4 THEN 1 ELSE 2 END AS layer FROM uses;

-- Areas: the municipality ('') and every district.
CREATE TEMP TABLE areas AS SELECT '' AS area UNION ALL SELECT DISTINCT district_code FROM h;

-- Per quarter and household: the heaviest layer it used.
CREATE TEMP TABLE heaviest AS
SELECT q.code, u.hh, u.district, max(u.layer) AS layer
FROM q JOIN uses_l u ON u.from_on <= q.last_day AND (u.until_on IS NULL OR u.until_on >= q.first_day)
GROUP BY ALL;
CREATE TEMP TABLE layer_counts AS
SELECT ar.area, hv.code, count(*) AS total,
       count(*) FILTER (WHERE layer = 0) AS l0, count(*) FILTER (WHERE layer = 1) AS l1,
       count(*) FILTER (WHERE layer = 2) AS l2
FROM areas ar JOIN heaviest hv ON ar.area = '' OR hv.district = ar.area
GROUP BY ALL;
CREATE TEMP TABLE residents AS
SELECT ar.area, count(*) AS n FROM areas ar JOIN r ON TRUE JOIN h ON h.id = r.household_id
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;

-- Spells of support per household (uses that overlap or follow on the next
-- day are one spell; an open use swallows the rest); a start within 365 days
-- of the previous spell's end is a return.
CREATE TEMP TABLE spans AS
SELECT hh, district, from_on, until_on,
       max(coalesce(until_on, DATE '9999-12-31')) OVER (PARTITION BY hh ORDER BY from_on, until_on NULLS FIRST
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
FROM uses WHERE until_on IS NULL OR until_on >= from_on;
CREATE TEMP TABLE starts AS
SELECT hh, district, from_on AS on_day,
       prev_end IS NOT NULL AND prev_end < DATE '9999-12-31' AND date_diff('day', prev_end, from_on) <= 365 AS is_return
FROM spans WHERE prev_end IS NULL OR (prev_end < DATE '9999-12-31' AND from_on > prev_end + 1);
CREATE TEMP TABLE return_counts AS
SELECT ar.area, q.code, count(DISTINCT s.hh) AS starts, count(DISTINCT s.hh) FILTER (WHERE s.is_return) AS back
FROM areas ar JOIN starts s ON ar.area = '' OR s.district = ar.area
JOIN q ON s.on_day BETWEEN q.first_day AND q.last_day GROUP BY ALL;

-- The year's pyramid and cost per layer, and the purchases.
CREATE TEMP TABLE running AS
SELECT *, CASE WHEN yearly IS NULL THEN NULL ELSE
       yearly * greatest(date_diff('day', greatest(from_on, DATE '{year[1]}'),
                                   least(coalesce(until_on, DATE '{year[2]}'), DATE '{year[2]}')) + 1, 0) // 365 END AS cost
FROM uses_l WHERE from_on <= DATE '{year[2]}' AND (until_on IS NULL OR until_on >= DATE '{year[1]}');
CREATE TEMP TABLE pyramid AS
WITH hv AS (SELECT hh, max(layer) AS layer FROM running GROUP BY hh),
     c AS (SELECT layer, sum(cost) AS cost, count(DISTINCT hh) FILTER (WHERE cost IS NOT NULL) AS priced
           FROM running WHERE billed GROUP BY layer)
SELECT l.layer, (SELECT count(*) FROM hv WHERE hv.layer = l.layer) AS households,
       CASE WHEN c.priced >= 10 THEN ((c.cost // 100 + 500) // 1000) * 1000 END AS cost
FROM (VALUES (0), (1), (2)) l(layer) LEFT JOIN c ON c.layer = l.layer;
CREATE TEMP TABLE bought AS
SELECT kind, name, count(DISTINCT hh) AS households,
       CASE WHEN count(DISTINCT hh) FILTER (WHERE cost IS NOT NULL) >= 10
            THEN ((sum(cost) // 100 + 500) // 1000) * 1000 END AS cost
FROM (SELECT 'product' AS kind, product AS name, hh, cost FROM running WHERE product IS NOT NULL
      UNION ALL SELECT 'provider', provider, hh, cost FROM running WHERE provider IS NOT NULL)
GROUP BY ALL;
"""

# The facts behind the eight bakens per quarter and area, as Baken computes
# them (the same rows, the same per-area, per-quarter aggregation).
BAKENS = f"""
CREATE TEMP TABLE k AS SELECT * FROM {csv("cw_conversations", [("id", "BIGINT"), ("household_id", "BIGINT"),
    ("held_on", "DATE"), ("need_differs", "BOOLEAN")])};
CREATE TEMP TABLE s AS SELECT * FROM {csv("cw_signals", [("id", "BIGINT"), ("household_id", "BIGINT"),
    ("reported_on", "DATE"), ("first_contact_on", "DATE"), ("urgency", "VARCHAR")])};
CREATE TEMP TABLE g AS SELECT * FROM {csv("cw_goals", [("id", "BIGINT"), ("plan_id", "BIGINT"),
    ("domain", "VARCHAR"), ("target_date", "DATE"), ("outcome", "VARCHAR"), ("outcome_on", "DATE")])};
CREATE TEMP TABLE m AS SELECT * FROM {csv("cw_measurements", [("id", "BIGINT"), ("household_id", "BIGINT"),
    ("measured_on", "DATE"), ("source", "VARCHAR")])};
CREATE TEMP TABLE sc AS SELECT * FROM {csv("cw_scores", [("measurement_id", "BIGINT"), ("score", "VARCHAR")])};
CREATE TEMP TABLE b1 AS SELECT ar.area, q.code, count(*) AS n, count(*) FILTER (WHERE k.need_differs) AS differs
FROM areas ar JOIN k ON TRUE JOIN h ON h.id = k.household_id JOIN q ON k.held_on BETWEEN q.first_day AND q.last_day
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;
CREATE TEMP TABLE b2 AS SELECT ar.area, q.code, a.step, a.actor, count(*) AS n
FROM areas ar JOIN a ON TRUE JOIN p ON p.id = a.plan_id JOIN h ON h.id = p.household_id
JOIN q ON a.start_on BETWEEN q.first_day AND q.last_day
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;
CREATE TEMP TABLE b3 AS SELECT ar.area, q.code, median(date_diff('day', s.reported_on, s.first_contact_on)) AS days,
  count(*) FILTER (WHERE s.first_contact_on <= s.reported_on + CASE s.urgency WHEN 'crisis' THEN 1 WHEN 'urgent' THEN 3 ELSE 10 END) AS on_time
FROM areas ar JOIN s ON TRUE JOIN h ON h.id = s.household_id JOIN q ON s.first_contact_on BETWEEN q.first_day AND q.last_day
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;
CREATE TEMP TABLE b6 AS
WITH plan_facts AS (
  SELECT p.id, p.opened_on, h.district_code,
    (SELECT count(DISTINCT a.actor_name) FROM a WHERE a.plan_id = p.id AND a.ended_on IS NULL
       AND (a.actor IN ('generalist', 'specialist') OR a.step >= 4)) AS professionals,
    (SELECT count(DISTINCT g.domain) FROM g WHERE g.plan_id = p.id) AS domains
  FROM p JOIN h ON h.id = p.household_id WHERE p.status = 'open')
SELECT ar.area, q.code, count(*) AS plans, count(*) FILTER (WHERE professionals <= 1) AS one_contact
FROM areas ar JOIN plan_facts f ON ar.area = '' OR f.district_code = ar.area JOIN q ON f.opened_on <= q.last_day
GROUP BY ALL;
CREATE TEMP TABLE b7 AS SELECT ar.area, q.code, count(*) AS goals, count(*) FILTER (WHERE g.outcome = 'behaald') AS achieved
FROM areas ar JOIN g ON TRUE JOIN p ON p.id = g.plan_id JOIN h ON h.id = p.household_id
JOIN q ON g.outcome_on BETWEEN q.first_day AND q.last_day
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;
CREATE TEMP TABLE ms AS SELECT m.id, m.household_id, m.measured_on, m.source,
  avg(TRY_CAST(sc.score AS DOUBLE)) AS mean FROM m JOIN sc ON sc.measurement_id = m.id GROUP BY ALL;
CREATE TEMP TABLE b7z AS
WITH evaluated AS (SELECT DISTINCT q.code, q.last_day, ms.household_id FROM q JOIN ms
                   ON ms.source = 'evaluatie' AND ms.measured_on BETWEEN q.first_day AND q.last_day),
     change AS (SELECT e.code, e.household_id,
                  arg_max(ms.mean, (ms.measured_on, ms.id)) - arg_min(ms.mean, (ms.measured_on, ms.id)) AS change,
                  count(*) AS n
                FROM evaluated e JOIN ms ON ms.household_id = e.household_id AND ms.measured_on <= e.last_day
                GROUP BY ALL)
SELECT ar.area, c.code, count(*) AS households, avg(c.change) AS change
FROM areas ar JOIN change c ON c.n >= 2 JOIN h ON h.id = c.household_id
WHERE ar.area = '' OR h.district_code = ar.area GROUP BY ALL;
"""


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


started, cpu_started = time.perf_counter(), cpu()
con = duckdb.connect()
con.execute(SQL)
con.execute(BAKENS)
pyr = con.execute("SELECT layer, households, cost FROM pyramid ORDER BY layer").fetchall()
counts = con.execute("""
SELECT lc.area, lc.code, lc.total, lc.l0, lc.l1, lc.l2, rs.n FROM layer_counts lc
LEFT JOIN residents rs ON rs.area = lc.area""").fetchall()
returns = con.execute("SELECT area, code, starts, back FROM return_counts").fetchall()
bought = con.execute("SELECT kind, name, households, cost FROM bought ORDER BY kind, name").fetchall()
bakens = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("b1", "b2", "b3", "b6", "b7", "b7z"))
wall, cpu_s = time.perf_counter() - started, cpu() - cpu_started


def num(v):
    return "" if v is None else repr(float(v))


with open(out_csv, "w") as f:
    for layer, households, cost in pyr:
        f.write(f"pyramid,{layer},{households},{'' if cost is None else int(cost)}\n")
    for area, code, total, l0, l1, l2, residents in counts:
        for trend, part in (("stap-1-3", l0), ("stap-4", l1), ("stap-5", l2)):
            f.write(f"trend,{trend},{area},{code},{num(part * 100 / total if total >= 5 else None)}\n")
        rate = l2 * 1000 / residents if residents and residents >= 5 else None
        f.write(f"trend,maatwerk-per-1000,{area},{code},{num(rate)}\n")
    for area, code, starts, back in returns:
        f.write(f"trend,terug-binnen-12-maanden,{area},{code},{num(back * 100 / starts if starts >= 5 else None)}\n")
    for kind, name, households, cost in bought:
        f.write(f"{kind},{name},{households},{'' if cost is None else int(cost)}\n")
print(f'{{"figures": {len(pyr) + 4 * len(counts) + len(returns) + len(bought)}, "bakens_rows": {bakens}, '
      f'"wall_s": {wall:.3f}, "cpu_s": {cpu_s:.3f}}}')
