"""Checks that DuckDB's true tables, protected with each report's rule, equal Baken's
report.json files. Prints only OK/MISMATCH, never a true count.

    python check_equal.py TRUTH.json REPORT.json...
"""

import json
import pathlib
import sys

sys.dont_write_bytecode = True  # keep the repository free of __pycache__
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "monitor" / "sql"))
from spark_tables import compare, true_cells  # noqa: E402

truth = true_cells(json.loads(pathlib.Path(sys.argv[1]).read_text()))
failed = False
for path in sys.argv[2:]:
    report = json.loads(pathlib.Path(path).read_text())
    problems = compare(truth, report)
    status = "OK" if not problems else f"MISMATCH ({len(problems)} problems: {problems[:3]})"
    failed |= bool(problems)
    print(f"{status} DuckDB vs Baken, {report['protection']['method']}, {len(truth)} cells")
sys.exit(1 if failed else 0)
