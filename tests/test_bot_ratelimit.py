"""Flood protection: a user over the per-minute limit is told once, then ignored until the window frees."""

from __future__ import annotations

from bot.telegram.ratelimit import Admission, FloodGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_over_the_limit_one_notice_then_silence_until_the_window_frees():
    clock = Clock()
    guard = FloodGuard(3, window=60, clock=clock)

    decisions = []
    for _ in range(6):  # one question every 10 s
        decisions.append(guard.admit(1))
        clock.now += 10
    assert decisions == [Admission.ANSWER] * 3 + [Admission.NOTICE, Admission.DROP, Admission.DROP]

    clock.now = 1059.9
    assert guard.admit(1) is Admission.DROP
    clock.now = 1060.0  # the first answer leaves the window
    assert guard.admit(1) is Admission.ANSWER
    assert guard.admit(1) is Admission.NOTICE  # full again: a new notice


def test_users_are_counted_separately():
    guard = FloodGuard(1, clock=Clock())
    assert guard.admit(1) is Admission.ANSWER
    assert guard.admit(2) is Admission.ANSWER
    assert guard.admit(1) is Admission.NOTICE


def test_memory_follows_active_users_only():
    clock = Clock()
    guard = FloodGuard(5, window=60, clock=clock)
    for user in range(5000):
        guard.admit(user)
    clock.now += 61
    for user in range(5000, 7000):
        guard.admit(user)
    assert len(guard) <= 2000
