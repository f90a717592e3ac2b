"""The rep's workspace: opening a customer with every tab of the 360 view, and the window's
event loop while the rep switches customers quickly.

Builds a demo cache of the asked sizes in a temporary CSCONSOLE_HOME (process-local keyring),
samples customers, and times:
- the service: ``CustomerViewService.read`` of the six tabs (overview, addresses, orders,
  mailing, cases, activity) for one customer: permission checks, the reads and one audit event in
  one transaction, end to end (and, as a row without a ratio target, the six tabs one by one, as
  the window loads them when each is shown: six events);
- the baseline: the exact statements of those six reads (``TAB_QUERIES``) replayed on a fresh
  connection to the same encrypted file (fetchall, nothing else), in the same run;
- the longest event-loop stall: the real main window (offscreen) opens a customer every
  ``--switch-ms`` and shows another tab each time, while a ``QTimer`` heartbeat every 5 ms
  records the longest gap between its ticks (all cache work is on the task runner).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import keyring

from bench_lookup import _MemoryKeyring, _percentile, _row

OPEN_P95_MS = 30.0
OPEN_RATIO = 3.0
STALL_MS = 50.0
CUSTOMERS_SAMPLED = 300
SWITCHES = 120
HEARTBEAT_MS = 5


def run(argv: list[str], *, quiet: bool = False) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="run.py workspace")
    parser.add_argument(
        "--customers", type=int, action="append", help="sizes (default: 20000 and 1000000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--switch-ms", type=int, default=40, help="time between two switches")
    args = parser.parse_args(argv)
    sizes = args.customers or [20_000, 1_000_000]
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    rows: list[dict[str, object]] = []
    for size in sizes:
        rows += _run_size(size, args.seed, args.switch_ms, log)
    return rows


def _time_opens(console: Any, session: Any, raw: Any, ids: list[int]) -> tuple[list[float], ...]:
    from csconsole.persistence.repositories.customer_view import TAB_QUERIES
    from csconsole.services.customer_view import ACTIVITY_LIMIT, ORDER_LIMIT, TABS

    view = console.customer_view
    limits = {"orders": ORDER_LIMIT, "activity": ACTIVITY_LIMIT}

    def service(cid: int) -> None:
        view.read(session, cid, TABS, "bench")

    def per_tab(cid: int) -> None:  # as the window's lazy tabs do, when every tab is shown
        for tab in TABS:
            getattr(view, tab)(session, cid, "bench")

    def baseline(cid: int) -> None:
        for tab in TABS:
            sql, params = TAB_QUERIES[tab](cid, limits.get(tab, 0))
            raw.execute(sql, params).fetchall()

    service_ms: list[float] = []
    raw_ms: list[float] = []
    tab_ms: list[float] = []
    for cid in ids:
        service(cid)  # warm this customer's pages for both sides alike
        baseline(cid)
        started = time.perf_counter()
        service(cid)
        service_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline(cid)
        raw_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        per_tab(cid)
        tab_ms.append((time.perf_counter() - started) * 1000)
    return service_ms, raw_ms, tab_ms


def _stall(console: Any, session: Any, ids: list[int], switch_ms: int) -> tuple[float, int]:
    """The longest gap between heartbeats (ms) while switching customers, and the switches."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from csconsole.domain.customers import CustomerHit
    from csconsole.domain.lookup import MatchKind
    from csconsole.ui.main_window import MainWindow
    from csconsole.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    runner = TaskRunner()
    window = MainWindow(console, session, runner, idle_timeout_ms=3_600_000)
    window.show()
    app.processEvents()
    panel = window.customer_panel
    hits = [CustomerHit(cid, f"customer {cid}", "", "", "", "", MatchKind.NAME, 1.0) for cid in ids]
    loop = QEventLoop()
    gaps: list[float] = []
    last = [time.perf_counter()]
    done = [0]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    def switch() -> None:
        n = done[0]
        if n >= len(hits):
            switcher.stop()
            # Let the last loads arrive, then stop.
            QTimer.singleShot(500, loop.quit)
            return
        window.open_hit(hits[n])
        panel.tabs.setCurrentIndex(n % panel.tabs.count())
        done[0] += 1

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    switcher = QTimer()
    switcher.setInterval(switch_ms)
    switcher.timeout.connect(switch)
    heartbeat.start()
    switcher.start()
    last[0] = time.perf_counter()
    loop.exec()
    heartbeat.stop()
    runner.shutdown(10_000)
    app.processEvents()
    window.close()
    window.deleteLater()
    app.processEvents()
    return max(gaps[1:] or [0.0]), done[0]


def _run_size(size: int, seed: int, switch_ms: int, log: Any) -> list[dict[str, object]]:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths
    from csconsole.app.demo import build_demo
    from csconsole.persistence.cache.engine import cache_key, connect_raw

    label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="csbench-") as tmp:
        os.environ["CSCONSOLE_HOME"] = str(Path(tmp))
        backend = _MemoryKeyring()
        keyring.set_keyring(backend)
        secrets = KeyringSecretStore(backend)
        paths = Paths.from_environment()
        log(f"[{label}] building the demo shop and cache ...")
        console, staff, _ = build_demo(customers=size, seed=seed, paths=paths, secrets=secrets)
        user, password, _role = next(s for s in staff if s[0] == "rep")
        session = console.auth.sign_in(user, password)
        rng = random.Random(seed)
        ids = [rng.randint(1, size) for _ in range(CUSTOMERS_SAMPLED)]
        # Some customers with cases, so the cases tab reads rows too.
        for cid in ids[:30]:
            console.cases.open_case(
                session, "access", customer_id=cid, channel="phone", summary="bench"
            )
        key = cache_key(secrets, paths.cache_file, create=False)
        raw = connect_raw(paths.cache_file, key, check_same_thread=False)
        raw.execute("PRAGMA cache_size = -65536")
        service, baseline, per_tab = _time_opens(console, session, raw, ids)
        raw.close()
        p50, p95 = _percentile(service, 50), _percentile(service, 95)
        b50, b95 = _percentile(baseline, 50), _percentile(baseline, 95)
        log(f"[{label}] open, 6 tabs: p50 {p50:.2f} ms p95 {p95:.2f} ms (raw {b50:.2f}/{b95:.2f})")
        rows.append(_row(f"open customer, 6 tabs p50 @{label}", p50, "ms", b50, OPEN_P95_MS, None))
        rows[-1]["baseline_name"] = "raw SQL of the same reads"
        rows.append(
            _row(f"open customer, 6 tabs p95 @{label}", p95, "ms", b95, OPEN_P95_MS, OPEN_RATIO)
        )
        rows[-1]["baseline_name"] = "raw SQL of the same reads"
        t95 = _percentile(per_tab, 95)
        log(f"[{label}] six tabs one by one (six audit events): p95 {t95:.2f} ms")
        rows.append(_row(f"6 tabs one by one p95 @{label}", t95, "ms", b95, OPEN_P95_MS, None))
        rows[-1]["baseline_name"] = "raw SQL of the same reads"
        stall, switches = _stall(console, session, ids[:SWITCHES], switch_ms)
        log(f"[{label}] longest stall over {switches} switches: {stall:.1f} ms")
        rows.append(
            _row(
                f"longest event-loop stall, {switches} switches @{label}",
                stall,
                "ms",
                float(HEARTBEAT_MS),
                STALL_MS,
                None,
            )
        )
        rows[-1]["baseline_name"] = "heartbeat interval"
        console.close()
    return rows
