"""The same link and tables as `baken monitor link` + `report`, in DuckDB SQL.

    python duckdb_link_report.py OUT.parquet TRUTH.json PSEUDONYMISED.csv...

Joins the pseudonymised CSVs on `pseudoniem` into one row per household (most frequent
neighbourhood with ties to the first code, sorted domain set, distinct organisations,
distinct organisation+voorziening, periods, records), drops the pseudonym, writes
Parquet, then computes the six tables. The tables (TRUE counts, for the benchmark's
equality check only) go to TRUTH.json, which run.sh deletes afterwards.
"""

import json
import sys

import duckdb

out_parquet, truth_json, *files = sys.argv[1:]
con = duckdb.connect()
files_sql = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
columns = "{'pseudoniem': 'VARCHAR', 'organisatie': 'VARCHAR', 'buurtcode': 'VARCHAR', 'domein': 'VARCHAR', 'voorziening': 'VARCHAR', 'periode': 'VARCHAR'}"
con.execute(f"""
CREATE TABLE households AS
WITH r AS (
    SELECT * FROM read_csv({files_sql}, header = true, delim = ',', quote = '"', columns = {columns})
),
per_buurt AS (
    SELECT pseudoniem, buurtcode, count(*) AS n FROM r GROUP BY pseudoniem, buurtcode
),
buurt AS (
    SELECT pseudoniem, first(buurtcode ORDER BY n DESC, buurtcode ASC) AS buurtcode
    FROM per_buurt GROUP BY pseudoniem
),
agg AS (
    SELECT pseudoniem,
           list_sort(list(DISTINCT domein)) AS domains,
           list_sort(list(DISTINCT organisatie)) AS organisations,
           count(DISTINCT (organisatie, voorziening))::INTEGER AS provisions,
           list_sort(list(DISTINCT periode) FILTER (WHERE periode IS NOT NULL)) AS periods,
           count(*)::INTEGER AS records
    FROM r GROUP BY pseudoniem
)
SELECT b.buurtcode, a.domains, a.organisations,
       a.provisions, coalesce(a.periods, []) AS periods, a.records
FROM agg a JOIN buurt b USING (pseudoniem)
ORDER BY random()
""")
# Fresh ids in the (random) row order; the pseudonym is gone.
con.execute("CREATE TABLE linked AS SELECT row_number() OVER () AS id, * FROM households")
con.execute("DROP TABLE households")
con.execute("ALTER TABLE linked RENAME TO households")
con.execute(f"COPY households TO '{out_parquet}' (FORMAT parquet, COMPRESSION snappy)")

def rows(sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]

bucket = lambda e: f"CASE WHEN {e} >= 4 THEN '4+' ELSE CAST({e} AS VARCHAR) END"
truth = {
    "totals": rows("SELECT count(*) AS households, sum(records) AS records FROM households"),
    "by_domain_count": rows(f"SELECT {bucket('len(domains)')} AS domains, count(*) AS households FROM households GROUP BY 1"),
    "by_organisation_count": rows(f"SELECT {bucket('len(organisations)')} AS organisations, count(*) AS households FROM households GROUP BY 1"),
    "by_provision_count": rows(f"SELECT {bucket('provisions')} AS provisions, count(*) AS households FROM households GROUP BY 1"),
    "by_domain_combination": rows("SELECT array_to_string(domains, '+') AS combination, count(*) AS households FROM households GROUP BY 1"),
    "by_neighbourhood": rows("SELECT buurtcode, count(*) AS households, count(*) FILTER (WHERE len(domains) >= 2) AS multi_domain FROM households GROUP BY 1"),
}
with open(truth_json, "w") as f:
    json.dump(truth, f, default=int)
