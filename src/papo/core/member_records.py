"""A member written down (``HoldRecord``) and brought back: the two directions in one place,
so that what a restart, a take-over or a resume on another server gives back is what was
written.

Written for the hub (a graceful stop, ``--store`` as members change, a burial's take-over);
read back by the next process (``Chat.recover``) or by the server a member moves to
(``Chat.adopt``).
"""

from __future__ import annotations

from papo.core.chat_state import ChatState
from papo.core.holds import HoldRecord
from papo.core.session import Session
from papo.core.tokens import ResumeTokens
from papo.protocol.names import name_key, room_key


def record(chat: ChatState, member: Session) -> HoldRecord:
    """``member`` as it would be restored: its name, rooms, away text, token, ignores and
    moves (its end, ``until``, only if it is held)."""
    rooms = chat.rooms
    current = rooms.current(member)
    return HoldRecord(
        member=member.sid,
        name=member.name or "",
        token=member.token or b"",
        until=member.held_until or 0.0,
        rooms=tuple(rooms[key].name for key in member.rooms),
        current=current.name if current is not None else None,
        away=chat.shared.aways().get(member.sid),
        since=member.since,
        first_id=member.first_id,
        moves=tuple((at, tuple(sorted(keys))) for at, keys in member.moves),
        ignoring=tuple(member.ignoring),
        ignores_changed_at=member.ignores_changed_at,
        operator=chat.shared.is_operator(member.sid),
        address=member.address,
    )


def restore(chat: ChatState, tokens: ResumeTokens, hold: HoldRecord) -> Session:
    """The member ``hold`` writes down, a member of this server again, as it was: its name
    claimed, in its rooms, its token good. ValueError: another holds its name (a store broken
    by hand)."""
    member = Session(hold.member)
    shared = chat.shared
    if shared.claim(hold.name, member.sid) is not None:
        raise ValueError(f"two held users named {hold.name!r}")
    member.name, member.key = hold.name, name_key(hold.name)
    member.token, member.held_until = hold.token or None, hold.until
    member.since = member.last_active = hold.since
    member.first_id = hold.first_id
    member.address = hold.address
    chat.members[member.sid] = member
    tokens.restore(member)
    if hold.away is not None:
        shared.set_away(member.sid, hold.away)
    if hold.operator:
        shared.keep_operator(member.sid)
    rooms = chat.rooms
    for name in hold.rooms:  # not resumable yet: these moves are not kept
        rooms.enter(member, rooms.open(name, room_key(name)))
    if hold.current is not None:
        member.current = room_key(hold.current)
    member.resumable = True
    member.moves = [(at, frozenset(keys)) for at, keys in hold.moves]
    if member.moves:  # as it was, not as entering its rooms again here made them
        shared.keep_moves(member.sid, member.moves)
    return member


def restore_ignores(chat: ChatState, member: Session, hold: HoldRecord) -> None:
    """A restored member goes on ignoring those it ignored who are still in the chat (asked
    once every member written down with it is back)."""
    for sid in hold.ignoring:
        if chat.shared.name_of(sid) is not None:
            chat.ignores.ignore(member, sid)
    member.ignores_changed_at = hold.ignores_changed_at
