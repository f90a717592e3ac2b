"""Fixtures for the widget tests: a task runner that is drained before widgets go away, a fake
console, a main window over it, and the shared case world under the widget tests' name."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication

from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import CaseWorld
from tests.ui.ui_fakes import FakeConsole, rep_session


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    """Depends on qtbot, so it is shut down (and its last deliveries processed) before qtbot
    closes the widgets."""
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.shutdown(10_000), "a task was still running after 10 s"
    QApplication.processEvents()


@pytest.fixture
def fake_console() -> FakeConsole:
    return FakeConsole()


WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot, runner: TaskRunner, fake_console: FakeConsole) -> WindowMaker:  # type: ignore[no-untyped-def]
    """Build, show and register a main window; keyword arguments go to ``MainWindow``."""

    def make(console=None, username: str = "rep", **kwargs) -> MainWindow:  # type: ignore[no-untyped-def]
        console = console or fake_console
        kwargs.setdefault("idle_timeout_ms", 3_600_000)
        kwargs.setdefault("debounce_ms", 20)
        kwargs.setdefault("settle_ms", 300)
        session = kwargs.pop("session", None) or rep_session(console, username)
        window = MainWindow(console, session, runner, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # shortcuts (Ctrl+K, Ctrl+L) need it
        return window

    return make


@pytest.fixture
def ui_world(world: CaseWorld) -> CaseWorld:
    """``world`` of tests/conftest.py (one real case world), by the name the widget tests use."""
    return world
