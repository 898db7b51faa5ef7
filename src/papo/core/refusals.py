"""The errors that several commands answer with, built one way, so that a name or a room
that is not there reads the same whichever command it was given to."""

from __future__ import annotations

from papo.core.outputs import Decided, Send
from papo.core.session import Session
from papo.protocol.events import Error, ErrorCode
from papo.protocol.names import check_room_name, sanitize_text


def not_online(session: Session, name: str, now: float) -> list[Decided]:
    """``name`` is nobody's in the chat (shown cleaned: it is the asker's own text)."""
    shown = sanitize_text(name)
    return [Send(Error(ts=now, code=ErrorCode.NO_SUCH_USER, name=shown), session)]


def room_error(code: ErrorCode, name: str, now: float) -> Error:
    """``code`` about the room ``name``; for a name that breaks the rules, which rule."""
    problem = check_room_name(name) if code is ErrorCode.ROOM_INVALID else None
    return Error(ts=now, code=code, problem=problem, extra={"room": sanitize_text(name)})


def too_long(command: str, most: int, now: float) -> Error:
    """A text past what ``command`` keeps (a topic, an away text): refused whole, never cut."""
    return Error(ts=now, code=ErrorCode.USAGE, command=command, extra={"max_chars": str(most)})
