"""Run the stapelingsmonitor's SQL on Spark and check the result against Baken's report.

Local:    python spark_tables.py --input linked.parquet --sql monitor/sql --compare report.json
Cluster:  spark-submit --master yarn monitor/sql/spark_tables.py \
              --input hdfs:///monitor/linked.parquet --sql monitor/sql --compare report.json

The SQL yields TRUE counts. This program never prints or writes them: it applies the
protection rule named in each report.json (the same rule Baken applies) and reports only
whether the protected tables agree. With --protected-out it writes Spark's own
protected tables (CBS rule only; suppression needs Baken's secondary suppression).
"""

import argparse
import json
import pathlib
import sys

TABLES = [
    "totals",
    "by_domain_count",
    "by_organisation_count",
    "by_provision_count",
    "by_domain_combination",
    "by_neighbourhood",
]
BUCKETS = ["1", "2", "3", "4+"]


def run_sql(spark, sql_dir):
    """Returns {table: [row dict]} with true counts."""
    out = {}
    for name in TABLES:
        query = (pathlib.Path(sql_dir) / f"{name}.sql").read_text()
        out[name] = [row.asDict() for row in spark.sql(query).collect()]
    return out


def cbs(n):
    n = int(n or 0)
    return None if 0 < n < 8 else (n + 2) // 5 * 5


def true_cells(raw):
    """Every cell as {(table, key, column): true count}, in Baken's terms."""
    cells = {}
    t = raw["totals"][0]
    cells[("totals", "", "households")] = int(t["households"] or 0)
    cells[("totals", "", "records")] = int(t["records"] or 0)
    for table, col in [
        ("by_domain_count", "domains"),
        ("by_organisation_count", "organisations"),
        ("by_provision_count", "provisions"),
    ]:
        counts = {r[col]: int(r["households"]) for r in raw[table]}
        for b in BUCKETS:
            cells[(table, b, "households")] = counts.get(b, 0)
    for r in raw["by_domain_combination"]:
        cells[("by_domain_combination", r["combination"], "households")] = int(r["households"])
    for r in raw["by_neighbourhood"]:
        cells[("by_neighbourhood", r["buurtcode"], "households")] = int(r["households"])
        cells[("by_neighbourhood", r["buurtcode"], "multi_domain")] = int(r["multi_domain"])
    return cells


def published_cells(report):
    cells = {}
    cells[("totals", "", "households")] = report["totals"]["households"]
    cells[("totals", "", "records")] = report["totals"]["records"]
    tables = report["tables"]
    for table, col in [
        ("by_domain_count", "domains"),
        ("by_organisation_count", "organisations"),
        ("by_provision_count", "provisions"),
    ]:
        for r in tables[table]:
            cells[(table, str(r[col]), "households")] = r["households"]
    for r in tables["by_domain_combination"]:
        cells[("by_domain_combination", "+".join(r["combination"]), "households")] = r["households"]
    for r in tables["by_neighbourhood"]:
        cells[("by_neighbourhood", r["buurtcode"], "households")] = r["households"]
        cells[("by_neighbourhood", r["buurtcode"], "multi_domain")] = r["multi_domain"]
    return cells


def compare(truth, report):
    """Problems (without true counts) between Spark's truth, protected, and the report."""
    rule = report["protection"]
    published = published_cells(report)
    problems = []
    if set(truth) != set(published):
        missing = sorted(set(truth) - set(published))[:5]
        extra = sorted(set(published) - set(truth))[:5]
        problems.append(f"different cells: only in Spark {missing}, only in Baken {extra}")
    below = int(rule["suppress_below"])
    for key in sorted(set(truth) & set(published)):
        n, b = truth[key], published[key]
        if rule["method"] == "cbs":
            if cbs(n) != b:
                problems.append(f"{key}: CBS rule gives another value than Baken published")
        elif rule["method"] == "suppress":
            if b is not None and b != n:
                problems.append(f"{key}: Baken published a number other than Spark's count")
            if 0 < n < below and b is not None:
                problems.append(f"{key}: a count below {below} was published")
        else:
            problems.append(f"unknown protection method {rule['method']!r}")
            break
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True, help="the linked Parquet file (any Spark path)")
    p.add_argument("--sql", default=str(pathlib.Path(__file__).parent), help="directory with the .sql files")
    p.add_argument("--compare", action="append", default=[], help="a report.json from `baken monitor report`")
    p.add_argument("--protected-out", help="write Spark's tables, CBS-protected, as JSON here")
    p.add_argument("--master", default=None, help="Spark master (default: from spark-submit, else local[*])")
    args = p.parse_args()

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("baken-stapelingsmonitor").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.parquet(args.input).createOrReplaceTempView("linked")
    truth = true_cells(run_sql(spark, args.sql))
    spark.stop()

    failed = False
    for path in args.compare:
        report = json.loads(pathlib.Path(path).read_text())
        problems = compare(truth, report)
        method = report["protection"]["method"]
        if problems:
            failed = True
            print(f"MISMATCH {path} ({method}): {len(problems)} problems", file=sys.stderr)
            for line in problems[:20]:
                print(f"  {line}", file=sys.stderr)
        else:
            print(f"OK {path} ({method}): Spark's {len(truth)} cells, protected with the same rule, equal Baken's")
    if args.protected_out:
        protected = {f"{t}|{k}|{c}": cbs(v) for (t, k, c), v in truth.items()}
        pathlib.Path(args.protected_out).write_text(json.dumps(protected, indent=1, sort_keys=True))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
