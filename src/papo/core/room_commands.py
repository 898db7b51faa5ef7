"""The rules of the commands about rooms: ``/join``, ``/part``, ``/rooms``, ``/topic``,
``/history`` (of a room, or of one's privates with somebody) and ``/online``, and how a
command finds the room it names.

Each is a function of the chat, as the chat's own handlers are: what it decides (replies,
drafts for the log) is returned, never sent. The rooms themselves (who is in which, counts,
histories) are the ``RoomDirectory``'s; these are the rules of asking about them.
"""

from __future__ import annotations

from dataclasses import replace

from papo.core import mutes
from papo.core.chat_state import ChatState
from papo.core.history_window import Window, read_window
from papo.core.outputs import Decided, Publish, Send
from papo.core.refusals import room_error, too_long
from papo.core.room import Room
from papo.core.session import Session
from papo.core.shared import Route
from papo.protocol.commands import DELETE_TOPIC
from papo.protocol.events import (
    Error,
    ErrorCode,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Notice,
    NoticeCode,
    Online,
    RoomInfo,
    Rooms,
    Topic,
    TopicShown,
)
from papo.protocol.names import as_room, check_name, check_room_name, clean_message, room_key

MAX_TOPIC_CHARS = 300
MAX_ROOMS_LISTED = 500  # /rooms lists the biggest; the rest are counted, not listed
HISTORY_ASKED = 50  # messages /history shows unless told how many
MAX_HISTORY_ASKED = 200  # and at most: a screenful or three, not a dump of the log


def find_room(chat: ChatState, name: str, now: float) -> Room | Error:
    """The room called ``name``, or the error that says why there is none."""
    if check_room_name(name) is not None:
        return room_error(ErrorCode.ROOM_INVALID, name, now)
    room = chat.rooms.get(room_key(name))
    return room if room is not None else room_error(ErrorCode.NO_SUCH_ROOM, name, now)


def room_of(chat: ChatState, session: Session, name: str, now: float) -> Room | Error:
    """The room called ``name`` if ``session`` is in it, or the error that says why not."""
    found = find_room(chat, name, now)
    if isinstance(found, Room) and session.sid in found.members:
        return found
    if isinstance(found, Error) and found.code is ErrorCode.ROOM_INVALID:
        return found
    return room_error(ErrorCode.NOT_IN_ROOM, name, now)


def aimed(
    chat: ChatState, session: Session, rest: str, now: float, *, member: bool
) -> tuple[Room | Error, str]:
    """``[#room] [text]``: the room named first (one ``session`` is in, if ``member``), else
    the current one; and the text."""
    if rest.startswith("#"):
        name, _, text = rest.partition(" ")
        found = room_of(chat, session, name, now) if member else find_room(chat, name, now)
        return found, text.strip()
    current = chat.rooms.current(session)
    return (current if current is not None else Error(ts=now, code=ErrorCode.NO_ROOM)), rest


def joined(chat: ChatState, session: Session, room: Room, now: float) -> Joined:
    users = chat.names_shown(session, room)
    return Joined(
        ts=now,
        room=room.name,
        topic=room.topic,
        count=chat.rooms.count(room),
        users=users,
        topic_by=room.topic_by,
        topic_at=room.topic_at,
    )


def join(chat: ChatState, session: Session, wanted: str, now: float) -> list[Decided]:
    name = as_room(wanted)
    if check_room_name(name) is not None:
        return [Send(room_error(ErrorCode.ROOM_INVALID, name, now), session)]
    key = room_key(name)
    rooms = chat.rooms
    if key in session.room_set:  # only makes it current
        session.make_current(key)
        return [Send(joined(chat, session, rooms[key], now), session)]
    max_rooms = chat.max_rooms
    if max_rooms and len(session.rooms) >= max_rooms:
        error = room_error(ErrorCode.TOO_MANY_ROOMS, name, now)
        return [Send(replace(error, extra={**error.extra, "max_rooms": str(max_rooms)}), session)]
    room = rooms.open(name, key)
    rooms.enter(session, room)
    outputs: list[Decided] = [Send(joined(chat, session, room, now), session)]
    outputs += (Send(event, session) for event in chat.past.on_arrival(room, now))
    if not chat.quiet(room):
        join = Join(ts=now, id=0, name=session.name or "", room=room.name)
        outputs.append(Publish(join, Route(frozenset((key,)), exclude=session.sid)))
    return outputs


def part(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    room, text = aimed(chat, session, rest, now, member=True)
    if isinstance(room, Error):
        return [Send(room, session)]
    outputs: list[Decided] = []
    if not chat.quiet(room):
        leave = Leave(
            ts=now,
            id=0,
            name=session.name or "",
            reason=LeaveReason.PART,
            text=clean_message(text) or None,
            room=room.name,
        )
        # Its own part goes to the parter apart from the room: it is out of the room once the
        # event is numbered, and a resume must still find the part was for it.
        route = Route(frozenset((room.key,)), to=(session.sid,), exclude=session.sid)
        outputs.append(Publish(leave, route))
    chat.rooms.exit(session, room)
    current = chat.rooms.current(session)
    notice = Notice(ts=now, code=NoticeCode.CURRENT, room=current.name if current else None)
    outputs.append(Send(notice, session))
    return outputs


def list_rooms(chat: ChatState, session: Session, now: float) -> list[Decided]:
    counts = chat.shared.room_counts()
    counts.setdefault(chat.rooms.default.key, 0)  # always there, even empty
    order = sorted(counts, key=lambda key: (-counts[key], key))
    more = max(0, len(order) - MAX_ROOMS_LISTED)
    infos = []
    for key in order[:MAX_ROOMS_LISTED]:
        room = chat.rooms.get(key)
        name, topic = (room.name, room.topic) if room is not None else (key, None)
        infos.append(RoomInfo(room=name, count=counts[key], topic=topic))
    return [Send(Rooms(ts=now, rooms=tuple(infos), more=more), session)]


def topic(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    room, text = aimed(chat, session, rest, now, member=False)
    if isinstance(room, Error):
        return [Send(room, session)]
    if not text:
        return [Send(topic_shown(room, now), session)]
    if session.sid not in room.members:
        return [Send(room_error(ErrorCode.NOT_IN_ROOM, room.name, now), session)]
    if room.topic_locked and not chat.shared.is_operator(session.sid):
        return [Send(room_error(ErrorCode.TOPIC_LOCKED, room.name, now), session)]
    muted = mutes.refusal(chat.mutes, session, now, "topic")
    if muted is not None:
        return [Send(muted, session)]
    if text == DELETE_TOPIC:
        if not room.topic:  # nothing to clear: nobody is told of a change
            return [Send(topic_shown(room, now), session)]
        text = ""  # a topic event with no text: the room has none now
    else:
        text = clean_message(text)
        if not text:  # nothing visible: not taken for a wish to clear it
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="topic"), session)]
    if len(text) > MAX_TOPIC_CHARS:
        return [Send(too_long("topic", MAX_TOPIC_CHARS, now), session)]
    by = session.name or ""
    event = Topic(ts=now, id=0, room=room.name, by=by, text=text)
    return [Publish(event, Route(frozenset((room.key,))))]


def topic_shown(room: Room, now: float) -> TopicShown:
    """``room``'s topic (if any), whether it is locked, and who set it."""
    text = room.topic or ""
    by, at = (room.topic_by, room.topic_at) if text else (None, None)
    return TopicShown(ts=now, room=room.name, by=by, text=text, locked=room.topic_locked, at=at)


def lock_topic(
    chat: ChatState, session: Session, rest: str, now: float, *, locked: bool
) -> list[Decided]:
    """``/locktopic [#room]``: only operators may change the room's topic from now on, on
    every server (``/unlocktopic``: everybody in it may again). Told to the room's members
    and to the operator, who need not be one of them; a room already so is left as it is."""
    room, more = aimed(chat, session, rest, now, member=False)
    if isinstance(room, Error):
        return [Send(room, session)]
    command = "locktopic" if locked else "unlocktopic"
    if more:
        return [Send(Error(ts=now, code=ErrorCode.USAGE, command=command), session)]
    if room.topic_locked == locked:
        return [Send(topic_shown(room, now), session)]
    by = session.name or ""
    event = Topic(ts=now, id=0, room=room.name, by=by, text=room.topic or "", locked=locked)
    # The operator once, in ``to``, whether in the room or not.
    route = Route(frozenset((room.key,)), to=(session.sid,), exclude=session.sid)
    return [Publish(event, route)]


def online(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/online``: everybody in the chat; ``/online #room``: those in that room."""
    if not rest:
        everybody = Online(ts=now, users=chat.online_names(), away=away_in(chat, None))
        return [Send(everybody, session)]
    room = find_room(chat, rest.split(None, 1)[0], now)
    if isinstance(room, Error):  # named: a front door's questions wait on the answer (IRC)
        return [Send(replace(room, command="online"), session)]
    users = chat.rooms.names(room)
    return [Send(Online(ts=now, users=users, room=room.name, away=away_in(chat, room)), session)]


def away_in(chat: ChatState, room: Room | None) -> dict[str, str]:
    """Who is away, with their text: in ``room``, or (None) in the whole chat."""
    shared = chat.shared
    inside = shared.room_holders(room.key) if room is not None else None
    return {
        name: text
        for holder, text in shared.aways().items()
        if (inside is None or holder in inside) and (name := shared.name_of(holder))
    }


def history(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/history [#ROOM|NAME] [N] [WINDOW]``: the last N messages (50 unless told, 200 at
    most) of a room one is in, the current one unless named, as far back as the log goes; or
    N ``before``, ``after``, ``around`` or (the last N) ``latest`` after an id or a time, or
    ``between`` two (``history_window``), as a program pages through a room's past (IRC's
    CHATHISTORY). With a NAME, one's own private messages with that person. How many there
    are comes first (``info`` code ``history``), so a program knows when they end."""
    read = read_window(rest.split())
    words = read[1] if read is not None else []
    # A word alone that is a count is the count (``/history 20``); before one, whom or where.
    named = words.pop(0) if words and (len(words) > 1 or not _is_count(words[0])) else ""
    count = _count_asked(words)
    if read is None or count is None:
        return [Send(Error(ts=now, code=ErrorCode.USAGE, command="history"), session)]
    if named and not named.startswith("#"):
        if check_name(named) is not None:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="history"), session)]
        return _privates(chat, session, named, count, now, read[0])
    room, _ = aimed(chat, session, named, now, member=True)
    if isinstance(room, Error):  # which command it answers: a program may ask several at once
        return [Send(replace(room, command="history"), session)]
    events = chat.past.said_in(room, count, session, now, read[0])
    told = Notice(ts=now, code=NoticeCode.HISTORY, room=room.name, count=len(events))
    return [Send(told, session), *(Send(event, session) for event in events)]


def _privates(
    chat: ChatState, session: Session, name: str, count: int, now: float, window: Window
) -> list[Decided]:
    """``/history NAME``: one's private messages with NAME, online or not (the person one
    talked to may have left), named as they spell it if online."""
    held = chat.holding(name)
    shown = held[1] if held is not None else name
    events = chat.past.privates_with(session, name, count, now, window)
    told = Notice(ts=now, code=NoticeCode.HISTORY, names=(shown,), count=len(events))
    return [Send(told, session), *(Send(event, session) for event in events)]


def _is_count(word: str) -> bool:
    return word.isascii() and word.isdigit()


def _count_asked(words: list[str]) -> int | None:
    """How many messages ``/history`` was asked for (None: not a count)."""
    if not words:
        return HISTORY_ASKED
    word = words[0]
    if len(words) > 1 or not _is_count(word) or int(word) == 0:
        return None
    return min(int(word), MAX_HISTORY_ASKED)
