"""The window's seam: ``ConsoleLike`` names what the window uses; the real console and the test
fake both have all of it (mypy checks the real one's types through ``cli.py``; this catches a
member added to the Protocol but not to the fake, or dropped from ``Console``)."""

from __future__ import annotations

from dataclasses import fields
from typing import Generic, Protocol

from csconsole.app.console import Console
from csconsole.ui.console_like import ConsoleLike
from tests.ui.ui_fakes import FakeConsole


def protocol_members(protocol: type) -> set[str]:
    return {
        name
        for cls in protocol.__mro__
        if cls not in (Protocol, Generic, object)
        for name in vars(cls)
        if not name.startswith("_")
    }


def test_the_protocol_names_the_services_the_window_uses():
    assert protocol_members(ConsoleLike) == {
        "audit_trail",
        "auth",
        "cases",
        "close",
        "conflicts",
        "customers",
        "customer_view",
        "search",
        "settings",
        "sync",
        "unmask",
        "verification",
    }


def test_the_real_console_has_every_member():
    names = {f.name for f in fields(Console)} | set(dir(Console))
    assert protocol_members(ConsoleLike) - names == set()


def test_the_fake_console_has_every_member():
    fake = FakeConsole()
    assert {name for name in protocol_members(ConsoleLike) if not hasattr(fake, name)} == set()
