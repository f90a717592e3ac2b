"""Start-up, as whole processes: a headless ``csconsole search`` on a cache of N customers, and
the window usable after the password is accepted, each beside ``python -c pass`` measured in
the same run.

Builds a demo cache in a temporary CSCONSOLE_HOME (with a process-local keyring handed to the
child processes, as the lookup benchmark does). Rows:
- ``csconsole search`` wall time, process start to exit: import, opening the encrypted cache
  and checking its schema, sign-in (argon2), the search and its audit event. The median of
  ``--runs`` processes.
- the window: in a child process under the offscreen platform, from the moment the sign-in
  dialog accepts the password (its ``signed_in`` signal) to the main window shown with its
  search field taking a typed character. The median of ``--runs`` processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import keyring

from bench_lookup import _MemoryKeyring, _row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEARCH_S = 0.5
WINDOW_S = 0.5
RUNS = 5

# A child process that signs in through the real dialog and times the window (see docstring).
WINDOW_CHILD = """
import json, os, sys, time
sys.path.insert(0, {here!r})
import bench_keyring_shim
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from csconsole.ui.main import Launcher, _default_window
from csconsole.ui.tasks import TaskRunner

app = QApplication([])
runner = TaskRunner()
result = {{}}


def open_console():  # as cli.main opens it for the window
    from csconsole.app.console import Console
    return Console.open(preload=True)


def window_factory(console, session, task_runner):
    result["accepted"] = time.perf_counter()  # the signed_in signal's first slot calls this
    return _default_window(console, session, task_runner)


launcher = Launcher(open_console, runner, username=os.environ["CSCONSOLE_USER"],
                    window_factory=window_factory)
launcher.exit_requested.connect(app.exit)
launcher.start()
deadline = time.monotonic() + 60
while not launcher.console_ready and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.001)
dialog = launcher.dialog
dialog.password_field.setText(os.environ["CSCONSOLE_PASSWORD"])
dialog.submit()
while launcher.window is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.0005)
window = launcher.window
field = window.search_panel.search_field
while not (window.isVisible() and field.isEnabled()) and time.monotonic() < deadline:
    app.processEvents()
QTest.keyClick(field, Qt.Key.Key_X)
while field.text() != "x" and time.monotonic() < deadline:
    app.processEvents()
result["usable"] = time.perf_counter()
print(json.dumps({{"seconds": result["usable"] - result["accepted"], "text": field.text()}}))
sys.stdout.flush()
os._exit(0)  # the numbers are out; skip the orderly shutdown of the window and the cache
"""


def run(argv: list[str], *, quiet: bool = False) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="run.py startup")
    parser.add_argument(
        "--customers",
        type=int,
        default=20_000,
        help="size of the demo cache (default 20000 for a quick run; documented at 1000000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=RUNS, help="processes per row (median)")
    args = parser.parse_args(argv)
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    label = (
        f"{args.customers // 1000}k"
        if args.customers < 1_000_000
        else f"{args.customers // 1_000_000}M"
    )
    with tempfile.TemporaryDirectory(prefix="csbench-startup-") as tmp:
        env, query = _demo(Path(tmp), args.customers, args.seed, log)
        baseline = _median(args.runs, lambda: _wall([sys.executable, "-c", "pass"], env))
        search_cmd = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_keyring_shim\n"
            "from csconsole.cli import main\nsys.exit(main(sys.argv[1:]))",
            "search",
            query,
        ]
        log(f"[{label}] csconsole search {query!r} x{args.runs} ...")
        search_s = _median(args.runs, lambda: _wall(search_cmd, env))
        log(f"[{label}] window after sign-in x{args.runs} ...")
        window_s = _median(args.runs, lambda: _window(env))
    rows = [
        _row(f"csconsole search @{label} (whole process)", search_s, "s", baseline, SEARCH_S, None),
        _row(f"window usable after sign-in @{label}", window_s, "s", baseline, WINDOW_S, None),
    ]
    for row in rows:
        row["baseline_name"] = "python -c pass"
    return rows


def _demo(home: Path, customers: int, seed: int, log: Any) -> tuple[dict[str, str], str]:
    """A demo cache in ``home``; the child processes' environment and a name to search for."""
    import sqlite3

    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths
    from csconsole.app.demo import build_demo

    os.environ["CSCONSOLE_HOME"] = str(home)
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    paths = Paths.from_environment()
    log(f"building a demo cache of {customers:,} customers ...")
    console, credentials, _ = build_demo(
        customers=customers, seed=seed, paths=paths, secrets=KeyringSecretStore(backend)
    )
    console.close()
    user, password = next((u, p) for u, p, role in credentials if role.value == "rep")
    with sqlite3.connect(paths.demo_shop_file) as shop:
        first, last = shop.execute(
            "SELECT first_name, last_name FROM customers WHERE customer_id = ?",
            (max(1, customers // 2),),
        ).fetchone()
    path = os.pathsep.join([str(ROOT / "src"), str(HERE)])
    env = dict(
        os.environ,
        CSBENCH_KEYRING=repr(backend.data),
        CSCONSOLE_USER=user,
        CSCONSOLE_PASSWORD=password,
        PYTHONPATH=path,
        QT_QPA_PLATFORM="offscreen",
    )
    return env, f"{first} {last}"


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[3:]} failed: {proc.stderr.strip()[-500:]}")
    return elapsed


def _window(env: dict[str, str]) -> float:
    code = WINDOW_CHILD.format(here=str(HERE))
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the window child failed: {proc.stderr.strip()[-800:]}")
    result = json.loads(lines[-1])
    if result["text"] != "x":
        raise RuntimeError("the search field did not take the typed character")
    return float(result["seconds"])


def _median(runs: int, measure: Any) -> float:
    return statistics.median(measure() for _ in range(max(1, runs)))
