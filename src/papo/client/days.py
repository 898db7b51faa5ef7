"""The day, said when the events shown move to another one.

Every line of the chat carries its time as HH:MM, which reads as today. The history a newcomer
is shown may be last week's (a quiet room, a server with ``--store``), and a client left open
overnight goes on past midnight: a line that names the day is shown before the first event of
each day other than the one before it, as IRC clients say "Day changed".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from papo.protocol.events import (
    Action,
    Bye,
    Event,
    Invite,
    Join,
    Leave,
    Message,
    Mute,
    Nick,
    Private,
    Replayed,
    Topic,
    Welcome,
)

# The events shown with their time; answers (lists, help, errors) are shown without one.
STAMPED = (Message, Action, Private, Invite, Join, Leave, Nick, Welcome, Bye, Topic, Mute)


def day_name(day: date, _: Callable[[str], str]) -> str:
    """``day`` in words, in the language of ``_`` (not the system's locale, which may be
    missing, or another language than the chat's)."""
    weekdays = (
        _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
        _("Saturday"), _("Sunday"),
    )  # fmt: skip
    months = (
        _("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"),
        _("August"), _("September"), _("October"), _("November"), _("December"),
    )  # fmt: skip
    return _("{weekday}, {day} {month} {year}").format(
        weekday=weekdays[day.weekday()], day=day.day, month=months[day.month - 1], year=day.year
    )


class DayChanges:
    """The day of the last event shown with its time; at first, today (a chat of today's
    says nothing about the day)."""

    def __init__(self, _: Callable[[str], str], today: Callable[[], date] = date.today) -> None:
        self._ = _
        self._today = today
        self._shown: date | None = None

    def line_before(self, event: Event) -> str | None:
        """The day in words, if ``event`` is of another day than the event shown before it."""
        if isinstance(event, Replayed):
            event = event.event
        if not isinstance(event, STAMPED):
            return None
        day = datetime.fromtimestamp(event.ts).date()  # local time, as the HH:MM shown
        previous = self._shown if self._shown is not None else self._today()
        self._shown = day
        if day == previous:
            return None
        return "-- " + day_name(day, self._) + " --"
