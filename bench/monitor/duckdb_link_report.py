"""The same link and tables as `baken monitor link` + `report`, in DuckDB SQL, written to
be as fast as DuckDB allows (the "strong" formulation of issue 17).

    python duckdb_link_report.py OUT.parquet TRUTH.json PSEUDONYMISED.csv...

What makes it strong, against the first version of this script:
- `read_csv` with every column's type given and no sniffing (header, delimiter,
  quote fixed), so the CSV reader starts parsing at once, on all threads;
- ONE `GROUP BY pseudoniem` pass over the 10 M rows: the most frequent neighbourhood
  comes from a per-household `histogram(buurtcode)` in the same pass (ties to the code
  that sorts first), instead of a second `GROUP BY pseudoniem, buurtcode` and a join;
- `threads = 2` (the machine's cores), insertion order kept, so the random order of the
  CREATE TABLE survives into the Parquet file and `rowid + 1` is the fresh id without a
  window function;
- the six tables from the 2.3 M-row in-memory table.

It does the same work as Baken: join on the pseudonym, drop it, put the households in a
random order with fresh ids 1..N, write Parquet (Snappy), then the six tables. The
tables (TRUE counts, for the benchmark's equality check only) go to TRUTH.json, which
run.sh deletes afterwards. Set DUCKDB_SHOW_SQL=1 to print the SQL.
"""

import json
import os
import sys

import duckdb

out_parquet, truth_json, *files = sys.argv[1:]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET preserve_insertion_order = true")
files_sql = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
columns = (
    "{'pseudoniem': 'VARCHAR', 'organisatie': 'VARCHAR', 'buurtcode': 'VARCHAR', "
    "'domein': 'VARCHAR', 'voorziening': 'VARCHAR', 'periode': 'VARCHAR'}"
)
LINK_SQL = f"""
CREATE TABLE households AS
SELECT
    -- most frequent neighbourhood; ties: the code that sorts first
    list_min(list_transform(
        list_filter(map_entries(h), lambda e: e.value = list_max(map_values(h))),
        lambda e: e.key)) AS buurtcode,
    domains, organisations, provisions, periods, records
FROM (
    SELECT pseudoniem,
           histogram(buurtcode) AS h,
           list_sort(list(DISTINCT domein)) AS domains,
           list_sort(list(DISTINCT organisatie)) AS organisations,
           count(DISTINCT (organisatie, voorziening))::INTEGER AS provisions,
           coalesce(list_sort(list(DISTINCT periode) FILTER (WHERE periode IS NOT NULL)), []) AS periods,
           count(*)::INTEGER AS records
    FROM read_csv({files_sql}, header = true, delim = ',', quote = '"', escape = '"',
                  auto_detect = false, columns = {columns})
    GROUP BY pseudoniem
)
ORDER BY random()
"""
WRITE_SQL = f"""
COPY (SELECT rowid + 1 AS id, buurtcode, domains, organisations, provisions, periods, records
      FROM households)
TO '{out_parquet.replace("'", "''")}' (FORMAT parquet, COMPRESSION snappy)
"""
if os.environ.get("DUCKDB_SHOW_SQL"):
    print(LINK_SQL, WRITE_SQL, sep="\n", file=sys.stderr)
con.execute(LINK_SQL)
con.execute(WRITE_SQL)


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
