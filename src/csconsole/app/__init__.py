"""The composition root (``app.console.Console``), the sync wiring it holds
(``app.sync_wiring``) and the embedded demo (``app.demo.build_demo``, imported on its own: it
loads the demo generator)."""

from __future__ import annotations

from csconsole.app.console import Console

__all__ = ["Console"]
