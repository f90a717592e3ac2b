"""The lockout over every desk's records, as properties: wrong answers recorded on several desks
add up, a lock recorded on any desk stands until an unlock at or after it (from any desk), and
an unlock never lifts a lock made after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csconsole.adapters.policy_files import load_profile
from csconsole.domain.policy import LockoutRule
from csconsole.domain.verification import (
    LockRecord,
    first_lock,
    lock_in_force,
    should_lock,
    standing_locks,
    unlock_effective_at,
)

RULES = [load_profile(n).verification.lockout for n in ("diamond-nexus", "national-diamond-outlet")]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = 7

rules = st.sampled_from(RULES)
seconds = st.integers(min_value=0, max_value=96 * 3600)
times = st.lists(seconds, max_size=14).map(lambda xs: [T0 + timedelta(seconds=s) for s in xs])
desks = st.sampled_from(["", "desk-a", "desk-b", "desk-c"])


@st.composite
def locks(draw: st.DrawFn) -> list[LockRecord]:
    out = []
    for i, at in enumerate(draw(times)):
        out.append(LockRecord(i + 1, CUSTOMER, at, 3, draw(desks)))
    return out


def checked_after_each(failures: list[datetime], rule: LockoutRule) -> datetime | None:
    """What one desk seeing every failure would have done: check after each, in time order."""
    ordered = sorted(failures)
    for i, at in enumerate(ordered):
        if should_lock(ordered[: i + 1], at, rule):
            return at
    return None


@given(rules, times, st.randoms(use_true_random=False))
def test_failures_from_several_desks_lock_as_if_one_desk_saw_them_all(
    rule: LockoutRule, failures: list[datetime], rnd: object
) -> None:
    shuffled = list(failures)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    found = first_lock(shuffled, rule)  # the order the desks' records arrive in does not matter
    expected = checked_after_each(failures, rule)
    assert (found[0] if found else None) == expected
    if found is not None:
        assert found[1] >= rule.max_failures


@given(rules, times, times)
def test_a_desk_never_locks_on_fewer_failures_than_all_desks_together(
    rule: LockoutRule, on_a: list[datetime], on_b: list[datetime]
) -> None:
    alone = first_lock(on_a, rule)
    together = first_lock(on_a + on_b, rule)
    if alone is not None:
        assert together is not None and together[0] <= alone[0]


@given(rules, locks(), times, seconds)
def test_an_unlock_lifts_every_lock_made_up_to_it_and_none_made_later(
    rule: LockoutRule, recorded: list[LockRecord], failures: list[datetime], offset: int
) -> None:
    now = T0 + timedelta(seconds=offset)
    shown = lock_in_force(CUSTOMER, recorded, None, failures, rule)
    if shown is None:
        return
    effective = unlock_effective_at(now, shown)
    assert effective >= now and effective >= shown.locked_at
    after = lock_in_force(CUSTOMER, recorded, effective, failures, rule)
    later = [lock for lock in recorded if lock.locked_at > effective]
    if later:  # a lock made after the unlock is not lifted by it
        assert after is not None and after.lock_id is not None
        assert after.locked_at > effective
        assert after == max(later, key=lambda lock: lock.sort_key)
    else:  # the lock shown, and every lock made before it on any desk, are lifted
        assert after is None or after.lock_id is None
        if after is not None:  # only new wrong answers after the unlock can lock again
            assert after.locked_at > effective
            assert first_lock([f for f in failures if f > effective], rule) is not None


@given(rules, locks(), st.one_of(st.none(), times.map(lambda ts: max(ts, default=None))))
def test_the_lock_in_force_is_the_newest_standing_one_and_never_lapses(
    rule: LockoutRule, recorded: list[LockRecord], last_unlock: datetime | None
) -> None:
    standing = standing_locks(recorded, last_unlock)
    assert all(last_unlock is None or lock.locked_at > last_unlock for lock in standing)
    found = lock_in_force(CUSTOMER, recorded, last_unlock, [], rule)
    assert found == (standing[0] if standing else None)
    # Nothing depends on the time now: a lock stands until an unlock, however long ago it was.


def test_three_failures_on_two_desks_within_the_window() -> None:
    rule = RULES[0]
    a = [T0, T0 + timedelta(hours=1)]
    b = [T0 + timedelta(hours=23)]
    assert first_lock(a, rule) is None and first_lock(b, rule) is None
    assert first_lock(a + b, rule) == (b[0], 3)
    implied = lock_in_force(CUSTOMER, [], None, a + b, rule)
    assert implied == LockRecord(None, CUSTOMER, b[0], 3)
    assert lock_in_force(CUSTOMER, [], b[0], a + b, rule) is None  # an unlock at the time
    late = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=24)]
    assert first_lock(late, rule) is None  # the first fell out of the window


def test_an_unlock_on_a_desk_whose_clock_is_behind_still_lifts_the_lock_it_was_shown() -> None:
    lock = LockRecord(4, CUSTOMER, T0 + timedelta(seconds=30), 3, "desk-a")
    effective = unlock_effective_at(T0, lock)  # desk B's clock says T0
    assert effective == lock.locked_at
    assert lock_in_force(CUSTOMER, [lock], effective, [], RULES[0]) is None
