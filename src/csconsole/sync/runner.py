"""One sync run: connect, check the mapping, pull (full or incremental), then the push step.

``run_sync`` is what ``csconsole sync`` and the window's background sync call. It runs on the
calling thread, which must be the one thread that uses the cache store (``open_cache`` is
called on it). The shop is read by a reader thread inside the pull.

The push hook: ``push`` is a callable supplied by the app wiring (the outbox push and
the ledger replication). It is called after the pull, with a ``SyncRun`` giving it the shop engine,
the mapping, the cache store, progress and cancel; what it returns is kept in
``SyncReport.push``. An exception from it fails the run like a pull error does.

Every run is logged in the cache (``sync_run``): when, full or incremental, the outcome, counts
and a one-line reason. Messages name the source by its URL without password, never row data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, exc
from sqlalchemy.engine import URL

from csconsole.services.ports import ProgressReport, SecretStore
from csconsole.sync.errors import (
    FullLoadNeeded,
    NotConnected,
    SchemaMismatch,
    ShopAuthFailed,
    ShopOffline,
    SyncCancelled,
    SyncError,
)
from csconsole.sync.pull.cache_port import CacheStore
from csconsole.sync.pull.common import BATCH_ROWS, PullContext, PullReport
from csconsole.sync.pull.full import full_load
from csconsole.sync.pull.incremental import incremental, needs_full_load
from csconsole.sync.pull.pipeline import Cancelled
from csconsole.sync.retry import delays, describe
from csconsole.sync.shop.connection import classify, full_url, redact, shop_engine
from csconsole.sync.shop.mapping import ShopMapping, load_mapping
from csconsole.sync.shop.schema import ShopSchema, inspect_shop

log = logging.getLogger(__name__)


@dataclass
class SyncRun:
    """What the push step (and any later step) is handed."""

    engine: Engine
    url: URL
    mapping: ShopMapping
    cache: CacheStore
    progress: ProgressReport
    cancelled: Callable[[], bool]
    run_id: int


PushStep = Callable[[SyncRun], Any]


@dataclass
class SyncReport:
    status: str  # ok | failed | offline | cancelled
    source: str
    mapping: str
    kind: str = "incremental"  # full | incremental
    pull: PullReport | None = None
    push: Any = None
    full_reason: str | None = None
    message: str | None = None
    attempts: int = 1
    notes: list[str] = field(default_factory=list)
    # Housekeeping after the last commit (the changes are visible by then): the name index's
    # segment merges and folding the write-ahead log into the cache file.
    checkpoint_s: float = 0.0


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def connect_shop(
    shop_url: str,
    secrets: SecretStore,
    *,
    retries: int = 0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Engine, URL, int]:
    """An engine whose first connection worked; retries an offline shop with backoff."""
    if not shop_url:
        raise NotConnected(
            "No shop database is connected. Run `csconsole connect --shop URL --mapping NAME`."
        )
    url = full_url(shop_url, secrets)
    waits = delays(retries + 1, base=1.0, cap=60.0)
    attempt = 0
    while True:
        attempt += 1
        engine = shop_engine(url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return engine, url, attempt
        except Exception as error:
            engine.dispose()
            problem = classify(error, url)
            wait = next(waits, None)
            if not isinstance(problem, ShopOffline) or wait is None:
                raise problem from None
            log.info("shop offline (%s), retrying in %.1f s", redact(url), wait)
            sleep(wait)


def check_shop(
    shop_url: str, mapping_name: str, secrets: SecretStore
) -> tuple[ShopMapping, ShopSchema, str]:
    """The mapping against the database: (mapping, reflected schema with problems, source)."""
    mapping = load_mapping(mapping_name)
    engine, url, _ = connect_shop(shop_url, secrets)
    try:
        with engine.connect() as conn:
            schema = inspect_shop(conn, mapping)
    except SyncError:
        raise
    except Exception as error:
        raise classify(error, url) from None
    finally:
        engine.dispose()
    return mapping, schema, redact(url)


def run_sync(
    *,
    shop_url: str,
    mapping_name: str,
    secrets: SecretStore,
    open_cache: Callable[[], CacheStore],
    full: bool = False,
    progress: ProgressReport | None = None,
    cancelled: Callable[[], bool] | None = None,
    push: PushStep | None = None,
    retries: int = 0,
    batch_rows: int = BATCH_ROWS,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncReport:
    """Run one sync. Returns the report of a run that finished; raises ``SyncError`` (its
    subclasses say offline, wrong password, schema mismatch, cancelled) after logging it."""
    report_progress = progress or _quiet
    is_cancelled = cancelled or (lambda: False)
    mapping = load_mapping(mapping_name)
    cache = open_cache()
    run_id: int | None = None
    source = redact(shop_url) if shop_url else "(not connected)"
    report = SyncReport("failed", source, mapping.name)
    engine: Engine | None = None
    try:
        cache.recover()
        report.kind = "full" if full else "incremental"
        run_id = cache.start_run(report.kind, source, mapping.name)
        report_progress("connecting to the shop", 0, 1)
        engine, url, report.attempts = connect_shop(shop_url, secrets, retries=retries, sleep=sleep)
        try:
            with engine.connect() as conn:
                schema = inspect_shop(conn, mapping)
        except SyncError:
            raise
        except Exception as error:
            raise classify(error, url) from None
        if schema.problems:
            raise SchemaMismatch(
                f"The shop database {source} does not match the mapping {mapping.name!r}: "
                + "; ".join(schema.problems[:5])
                + (f" (and {len(schema.problems) - 5} more)" if len(schema.problems) > 5 else ""),
                schema.problems,
            )
        ctx = PullContext(
            engine,
            url,
            mapping,
            schema,
            cache,
            report_progress,
            is_cancelled,
            batch_rows,
        )
        if not full:
            report.full_reason = needs_full_load(ctx)
        try:
            if full or report.full_reason:
                report.kind = "full"
                report.pull = full_load(ctx)
            else:
                report.pull = incremental(ctx)
        except FullLoadNeeded as why:
            report.full_reason = str(why)
            report.kind = "full"
            report.pull = full_load(ctx)
        except exc.DBAPIError as error:
            raise _read_error(error, url) from None
        if push is not None:
            report.push = push(
                SyncRun(engine, url, mapping, cache, report_progress, is_cancelled, run_id)
            )
        started = time.perf_counter()
        cache.checkpoint()
        report.checkpoint_s = time.perf_counter() - started
        report.status = "ok"
        report.notes = list(report.pull.notes) if report.pull else []
        if report.pull is not None and report.pull.examples:
            skipped, repaired = report.pull.total("skipped"), report.pull.total("repaired")
            report.notes.append(
                f"{skipped} row(s) skipped, {repaired} repaired (all listed in the cache's"
                " sync_row_issue), for example:"
            )
            report.notes += [f"  {line}" for line in report.pull.examples]
        if report.full_reason:
            report.notes.insert(0, f"full load: {report.full_reason}")
        cache.end_run(run_id, "ok", report.pull.counts() if report.pull else {}, None, report.kind)
        return report
    except (Cancelled, SyncCancelled):
        _log_end(cache, run_id, "cancelled", report, "cancelled")
        raise SyncCancelled("The sync was cancelled; the cache keeps what it had.") from None
    except ShopOffline as error:
        _log_end(cache, run_id, "offline", report, str(error))
        raise
    except (ShopAuthFailed, SyncError) as error:
        _log_end(cache, run_id, "failed", report, str(error))
        raise
    except Exception as error:
        problem = _unexpected(error)
        _log_end(cache, run_id, problem_status(problem), report, str(problem))
        raise problem from None
    finally:
        if engine is not None:
            engine.dispose()
        cache.close()


def _read_error(error: exc.DBAPIError, url: URL | None) -> SyncError:
    """An error while reading: connection loss is offline; anything else is named by its type
    and code only (its text may quote row values)."""
    where = redact(url) if url is not None else "the shop database"
    if error.connection_invalidated or isinstance(error, exc.OperationalError | exc.InterfaceError):
        return ShopOffline(
            f"Lost the connection to {where} ({describe(error)}); the cache keeps what it had."
        )
    return SyncError(f"Reading {where} failed ({describe(error)}); the cache keeps what it had.")


def problem_status(problem: SyncError) -> str:
    return "offline" if isinstance(problem, ShopOffline) else "failed"


def _unexpected(error: Exception) -> SyncError:
    """Any other error, named by its type and code only."""
    if isinstance(error, exc.DBAPIError):
        return _read_error(error, None)
    name = type(error).__name__
    module = type(error).__module__.split(".")[0]
    if module in ("psycopg", "pymysql", "sqlite3") and name in (
        "OperationalError",
        "InterfaceError",
    ):
        return ShopOffline(
            f"Lost the connection to the shop database ({describe(error)}); "
            "the cache keeps what it had."
        )
    return SyncError(f"The sync stopped ({describe(error)}); the cache keeps what it had.")


def _log_end(
    cache: CacheStore, run_id: int | None, status: str, report: SyncReport, message: str
) -> None:
    report.status = status
    report.message = message
    if run_id is None:
        return
    try:
        counts = report.pull.counts() if report.pull else {}
        cache.end_run(run_id, status, counts, message[:500], report.kind)
    except Exception:  # the original error matters more than the log line
        log.exception("could not record the end of sync run %s", run_id)
