"""``history_window``: which of a room's messages a window of the log holds, against a model
written the plain way (every event looked at), for ids and times alike."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from papo.core.history_window import LAST, Side, Window, read_window
from papo.protocol.marks import Mark, read_mark


@dataclass(frozen=True)
class Said:
    id: int
    ts: float
    visible: bool = True


def pick(window: Window, events: list[Said], count: int) -> list[int]:
    found = window.pick(events, lambda said: said, lambda said: said.visible, count)
    return [said.id for said in found]


def model(side: Side, marks: list[int], events: list[Said], count: int) -> list[int]:
    """The same window, every event looked at: ids, the log's order."""
    ids = [said.id for said in events if said.visible]
    if side is Side.LATEST:
        return [i for i in ids if not marks or i > marks[0]][-count:]
    mark = marks[0]
    if side is Side.BEFORE:
        return [i for i in ids if i < mark][-count:]
    if side is Side.AFTER:
        return [i for i in ids if i > mark][:count]
    if side is Side.AROUND:
        half = count // 2
        earlier = [i for i in ids if i < mark][-half:] if half else []
        return earlier + [i for i in ids if i >= mark][: count - len(earlier)]
    low, high = sorted(marks)
    inside = [i for i in ids if low < i < high]
    return inside[:count] if marks[0] <= marks[1] else inside[-count:]


logs = st.lists(
    st.tuples(st.integers(1, 4), st.booleans()), max_size=40
).map(
    lambda steps: [  # ids rising by 1 to 4 (the others went to other rooms), a time each
        Said(id=sum(step for step, _ in steps[: n + 1]), ts=1000.0 + n, visible=shown)
        for n, (_, shown) in enumerate(steps)
    ]
)


@given(
    events=logs,
    side=st.sampled_from(Side),
    marks=st.lists(st.integers(0, 170), min_size=2, max_size=2),
    count=st.integers(1, 12),
    latest_marked=st.booleans(),
)
def test_a_window_of_ids_holds_what_the_plain_model_says(
    events: list[Said], side: Side, marks: list[int], count: int, latest_marked: bool
) -> None:
    taken = 2 if side is Side.BETWEEN else 1 if side is not Side.LATEST or latest_marked else 0
    window = Window(side, tuple(Mark(id=mark) for mark in marks[:taken]))
    assert pick(window, events, count) == model(side, marks[:taken], events, count)


@given(
    events=logs,
    side=st.sampled_from(Side),
    marks=st.lists(st.integers(0, 45), min_size=2, max_size=2),
    count=st.integers(1, 12),
)
def test_a_window_of_times_is_the_window_of_the_ids_said_at_those_times(
    events: list[Said], side: Side, marks: list[int], count: int
) -> None:
    """Each event here at a second of its own (1000 + n): a time between two seconds is
    a point between two events, as an id between two ids is."""
    taken = 2 if side is Side.BETWEEN else 1
    at_times = Window(side, tuple(Mark(ts=1000.0 + mark - 0.5) for mark in marks[:taken]))
    # the same points as ids: the id of the first event at or after each time
    ids = [next((s.id for s in events if s.ts > 1000 + m - 0.5), 10_000) for m in marks]
    if side is Side.BEFORE or side is Side.AROUND:
        expected = model(side, ids[:1], events, count)
    elif side is Side.BETWEEN:
        # the first mark is a point just before an event: "after" it takes that event in
        low = [
            ids[0] - 1 if ids[0] <= ids[1] else ids[0],
            ids[1] - 1 if ids[0] > ids[1] else ids[1],
        ]
        expected = model(side, low, events, count)
    else:
        expected = model(side, [ids[0] - 1], events, count)
    assert pick(at_times, events, count) == expected


def test_marks_are_ids_or_times_with_their_zone() -> None:
    assert read_mark("1234") == Mark(id=1234)
    assert read_mark("1970-01-01T00:00:10.500Z") == Mark(ts=10.5)
    assert read_mark("1970-01-01T00:00:10+01:00") == Mark(ts=-3590.0)
    for word in ("", "12a", "-3", "1970-01-01T00:00:10", "msgid=3", "١٢"):
        assert read_mark(word) is None, word


def test_a_window_is_read_from_the_end_of_the_words() -> None:
    assert read_window(["#dev", "20"]) == (LAST, ["#dev", "20"])
    assert read_window(["#dev", "20", "BEFORE", "7"]) == (
        Window(Side.BEFORE, (Mark(id=7),)),
        ["#dev", "20"],
    )
    assert read_window(["between", "9", "1970-01-01T00:00:01Z"]) == (
        Window(Side.BETWEEN, (Mark(id=9), Mark(ts=1.0))),
        [],
    )
    assert read_window(["latest"]) == (LAST, ["latest"])  # a word alone is no window
    assert read_window(["20", "after", "soon"]) is None  # a side with no point
