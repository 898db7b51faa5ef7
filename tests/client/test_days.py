"""The day said where the events shown move to another: pure tests, and a terminal client
shown a history of days ago by a real server with a real store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pexpect

from papo.client.days import DayChanges, day_name
from papo.protocol.events import Message, Online, Replayed
from papo.protocol.i18n import translation
from tests.client.test_terminal import chatting
from tests.conftest import StartServer
from tests.store_files import fill_store

ENGLISH = translation("en").gettext
TODAY = date(2026, 12, 4)  # a Friday


def _at(day: date, hour: int = 12) -> float:
    return datetime(day.year, day.month, day.day, hour).timestamp()


def _said(day: date, text: str = "hi", hour: int = 12) -> Message:
    return Message(ts=_at(day, hour), id=1, sender="ana", text=text, room="#lobby")


def test_the_day_is_said_only_where_it_changes() -> None:
    days = DayChanges(ENGLISH, today=lambda: TODAY)
    assert days.line_before(_said(TODAY)) is None  # a chat of today's says nothing
    last_week = TODAY - timedelta(days=7)
    assert days.line_before(_said(last_week)) == "-- Friday, 27 November 2026 --"
    assert days.line_before(_said(last_week, hour=23)) is None
    assert days.line_before(Online(ts=_at(TODAY), users=("ana",))) is None  # no time shown
    assert days.line_before(Replayed(_said(TODAY))) == "-- Friday, 4 December 2026 --"
    assert days.line_before(_said(TODAY + timedelta(days=1), hour=0)) == (
        "-- Saturday, 5 December 2026 --"  # left open past midnight
    )


def test_the_first_event_of_another_day_is_said_even_first() -> None:
    days = DayChanges(ENGLISH, today=lambda: TODAY)
    assert days.line_before(_said(date(2026, 1, 1))) == "-- Thursday, 1 January 2026 --"


def test_days_in_portuguese() -> None:
    portuguese = translation("pt_BR").gettext
    assert day_name(date(2026, 12, 3), portuguese) == "quinta-feira, 3 de dezembro de 2026"
    assert day_name(date(2026, 3, 1), portuguese) == "domingo, 1 de março de 2026"


def test_a_history_of_days_ago_is_shown_under_its_day(
    start_server: StartServer, clients: list[pexpect.spawn], tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    fill_store(store, {"said three days ago": 3})
    three_days_ago = (datetime.now() - timedelta(days=3)).date()
    server = start_server("--store", str(store))
    carol = chatting(server.port, clients, "carol")
    carol.expect_exact(f"-- {day_name(three_days_ago, ENGLISH)} --")
    carol.expect_exact("said three days ago")
    alice = server.user("alice")
    alice.send("said today")
    carol.expect_exact(f"-- {day_name(date.today(), ENGLISH)} --")  # back to today
    carol.expect_exact("said today")
