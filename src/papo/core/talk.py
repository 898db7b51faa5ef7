"""The rules of talking: a line said to the current room, ``/me``, ``/private``, ``/action``
and ``/notice`` (to a person, or to a room one is in), ``/r`` and ``/invite``.

Functions of the chat, as the other commands' are: the draft of what was said is returned, with
the route that says who reads it (the room, those who ignore its author left out), for the hub
to number; nothing is sent from here.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from papo.core import mutes
from papo.core.chat_state import ChatState
from papo.core.outputs import Decided, Publish, Send
from papo.core.refusals import not_online
from papo.core.room import Room
from papo.core.room_commands import aimed, room_of
from papo.core.session import Session
from papo.core.shared import Route
from papo.protocol.events import (
    Action,
    Error,
    ErrorCode,
    Invite,
    Message,
    Notice,
    NoticeCode,
    Private,
)
from papo.protocol.names import as_room, clean_message


class Said(Enum):
    """What kind of words: a message, an action, a notice; the value is the command that says
    them to a person or a named room."""

    MESSAGE = "private"
    ACTION = "action"  # /me; /action is IRC's /me in a private window, or another channel
    NOTICE = "notice"  # never answered by a program (IRC's NOTICE)


def say(chat: ChatState, session: Session, text: str, now: float) -> list[Decided]:
    room = chat.rooms.current(session)
    if room is None:
        return [Send(Error(ts=now, code=ErrorCode.NO_ROOM), session)]
    return utter(chat, session, room, Said.MESSAGE, text, now)


def act(chat: ChatState, session: Session, text: str, now: float) -> list[Decided]:
    room = chat.rooms.current(session)
    if room is None:
        return [Send(Error(ts=now, code=ErrorCode.NO_ROOM), session)]
    if not clean_message(text):
        return [Send(Error(ts=now, code=ErrorCode.USAGE, command="me"), session)]
    return utter(chat, session, room, Said.ACTION, text, now)


def utter(
    chat: ChatState,
    session: Session,
    room: Room,
    kind: Said,
    text: str,
    now: float,
) -> list[Decided]:
    """Words for ``room``, hidden from who ignores their author. The route names the author:
    whether its own client gets them back is the fan-out's to say (a person at a line client
    typed the message, but not the action papo makes of ``/me``)."""
    muted = mutes.refusal(chat.mutes, session, now)
    if muted is not None:
        return [Send(muted, session)]
    text = clean_message(text)
    if not text:
        return []
    sender = session.name or ""
    draft: Message | Action
    if kind is Said.ACTION:
        draft = Action(ts=now, id=0, sender=sender, text=text, room=room.name)
    else:
        notice = kind is Said.NOTICE
        draft = Message(ts=now, id=0, sender=sender, text=text, room=room.name, notice=notice)
    hidden = tuple(ignorer.sid for ignorer in chat.ignores.ignorers_in(session, room))
    route = Route(frozenset((room.key,)), author=session.sid, hidden_from=hidden)
    return [Publish(draft, route)]


def private(
    chat: ChatState,
    session: Session,
    to: str,
    text: str,
    now: float,
    *,
    kind: Said = Said.MESSAGE,
) -> list[Decided]:
    """To a person, on this server or another (the hub knows who holds every name); to a room
    ``session`` is in, as IRC's PRIVMSG #room is, said there."""
    if to.startswith("#"):
        found = room_of(chat, session, to, now)
        if isinstance(found, Error):  # said to a room: IRC tells this apart (404)
            return [Send(replace(found, command=kind.value), session)]
        return utter(chat, session, found, kind, text, now)
    held = chat.holding(to)
    if held is None:
        return not_online(session, to, now)
    holder, name = held
    muted = mutes.refusal(chat.mutes, session, now, kind.value)
    if muted is not None and not chat.shared.is_operator(holder):  # asking why goes through
        return [Send(muted, session)]
    text = clean_message(text)
    if not text:
        return [Send(Error(ts=now, code=ErrorCode.USAGE, command=kind.value), session)]
    sender = session.name or ""
    draft = Private(
        ts=now,
        id=0,
        sender=sender,
        recipient=name,
        text=text,
        action=kind is Said.ACTION,
        notice=kind is Said.NOTICE,
    )
    return to_person(chat, session, draft, holder)


def invite(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/invite NAME [#ROOM]``: into a room the inviter is in (the current one unless named),
    as IRC asks, and of somebody who is not in it yet."""
    muted = mutes.refusal(chat.mutes, session, now, "invite")
    if muted is not None:
        return [Send(muted, session)]
    name, *where = rest.split()
    if len(where) > 1:  # an invitation carries no words: refused, rather than lost
        return [Send(Error(ts=now, code=ErrorCode.USAGE, command="invite"), session)]
    wanted = as_room(where[0]) if where else ""
    room, _nothing = aimed(chat, session, wanted, now, member=True)
    if isinstance(room, Error):
        return [Send(replace(room, command="invite"), session)]
    held = chat.holding(name)
    if held is None:
        return not_online(session, name, now)
    holder, recipient = held
    if holder in chat.shared.room_holders(room.key):  # the inviter too, then
        extra = {"room": room.name}
        error = Error(ts=now, code=ErrorCode.ALREADY_IN_ROOM, name=recipient, extra=extra)
        return [Send(error, session)]
    draft = Invite(ts=now, id=0, sender=session.name or "", recipient=recipient, room=room.name)
    return to_person(chat, session, draft, holder)


def to_person(
    chat: ChatState, session: Session, draft: Private | Invite, holder: int
) -> list[Decided]:
    """What ``session`` says to the holder of a name, on this server or another: to both of
    them, or to the sender alone when the recipient ignores it (as IRC does, the sender is not
    told it is ignored); an away recipient's text told at once, not left waiting."""
    if holder == session.sid:
        return [Publish(draft, Route(to=(session.sid,)))]
    readers: tuple[int, ...] = (holder, session.sid)
    recipient = chat.members.get(holder)
    if recipient is not None and session.sid in recipient.ignoring:
        readers = (session.sid,)  # as IRC does: the sender is not told it is ignored
    decided: list[Decided] = [Publish(draft, Route(to=readers, author=session.sid))]
    away = chat.shared.aways().get(holder)
    if away is not None and not (isinstance(draft, Private) and draft.notice):
        # As IRC does: told at once, not left waiting; but not to a notice, which a program
        # sends and nobody reads the answer of.
        notice = Notice(ts=draft.ts, code=NoticeCode.AWAY, names=(draft.recipient,), away=away)
        decided.append(Send(notice, session))
    return decided


def reply(chat: ChatState, session: Session, text: str, now: float) -> list[Decided]:
    """``/r``: to whoever wrote last in private, followed by id through a change of name."""
    last = session.last_private_from
    if last is None:
        return [Send(Error(ts=now, code=ErrorCode.NO_SUCH_USER, command="r"), session)]
    sid, name = last
    now_named = chat.shared.name_of(sid)  # renamed since, maybe
    if now_named is None:
        return not_online(session, name, now)
    return private(chat, session, now_named, text, now)
