"""When a server may take the others for dead: a lease after its own first, and after any
spell in which its own lease may have run out, or Redis came back empty, time for the others
to renew theirs."""

from __future__ import annotations

from papo.hub.lease_clock import LeaseClock

LEASE = 10.0
COME_BACK = 4.0


def test_nobody_is_buried_within_a_lease_of_this_servers_first() -> None:
    clock = LeaseClock(LEASE, COME_BACK, now=100.0)
    clock.lease_set(101.0)
    assert not clock.may_bury(110.9)
    assert clock.may_bury(111.0)


def test_renewals_a_third_of_a_lease_apart_let_burials_go_on() -> None:
    clock = LeaseClock(LEASE, COME_BACK, now=0.0)
    clock.lease_set(0.0)
    for asked in (3.3, 6.6, 10.0, 13.3):
        clock.renewed(asked, asked + 0.01)
    assert clock.may_bury(13.31)


def test_a_renewal_more_than_a_lease_after_the_last_gives_the_others_time() -> None:
    """Redis silent, or this process paused: the others' leases ran out for the same
    reason, and they get a lease to renew theirs before anybody is buried."""
    clock = LeaseClock(LEASE, COME_BACK, now=0.0)
    clock.lease_set(0.0)
    clock.renewed(3.0, 3.01)
    clock.renewed(6.0, 20.0)  # answered 17 s after the renewal before it was sent
    assert not clock.may_bury(29.9)
    assert clock.may_bury(30.0)
    # That renewal may have reached Redis as early as 6.0, so it may have run out at 16.0:
    # the next, 17.3 s after it was asked for, gives the others time again.
    clock.renewed(23.3, 23.31)
    assert not clock.may_bury(33.3)
    clock.renewed(26.6, 26.61)  # back to normal: the time given is neither cut nor grown
    assert not clock.may_bury(33.3) and clock.may_bury(33.31)


def test_a_short_lease_still_gives_the_time_a_server_takes_to_hear_redis_again() -> None:
    clock = LeaseClock(1.0, COME_BACK, now=0.0)
    assert clock.settling == COME_BACK
    clock.lease_set(0.0)
    clock.renewed(0.3, 5.0)
    assert not clock.may_bury(8.9)
    assert clock.may_bury(9.0)


def test_redis_back_empty_gives_everybody_time_to_write_their_members_back() -> None:
    clock = LeaseClock(LEASE, COME_BACK, now=0.0)
    clock.lease_set(0.0)
    assert not clock.ever_restocked and not clock.settling_after_restock(50.0)
    clock.restocked(50.0)
    assert clock.ever_restocked
    assert clock.settling_after_restock(59.9) and not clock.may_bury(59.9)
    assert not clock.settling_after_restock(60.0) and clock.may_bury(60.0)
