"""The headless `case`, `verify` and `audit list` commands, through `cli.main`, signed in from the
environment like a script would be."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from csconsole import cli
from tests.casework import JANE, JANE_SECRETS, CaseWorld, OpenWorld


@pytest.fixture
def world(open_world: OpenWorld) -> CaseWorld:
    """The shared case world, its console closed: the commands open their own."""
    return open_world(console_open=False)


class Runner:
    def __init__(self, world: CaseWorld, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
        self.world, self.mp, self.capsys = world, monkeypatch, capsys
        self.outputs: list[str] = []

    def __call__(self, *args: str, user: str = "rep", stdin: str | None = None) -> tuple[int, str]:
        self.mp.setenv("CSCONSOLE_USER", user)
        self.mp.setenv("CSCONSOLE_PASSWORD", self.world.passwords[user])
        if stdin is not None:
            self.mp.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out = self.capsys.readouterr()
        self.outputs.append(out.out + out.err)
        return code, out.out + out.err

    def json(self, *args: str, user: str = "rep", stdin: str | None = None) -> Any:
        code, out = self(*args, "--json", user=user, stdin=stdin)
        assert code in (0, 2), out
        return json.loads(out.splitlines()[0])


@pytest.fixture
def run(world: CaseWorld, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Runner:
    return Runner(world, monkeypatch, capsys)


def test_a_call_from_case_to_unmasked_customer(run: Runner) -> None:
    case = run.json(
        "case", "open", "--type", "access", "--customer", str(JANE), "--summary", "wants a copy"
    )
    case_id = str(case["case_id"])
    assert case["status"] == "open" and case["overdue"] is False
    code, out = run("case", "customer", case_id)
    assert code == 1 and "not verified" in out
    started = run.json("verify", "start", case_id)
    vid = str(started["verification_id"])
    assert started["required"] == "standard" and started["needed"] == 2
    assert {q["question"] for q in started["remaining"]} >= {"email", "phone", "card_last4"}
    answer = run.json("verify", "answer", vid, "email", "--answer", "JANE.SMITH@EXAMPLE.ORG")
    assert answer["outcome"] == "match" and answer["level"] == "none"
    answer = run.json("verify", "answer", vid, "billing_postcode", stdin="10001\n")
    assert answer["outcome"] == "match" and answer["passed"] is True
    rejected = run.json("verify", "answer", vid, "card_last4", "--answer", "4111111111111881")
    assert rejected["outcome"] == "rejected" and "last four digits only" in rejected["reason"]
    code, out = run("case", "customer", case_id)
    assert code == 0 and "Jane.Smith@example.org" in out and "standard level" in out
    # Timestamps of the output go first: their microseconds may hold any four digits.
    shown_before_verification = re.sub(
        r"\d{4}-\d{2}-\d{2}T[0-9:.+]+", "<time>", "\n".join(run.outputs[:4])
    )
    for secret in JANE_SECRETS:
        assert secret not in shown_before_verification
    assert run("case", "note", case_id, "sent by post")[0] == 0
    assert run("case", "close", case_id, "--resolution", "copy sent")[0] == 0
    detail = run.json("case", "show", case_id)
    assert detail["status"] == "resolved" and detail["notes"][0]["text"] == "sent by post"


def test_queue_lockout_and_the_audit_list(run: Runner) -> None:
    case_id = str(
        run.json("case", "open", "--type", "access", "--customer", str(JANE), "--summary", "a")[
            "case_id"
        ]
    )
    vid = str(run.json("verify", "start", case_id)["verification_id"])
    for kind, wrong in [
        ("email", "a@example.com"),
        ("phone", "2125550000"),
        ("card_last4", "0000"),
    ]:
        result = run.json("verify", "answer", vid, kind, "--answer", wrong)
        assert result["outcome"] == "no_match"
    assert result["locked"] is True
    code, out = run("verify", "start", case_id)
    assert code == 1 and "locked" in out
    code, out = run("verify", "unlock", str(JANE), "--reason", "x")
    assert code == 1 and "may not unlock verification" in out
    code, out = run("verify", "unlock", str(JANE), "--reason", "called back", user="supervisor")
    assert code == 0
    assert [c["case_id"] for c in run.json("case", "list")] == [int(case_id)]
    code, out = run("case", "list", "--all")
    assert code == 1
    assert len(run.json("case", "list", "--all", user="supervisor")) == 1
    events = run.json("audit", "list", "--action", "verification.", user="supervisor")
    actions = [e["action"] for e in events]
    assert actions[0] == "verification.unlocked" and "verification.locked" in actions
    assert events[0]["label"] == "Verification unlocked"
    code, out = run("audit", "list", "--labels", "--action", "verification.", user="supervisor")
    assert code == 0 and "Verification unlocked" in out and "Reason length (characters): " in out
    assert "verification.unlocked" not in out
    assert all("a@example.com" not in json.dumps(e) for e in events)
    code, out = run("audit", "list", "--since", "yesterday", user="supervisor")
    assert code == 2 and "--since" in out
    code, out = run("verify", "answer", vid, "shoe_size", "--answer", "9")
    assert code == 2 and "question" in out
