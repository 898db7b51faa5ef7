"""Which part of a room's past ``/history`` shows: the last N messages, or N on one side of a
point of the log, or between two, as IRC's CHATHISTORY pages through a channel
(``BEFORE``, ``AFTER``, ``LATEST``, ``AROUND``, ``BETWEEN``).

A point is an event's id (what papo's programs see, IRC's ``msgid``) or a time. Ids are the
log's order; times nearly are (servers of one chat may disagree by a little), so a window is
walked from its near end and never assumed sorted by time. Pure: the events to walk, oldest
first, and whether each may be shown (``visible``) are given by the chat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import dropwhile, islice, takewhile
from typing import Generic, TypeVar

from papo.protocol.marks import Logged, Mark, read_mark

T = TypeVar("T")  # what is walked: an event, or an event with what goes with it


class Side(Enum):
    LATEST = "latest"  # the last N (after the mark, if one is given)
    BEFORE = "before"
    AFTER = "after"
    AROUND = "around"  # half before the mark, the rest from it on
    BETWEEN = "between"  # between two marks, from the first towards the second


# How many marks each side takes after its word.
MARKS_TAKEN = {Side.LATEST: 1, Side.BEFORE: 1, Side.AFTER: 1, Side.AROUND: 1, Side.BETWEEN: 2}


@dataclass(frozen=True, slots=True)
class Window:
    side: Side = Side.LATEST
    marks: tuple[Mark, ...] = ()

    def pick(
        self,
        items: Sequence[T],
        event_of: Callable[[T], Logged],
        visible: Callable[[T], bool],
        count: int,
    ) -> list[T]:
        """At most ``count`` of ``items`` (oldest first, each an event or holding one) that
        are ``visible`` and in this window, oldest first; of more, those nearest its mark."""
        shown = _Walk(items, event_of, visible)
        match self.side, self.marks:
            case Side.LATEST, ():
                return shown.backwards(count)
            case Side.LATEST, (mark,):
                return shown.backwards(count, until=mark.after)
            case Side.BEFORE, (mark,):
                return shown.backwards(count, start=mark.before)
            case Side.AFTER, (mark,):
                return shown.forwards(count, start=mark.after)
            case Side.AROUND, (mark,):
                earlier = shown.backwards(count // 2, start=mark.before)
                later = shown.forwards(count - len(earlier), start=mark.reached)
                return earlier + later
            case Side.BETWEEN, (first, second) if _precedes(first, second, shown.events()):
                return shown.forwards(count, start=first.after, until=second.before)
            case Side.BETWEEN, (first, second):
                return shown.backwards(count, start=first.before, until=second.after)
        raise ValueError(f"{self.side.value} with {len(self.marks)} marks")


LAST = Window()  # the last N messages, what /history shows unless told


def read_window(words: list[str]) -> tuple[Window, list[str]] | None:
    """The window at the end of ``words`` (``before 1234``, ``between 1200 1300``), and the
    words before it; no window there: the last N. None: a side with a mark that is none."""
    for side, taken in MARKS_TAKEN.items():
        at = len(words) - 1 - taken
        if at >= 0 and words[at].lower() == side.value:
            marks = [read_mark(word) for word in words[at + 1 :]]
            if any(mark is None for mark in marks):
                return None
            return Window(side, tuple(m for m in marks if m is not None)), words[:at]
    return LAST, words


def _precedes(first: Mark, second: Mark, events: Iterable[Logged]) -> bool:
    """Whether ``first`` is earlier in the log than ``second``; an id and a time are
    compared by the time of the event with that id (unknown: taken as earlier)."""
    if first.id is not None and second.id is not None:
        return first.id <= second.id
    if first.id is None and second.id is None:
        return first.ts <= second.ts
    known = first if first.id is not None else second
    found = next((event.ts for event in events if event.id == known.id), None)
    if found is None:
        return known is first
    return found <= second.ts if known is first else first.ts <= found


def _always(_: Logged) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _Walk(Generic[T]):
    items: Sequence[T]
    event_of: Callable[[T], Logged]
    visible: Callable[[T], bool]

    def events(self) -> Iterable[Logged]:
        return map(self.event_of, self.items)

    def forwards(
        self,
        count: int,
        start: Callable[[Logged], bool] = _always,
        until: Callable[[Logged], bool] = _always,
    ) -> list[T]:
        """From the oldest: the first ``count`` visible items from the first whose event
        ``start`` holds for, as long as ``until`` holds."""
        return self._take(self.items, count, start, until)

    def backwards(
        self,
        count: int,
        start: Callable[[Logged], bool] = _always,
        until: Callable[[Logged], bool] = _always,
    ) -> list[T]:
        """From the newest: the same, given back oldest first."""
        found = self._take(reversed(self.items), count, start, until)
        found.reverse()
        return found

    def _take(
        self,
        items: Iterable[T],
        count: int,
        start: Callable[[Logged], bool],
        until: Callable[[Logged], bool],
    ) -> list[T]:
        event_of = self.event_of
        started = dropwhile(lambda item: not start(event_of(item)), items)
        inside = takewhile(lambda item: until(event_of(item)), started)
        return list(islice(filter(self.visible, inside), count))
