"""One runner for every benchmark: ``python benchmarks/run.py NAME [options] [--json]``.

Each benchmark returns rows ``{"name", "value", "unit", "baseline", "ratio", "target", "ok"}``;
the baseline is measured in the same run on the same data, so ratios hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = {
    "lookup": "bench_lookup",
    "push": "bench_push",
    "startup": "bench_startup",
    "sync": "bench_sync",
    "workspace": "bench_workspace",
}


def print_table(rows: list[dict[str, object]]) -> None:
    header = ["name", "value", "unit", "baseline", "ratio", "target", "ok"]
    table = [header] + [[_fmt(r.get(h)) for h in header] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.1f}"
    if value is None:
        return "-"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    parser.add_argument("--json", action="store_true", help="print rows as a JSON list")
    args, rest = parser.parse_known_args()
    module = importlib.import_module(BENCHMARKS[args.name])
    rows = module.run(rest, quiet=args.json)
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        print_table(rows)
    return 0 if all(r.get("ok") is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
