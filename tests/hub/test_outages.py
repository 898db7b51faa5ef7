"""When the link to Redis is tried again, and when the log speaks of it: pure, by the clock."""

from __future__ import annotations

from papo.hub.outages import RETRY_PAUSES, STABLE_SECONDS, Outages


def test_an_outage_is_tried_again_further_and_further_apart() -> None:
    outages = Outages()
    outages.lost(100.0)
    pauses = [outages.next_pause() for _ in range(len(RETRY_PAUSES) + 1)]
    assert pauses == [*RETRY_PAUSES, RETRY_PAUSES[-1]]
    assert outages.relapses == 0 and outages.worth_saying()


def test_failing_again_right_after_coming_back_goes_on_from_the_longer_pauses() -> None:
    outages = Outages()
    outages.lost(100.0)
    outages.next_pause()
    outages.back(100.1)
    outages.lost(100.2)  # the chat's first write after the recovery fails again
    assert outages.relapses == 1
    assert outages.next_pause() == RETRY_PAUSES[1]  # not the first pause again
    assert outages.worth_saying()  # the first relapse is said
    outages.back(100.5)
    outages.lost(100.6)
    assert outages.next_pause() == RETRY_PAUSES[2]
    assert not outages.worth_saying()  # the next ones are not, however many


def test_after_staying_back_a_while_a_failure_is_a_new_outage() -> None:
    outages = Outages()
    for moment in (100.0, 100.2, 100.4):
        outages.lost(moment)
        outages.next_pause()
        outages.back(moment + 0.1)
    outages.lost(100.5 + STABLE_SECONDS)
    assert outages.relapses == 0 and outages.worth_saying()
    assert outages.next_pause() == RETRY_PAUSES[0]


def test_a_short_lease_caps_the_pauses_so_that_a_server_renews_it_in_time() -> None:
    outages = Outages(longest_pause=0.5)  # a lease of 2 s
    outages.lost(100.0)
    pauses = [outages.next_pause() for _ in range(len(RETRY_PAUSES) + 2)]
    assert pauses == [0.1, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5]
