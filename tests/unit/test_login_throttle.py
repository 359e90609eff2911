"""The login throttle: per name, per address, and a process budget of password checks."""

from __future__ import annotations

import pytest

from caller_server.api.throttle import LoginThrottle, TooManyLogins
from tests.serverkit import FakeClock


def test_a_name_waits_after_five_failures_and_a_success_clears_it() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(per_second=100, clock=clock)
    for _ in range(4):
        throttle.check("li", "10.0.0.1")
        assert not throttle.failed("li", "10.0.0.1")
    throttle.check("li", "10.0.0.1")
    assert throttle.failed("li", "10.0.0.1")  # the fifth locks the name: worth an audit event
    with pytest.raises(TooManyLogins) as err:
        throttle.check("li", "10.0.0.2")  # from anywhere
    assert err.value.context["retry_after"] == 900
    throttle.check("wang", "10.0.0.1")  # another name is free
    clock.advance(901)
    throttle.check("li", "10.0.0.1")  # the window passed
    throttle.succeeded("li")


def test_an_address_waits_after_twenty_failures() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(per_second=100, burst=100, clock=clock)
    for i in range(20):
        throttle.check(f"user{i}", "10.0.0.9")
        throttle.failed(f"user{i}", "10.0.0.9")
    with pytest.raises(TooManyLogins):
        throttle.check("someone-else", "10.0.0.9")
    throttle.check("someone-else", "10.0.0.10")


def test_the_process_runs_a_burst_then_two_checks_a_second() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for i in range(10):
        throttle.check(f"user{i}", f"10.0.1.{i}")
    with pytest.raises(TooManyLogins) as err:
        throttle.check("user10", "10.0.1.10")
    assert err.value.context["retry_after"] == 1
    assert "请 1 秒后再试" in err.value.message_zh
    clock.advance(0.5)
    throttle.check("user10", "10.0.1.10")
