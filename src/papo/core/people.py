"""The rules of the commands about people: ``/away``, ``/whois``, ``/ignore`` and
``/unignore``.

Each asks of somebody by name, and that somebody may be a member of this server or of another
(several servers): what only this server knows (idle time) is told for its own members, what the
shared state knows for everybody. Functions of the chat, as its own handlers are: what they
decide is returned, never sent.
"""

from __future__ import annotations

from papo.core.chat_state import ChatState
from papo.core.outputs import Decided, Send
from papo.core.refusals import not_online, too_long
from papo.core.session import Session
from papo.protocol.events import Error, ErrorCode, Notice, NoticeCode, Whois
from papo.protocol.names import clean_message, name_key

MAX_AWAY_CHARS = 300


def set_away(chat: ChatState, session: Session, text: str, now: float) -> list[Decided]:
    """``/away TEXT``: away, and why; ``/away`` alone: back."""
    text = clean_message(text)
    if len(text) > MAX_AWAY_CHARS:
        return [Send(too_long("away", MAX_AWAY_CHARS, now), session)]
    was_away = session.sid in chat.shared.aways()
    chat.shared.set_away(session.sid, text or None)
    if not text:
        code = NoticeCode.BACK if was_away else NoticeCode.NOT_AWAY
        return [Send(Notice(ts=now, code=code), session)]
    return [Send(Notice(ts=now, code=NoticeCode.NOW_AWAY, away=text), session)]


def whois(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    wanted = name.split(None, 1)[0]
    holder = chat.shared.holder(wanted)
    member = chat.members.get(holder) if holder is not None else None
    if member is None or member.name is None:
        return whois_elsewhere(chat, session, wanted, now)
    rooms = tuple(chat.rooms[key].name for key in member.rooms)
    idle = max(0.0, now - member.last_active)
    found = whois_of(chat, member.sid, member.name, rooms, member.since, idle, now)
    return [Send(found, session)]


def whois_elsewhere(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    """A member of another server: what the shared state knows (its lines are not seen here,
    so its idle time is not known: shown as none)."""
    shared = chat.shared
    found = chat.holding(name)
    if found is None:
        return not_online(session, name, now)
    holder, held = found
    rooms = tuple(sorted(shared.room_name(key) or key for key in shared.rooms_of(holder)))
    since = shared.since(holder)
    answer = whois_of(chat, holder, held, rooms, since if since is not None else now, 0.0, now)
    return [Send(answer, session)]


def whois_of(
    chat: ChatState,
    holder: int,
    name: str,
    rooms: tuple[str, ...],
    since: float,
    idle: float,
    now: float,
) -> Whois:
    """What WHOIS says of ``holder``, wherever it is: away, operator and muted as the chat
    keeps them for every server's members; its rooms, arrival and idle time as the caller
    knows them."""
    return Whois(
        ts=now,
        name=name,
        rooms=rooms,
        away=chat.shared.aways().get(holder),
        since=since,
        idle=idle,
        operator=chat.shared.is_operator(holder),
        muted=chat.mutes.until(name, now),
    )


def ignore(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    """``/ignore NAME``: nothing of NAME's reaches ``session`` any more; ``/ignore`` alone:
    whom it ignores."""
    shared = chat.shared
    if not name:
        held = (shared.name_of(sid) for sid in session.ignoring)
        names = tuple(sorted((n for n in held if n is not None), key=name_key))
        return [Send(Notice(ts=now, code=NoticeCode.IGNORING, names=names), session)]
    found = chat.holding(name)
    if found is None:
        return not_online(session, name, now)
    holder, target = found
    if holder == session.sid:
        yourself = Error(ts=now, code=ErrorCode.USAGE, command="ignore", extra={"yourself": "1"})
        return [Send(yourself, session)]
    chat.ignores.ignore(session, holder)
    keep_ignores(chat, session)
    return [Send(Notice(ts=now, code=NoticeCode.IGNORED, names=(target,)), session)]


def unignore(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    found = chat.holding(name)
    if found is None:
        return not_online(session, name, now)
    holder, target = found
    chat.ignores.unignore(session, holder)
    keep_ignores(chat, session)
    return [Send(Notice(ts=now, code=NoticeCode.UNIGNORED, names=(target,)), session)]


def keep_ignores(chat: ChatState, session: Session) -> None:
    """Its ignores changed now; a member that may resume (on another server too) has them kept
    with it."""
    session.ignores_changed_at = chat.shared.last_id()
    if session.resumable:
        chat.shared.keep_ignores(session.sid, session.ignoring, session.ignores_changed_at)
