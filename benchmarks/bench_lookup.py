"""Search latency per query kind at N customers, against the raw SQL of the same queries.

Builds a demo cache of the asked sizes in a temporary CSCONSOLE_HOME (with a process-local
keyring), samples real queries of each kind from the data, and times:
- the service: ``SearchService.search(text)`` end to end (parse, lookups, ranking, masking);
- the baseline: the exact SQL statements the service issued for that text, replayed on a fresh
  connection to the same encrypted file (fetchall, nothing else).
Also: demo build time, and launch -> first window beside a bare PySide6 window.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[1]
SEARCH_P95_MS = 5.0
SEARCH_RATIO = 3.0
FIRST_WINDOW_S = 1.0
DEMO_1M_S = 180.0
QUERIES_PER_KIND = 300


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


class _Recorder:
    """Wraps the lookup's driver connection to record the statements one search issues."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.log: list[tuple[str, tuple[Any, ...]]] = []

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        self.log.append((sql, params))
        return self.conn.execute(sql, params)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def sample_queries(shop: Path, rng: random.Random) -> dict[str, list[str]]:
    import sqlite3

    con = sqlite3.connect(shop)
    n = con.execute("SELECT max(customer_id) FROM customers").fetchone()[0]
    ids = [rng.randint(1, n) for _ in range(QUERIES_PER_KIND)]
    q: dict[str, list[str]] = {
        k: []
        for k in (
            "name_full",
            "name_prefix",
            "name_typo",
            "email_exact",
            "email_local",
            "phone_any_format",
            "phone_last4",
            "order_number",
            "postcode",
            "miss",
        )
    }
    for cid in ids:
        row = con.execute(
            "SELECT first_name, last_name, email FROM customers WHERE customer_id=?", (cid,)
        ).fetchone()
        if row is None:
            continue
        first, last, email = row
        q["name_full"].append(f"{first} {last}")
        q["name_prefix"].append(f"{last[:3]}")
        q["name_typo"].append(f"{first} {_typo(last, rng)}")
        q["email_exact"].append(email.upper() if rng.random() < 0.3 else email)
        q["email_local"].append(email[: email.index("@")])  # found only whole (docs/search.md)
        addr = con.execute(
            "SELECT phone, postcode FROM addresses WHERE customer_id=? LIMIT 1", (cid,)
        ).fetchone()
        if addr and addr[0]:
            q["phone_any_format"].append(addr[0])
            digits = "".join(ch for ch in addr[0] if ch.isdigit())
            q["phone_last4"].append(digits[-4:])
        if addr and addr[1]:
            q["postcode"].append(addr[1])
        order = con.execute(
            "SELECT order_number FROM orders WHERE customer_id=? LIMIT 1", (cid,)
        ).fetchone()
        if order:
            q["order_number"].append(order[0])
        q["miss"].append(f"zq{rng.randrange(10**6)}xv")
    con.close()
    return q


def time_kind(console: Any, raw_conn: Any, texts: list[str]) -> tuple[list[float], list[float]]:
    lookup = console.lookup
    real = lookup._conn
    service_ms: list[float] = []
    raw_ms: list[float] = []
    for text in texts:
        console.search.search(text)  # warm this text's pages for both sides alike
        rec = _Recorder(real)
        lookup._conn = rec
        started = time.perf_counter()
        console.search.search(text)
        service_ms.append((time.perf_counter() - started) * 1000)
        lookup._conn = real
        started = time.perf_counter()
        for sql, params in rec.log:
            raw_conn.execute(sql, params).fetchall()
        raw_ms.append((time.perf_counter() - started) * 1000)
    return service_ms, raw_ms


def first_window(home: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from process start to the first window shown: csconsole, and a bare PySide6 one."""

    def launch(code: str) -> float:
        marker = home / "first-window.txt"
        marker.unlink(missing_ok=True)
        run_env = dict(env, CSCONSOLE_FIRST_WINDOW_FILE=str(marker), QT_QPA_PLATFORM="offscreen")
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-c", code], env=run_env)
        deadline = time.time() + 30
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(0.05)
        proc.kill()
        proc.wait()
        if not marker.exists():
            return float("nan")
        return float(marker.read_text()) - started

    bare = (
        "import os,time\nfrom PySide6.QtWidgets import QApplication, QWidget\n"
        "app=QApplication([]); w=QWidget(); w.show(); app.processEvents()\n"
        "open(os.environ['CSCONSOLE_FIRST_WINDOW_FILE'],'w').write(repr(time.time()))\n"
        "app.exec()"
    )
    gui = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import bench_keyring_shim\nfrom csconsole.cli import main\nmain([])"
    )
    return launch(gui), launch(bare)


def run(argv: list[str], *, quiet: bool = False) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="run.py lookup")
    parser.add_argument(
        "--customers",
        type=int,
        action="append",
        help="sizes to measure (default: 100000 and 1000000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = args.customers or [100_000, 1_000_000]
    rows: list[dict[str, object]] = []
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    for size in sizes:
        rows += _run_size(size, args.seed, log)
    return rows


def _run_size(size: int, seed: int, log: Any) -> list[dict[str, object]]:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths
    from csconsole.app.demo import build_demo
    from csconsole.demo.generator import generate_demo_shop
    from csconsole.persistence.cache.engine import cache_key, connect_raw

    rows: list[dict[str, object]] = []
    label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
    with tempfile.TemporaryDirectory(prefix="csbench-") as tmp:
        home = Path(tmp)
        os.environ["CSCONSOLE_HOME"] = str(home)
        backend = _MemoryKeyring()
        keyring.set_keyring(backend)
        secrets = KeyringSecretStore(backend)
        paths = Paths.from_environment()
        log(f"[{label}] building the demo shop and cache ...")
        started = time.perf_counter()
        console, _, _ = build_demo(customers=size, seed=seed, paths=paths, secrets=secrets)
        demo_s = time.perf_counter() - started
        started = time.perf_counter()
        generate_demo_shop(home / "gen-only.sqlite", customers=size, seed=seed)
        gen_s = time.perf_counter() - started
        (home / "gen-only.sqlite").unlink()
        rows.append(
            _row(
                f"demo build {label} (shop + encrypted cache + indexes)",
                demo_s,
                "s",
                gen_s,
                DEMO_1M_S * size / 1_000_000,
                None,
            )
        )
        rows[-1]["baseline_name"] = "shop generation alone"
        key = cache_key(secrets, paths.cache_file, create=False)
        raw = connect_raw(paths.cache_file, key, check_same_thread=False)
        raw.execute("PRAGMA cache_size = -65536")
        queries = sample_queries(paths.demo_shop_file, random.Random(seed))
        console.search.vocabulary()  # loaded once per console, as in the window
        for kind, texts in queries.items():
            service, baseline = time_kind(console, raw, texts)
            p50, p95 = _percentile(service, 50), _percentile(service, 95)
            b50, b95 = _percentile(baseline, 50), _percentile(baseline, 95)
            log(f"[{label}] {kind}: p50 {p50:.3f} ms p95 {p95:.3f} ms (raw {b50:.3f}/{b95:.3f})")
            rows.append(
                _row(f"search {kind} p50 @{label}", p50, "ms", b50, SEARCH_P95_MS, SEARCH_RATIO)
            )
            rows.append(
                _row(f"search {kind} p95 @{label}", p95, "ms", b95, SEARCH_P95_MS, SEARCH_RATIO)
            )
        raw.close()
        console.close()
        shim = Path(__file__).resolve().parent / "bench_keyring_shim.py"
        env = dict(os.environ, CSBENCH_KEYRING=repr(backend.data), PYTHONPATH=str(shim.parent))
        gui_s, bare_s = first_window(home, env)
        rows.append(
            _row(
                f"first window @{label} (launch to sign-in shown)",
                gui_s,
                "s",
                bare_s,
                FIRST_WINDOW_S,
                None,
            )
        )
        rows[-1]["baseline_name"] = "bare PySide6 window"
    return rows


def _row(
    name: str, value: float, unit: str, baseline: float, target: float, max_ratio: float | None
) -> dict[str, object]:
    ratio = value / baseline if baseline else float("inf")
    ok = value <= target and (max_ratio is None or ratio <= max_ratio)
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4),
        "ratio": round(ratio, 2),
        "target": f"<= {target:g} {unit}" + (f", ratio <= {max_ratio:g}" if max_ratio else ""),
        "ok": ok,
    }
