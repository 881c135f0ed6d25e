"""Run the stapelingsmonitor's SQL on Spark and check the result against Baken's report.

Local:    python spark_tables.py --input linked.parquet --sql monitor/sql \
              --compare report.json --baken 'baken monitor'
Cluster:  spark-submit --master yarn monitor/sql/spark_tables.py \
              --input hdfs:///monitor/linked.parquet --sql monitor/sql \
              --counts-out counts.json
          baken monitor protect counts.json --out published/ [--protection suppress --threshold T]

The SQL yields TRUE counts. This program never prints them. For each report.json it
protects Spark's counts the way the report names (`cbs` or `suppress`) and reports only
whether the protected tables agree, cell by cell, with Baken's:

- `cbs`: Spark's counts are rounded and hidden by the CBS rule, here in Python (an
  independent implementation), and must equal Baken's published cells;
- `suppress`: every published number must equal Spark's count and every count below
  the threshold must be hidden; and with --baken, Spark's counts are protected by
  `baken monitor protect` (Baken's own secondary suppression, applied to Spark's
  counts) and the result must hide exactly the same cells and publish the same
  numbers as the report.

For --baken the counts are written to a temporary file only the user can read, which
is removed at once. --counts-out writes them for `baken monitor protect` (keep that
file with the linked data: it holds true counts, it is not a publication).
"""

import argparse
import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

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


def counts_json(raw):
    """Spark's true counts in the input format of `baken monitor protect`."""
    t = raw["totals"][0]

    def bucket(v):
        return v if v == "4+" else int(v)

    def table(name, col):
        return [{col: bucket(r[col]), "households": int(r["households"])} for r in raw[name]]

    return {
        "totals": {"households": int(t["households"] or 0), "records": int(t["records"] or 0)},
        "tables": {
            "by_domain_count": table("by_domain_count", "domains"),
            "by_organisation_count": table("by_organisation_count", "organisations"),
            "by_provision_count": table("by_provision_count", "provisions"),
            "by_domain_combination": [
                {"combination": r["combination"].split("+"), "households": int(r["households"])}
                for r in raw["by_domain_combination"]
            ],
            "by_neighbourhood": [
                {
                    "buurtcode": r["buurtcode"],
                    "households": int(r["households"]),
                    "multi_domain": int(r["multi_domain"]),
                }
                for r in raw["by_neighbourhood"]
            ],
        },
    }


def write_private(path, data):
    """Writes JSON to a file only the user can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)


def protect_with_baken(baken, counts, rule):
    """Spark's counts protected by `baken monitor protect` with the report's rule."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "counts.json")
        write_private(path, counts)
        out = os.path.join(work, "out")
        args = shlex.split(baken) + ["protect", path, "--out", out, "--protection", rule["method"]]
        if rule["method"] == "suppress":
            args += ["--threshold", str(rule["suppress_below"])]
        done = subprocess.run(args, capture_output=True, text=True)
        os.remove(path)
        if done.returncode != 0:
            raise RuntimeError(f"baken monitor protect failed: {done.stderr.strip()}")
        return json.loads(pathlib.Path(out, "report.json").read_text())


def same_cells(report, protected):
    """Problems (cell names only) where two protected reports differ."""
    a, b = published_cells(report), published_cells(protected)
    problems = []
    if set(a) != set(b):
        problems.append("the two reports have different cells")
    for key in sorted(set(a) & set(b)):
        if (a[key] is None) != (b[key] is None):
            hidden_in = "Baken's report" if a[key] is None else "Spark's counts protected by Baken"
            problems.append(f"{key}: hidden only in {hidden_in}")
        elif a[key] != b[key]:
            problems.append(f"{key}: a different published number")
    if report["protection"] != protected["protection"]:
        problems.append("a different protection")
    return problems


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
    p.add_argument("--baken", help="the command that runs `baken monitor` (e.g. 'baken monitor'), to protect Spark's counts with Baken's own rule and compare every cell")
    p.add_argument("--counts-out", help="write Spark's TRUE counts here (mode 0600) for `baken monitor protect`")
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
    raw = run_sql(spark, args.sql)
    spark.stop()
    truth = true_cells(raw)
    counts = counts_json(raw)
    if args.counts_out:
        write_private(args.counts_out, counts)

    failed = False
    for path in args.compare:
        report = json.loads(pathlib.Path(path).read_text())
        problems = compare(truth, report)
        method = report["protection"]["method"]
        how = "protected with the same rule"
        if args.baken:
            protected = protect_with_baken(args.baken, counts, report["protection"])
            problems += same_cells(report, protected)
            how = "protected with the same rule (and by `baken monitor protect`: the same cells hidden)"
        elif method == "suppress":
            print(f"note {path}: without --baken only published numbers and primary suppression are checked", file=sys.stderr)
        if problems:
            failed = True
            print(f"MISMATCH {path} ({method}): {len(problems)} problems", file=sys.stderr)
            for line in problems[:20]:
                print(f"  {line}", file=sys.stderr)
        else:
            print(f"OK {path} ({method}): Spark's {len(truth)} cells, {how}, equal Baken's")
    if args.protected_out:
        protected = {f"{t}|{k}|{c}": cbs(v) for (t, k, c), v in truth.items()}
        pathlib.Path(args.protected_out).write_text(json.dumps(protected, indent=1, sort_keys=True))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
