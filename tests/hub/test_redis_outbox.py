"""What a server sends Redis in each call, with no Redis: steps in the order made, numbered,
each exactly the width the batch script reads, and cut so that a change of who is in a room
never reaches another server without the event that announces it."""

from __future__ import annotations

import pytest

from papo.hub.redis_outbox import OUTBOX_LIMIT, STEP_VALUES, Call, Claim, Outbox, calls


def test_steps_are_numbered_in_order_and_padded_to_one_width() -> None:
    outbox = Outbox()
    assert outbox.step("enter", 5, "#lobby", "ana") == 1
    assert outbox.step("exit", 5, "#lobby") == 2
    batch = outbox.next_batch()
    assert [step.values for step in batch] == [
        [1, "enter", 5, "#lobby", "ana", "", ""],
        [2, "exit", 5, "#lobby", "", "", ""],
    ]
    assert all(len(step.values) == 2 + STEP_VALUES for step in batch)


def test_a_step_wider_than_the_script_reads_is_refused_before_it_shifts_the_batch() -> None:
    outbox = Outbox()
    with pytest.raises(ValueError, match="a ban step has 6 values"):
        outbox.step("ban", 0, "a", "b", "c", "d", "e")
    assert len(outbox) == 0
    assert outbox.seq == 0  # no number taken: Redis would wait for it for ever


def test_steps_leave_only_once_redis_took_them() -> None:
    outbox = Outbox()
    for holder in range(3):
        outbox.step("away", holder, "")
    first = outbox.next_batch(2)
    assert [step.values[0] for step in first] == [1, 2]
    assert [step.values[0] for step in outbox.next_batch(2)] == [1, 2]  # resent as they were
    outbox.sent(len(first))
    assert [step.values[0] for step in outbox.next_batch(2)] == [3]
    outbox.sent(1)
    assert not outbox


def test_a_batch_cut_short_ends_with_an_event_so_its_changes_travel_with_it() -> None:
    outbox = Outbox()
    outbox.step("enter", 5, "#lobby", "ana")
    outbox.step("event", "{join}", "[route]", "")
    outbox.step("enter", 6, "#lobby", "bob")
    outbox.step("event", "{join}", "[route]", "")
    batch = outbox.next_batch(3)  # three fit, but the third is bob's arrival without its join
    assert [step.values[1] for step in batch] == ["enter", "event"]
    outbox.sent(len(batch))
    assert [step.values[1] for step in outbox.next_batch(3)] == ["enter", "event"]


def test_a_batch_with_no_event_in_reach_is_sent_as_it_is() -> None:
    outbox = Outbox()
    for holder in range(4):
        outbox.step("enter", holder, "#lobby", f"u{holder}")
    assert len(outbox.next_batch(3)) == 3  # nothing better to stop at


def test_claims_split_the_batch_into_calls_in_the_order_made() -> None:
    outbox = Outbox()
    outbox.step("lasting", 4, "{topic}", "topic #lobby")
    claim: Claim = (["papo:name:ana"], [7, "ana", 1, 0.0, 400])
    outbox.claim(claim)
    outbox.step("enter", 7, "#lobby", "ana")
    outbox.step("away", 7, "lunch", "")
    made = calls(outbox.next_batch())
    assert made == [
        Call([1, "lasting", 4, "{topic}", "topic #lobby", "", ""]),
        Call([], claim),
        Call([2, "enter", 7, "#lobby", "ana", "", "", 3, "away", 7, "lunch", "", "", ""]),
    ]
    assert outbox.seq == 3  # a claim is no step of the batch script: it takes no number


def test_the_usual_batch_is_one_call() -> None:
    outbox = Outbox()
    for _ in range(50):
        outbox.step("event", "{message}", "[route]", "")
    assert len(calls(outbox.next_batch())) == 1


def test_a_full_outbox_refuses_new_lines() -> None:
    outbox = Outbox()
    for _ in range(OUTBOX_LIMIT - 1):
        outbox.step("away", 1, "", "")
    assert not outbox.full()
    outbox.step("away", 1, "", "")
    assert outbox.full()
    outbox.sent(1)
    assert not outbox.full()
