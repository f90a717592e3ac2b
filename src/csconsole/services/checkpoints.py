"""Named points in sync where a crash is survivable by design, and a test hook to crash there.

``CSCONSOLE_KILL_AT`` makes the process send itself SIGKILL at a checkpoint, so tests can prove
that a sync killed at that exact point resumes with nothing lost, duplicated or pushed twice:

- ``CSCONSOLE_KILL_AT=7``: at the 7th checkpoint reached, whatever its name;
- ``CSCONSOLE_KILL_AT=push.after_shop_commit``: at the first checkpoint of that name;
- ``CSCONSOLE_KILL_AT=push.after_shop_commit:3``: at the 3rd time that name is reached.

``CSCONSOLE_CHECKPOINT_LOG`` names a file each reached checkpoint is appended to (one name a
line), so a test can count the points of a run before it kills runs at each of them.
Without these variables a checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_ENV_KILL = "CSCONSOLE_KILL_AT"
_ENV_LOG = "CSCONSOLE_CHECKPOINT_LOG"

_counts: dict[str, int] = {}
_total = [0]


def checkpoint(name: str) -> None:
    """Mark a crash point; kills the process here when the test hook says so."""
    target = os.environ.get(_ENV_KILL)
    log = os.environ.get(_ENV_LOG)
    if not target and not log:
        return
    _total[0] += 1
    _counts[name] = _counts.get(name, 0) + 1
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")
    if target and _matches(target, name):
        os.kill(os.getpid(), signal.SIGKILL)


def _matches(target: str, name: str) -> bool:
    if target.isdigit():
        return _total[0] == int(target)
    wanted, _, nth = target.partition(":")
    return wanted == name and _counts[name] == (int(nth) if nth else 1)
