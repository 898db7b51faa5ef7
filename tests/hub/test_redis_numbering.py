"""Ids across a Redis that lost the chat, with no Redis: how many events a server says it had
read beyond this one, and where a resume from before the loss starts counting what it missed."""

from __future__ import annotations

from papo.hub.redis_numbering import Numbering


def test_with_no_jump_the_oldest_id_is_the_logs() -> None:
    numbering = Numbering()
    assert not numbering.jumping
    assert numbering.oldest_id(5) == 5
    assert numbering.oldest_id(0) == 0  # an empty log


def test_servers_back_count_each_event_lost_once() -> None:
    numbering = Numbering()
    numbering.lost(10)  # this server had read up to 10
    assert numbering.jumping
    assert numbering.renumbered(12) == 2  # another had read 11 and 12: never here
    assert numbering.renumbered(11) == 0  # a third had read less: nothing new
    assert numbering.renumbered(12) == 0
    assert numbering.renumbered(13) == 1


def test_a_resume_after_the_jump_counts_what_it_missed_not_the_ids_skipped() -> None:
    numbering = Numbering()
    numbering.lost(10)
    numbering.renumbered(12)
    numbering.jumped(80, newest=10, oldest=1)  # the counter was raised well above
    assert not numbering.jumping
    assert numbering.oldest_id(80) == 13  # read up to 12: missed nothing the log lost
    numbering.renumbered(14)  # a server slower to come back had read further
    assert numbering.oldest_id(80) == 15
    assert numbering.oldest_id(81) == 81  # no jump before 81


def test_jumps_the_log_no_longer_reaches_are_forgotten() -> None:
    numbering = Numbering()
    numbering.lost(10)
    numbering.jumped(80, newest=10, oldest=1)
    numbering.lost(90)  # Redis lost the chat a second time
    numbering.jumped(200, newest=90, oldest=81)  # the log starts after the first jump now
    assert numbering.oldest_id(80) == 80  # forgotten
    assert numbering.oldest_id(200) == 91


def test_a_server_started_after_the_loss_is_told_how_far_the_others_read() -> None:
    numbering = Numbering()
    assert numbering.renumbered(12) == 12  # the hub tells its clients nothing (none was here)
    assert numbering.jumping
    numbering.jumped(70, newest=0, oldest=0)
    assert numbering.oldest_id(70) == 13
