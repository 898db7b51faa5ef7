"""Mutes: names that may read the chat, but not talk in it, until a given time.

A kick or a ban puts a person out; ``/mute`` only silences them for a while (ten minutes
unless told), as a chat's moderators do to somebody heated rather than hostile. A mute is
an event in the log (``mute``), so every server reads it in the log's order and keeps the
list here, as rooms keep their topics: whichever server the person talks through (a resume
elsewhere, a restart with ``--store``) refuses their words alike, and nothing else needs to
pass between servers. It is made for a name, compared as names are: leaving and coming back
under the same name does not end it, and a muted person cannot take another (``/nick``).

While muted, a person's words reach nobody but operators: plain lines, ``/me``, words for a
room, topics, invitations and privates to anybody else are refused with ``muted``; a private
to an operator, to ask why, goes through.
"""

from __future__ import annotations

from papo.core.session import Session
from papo.protocol.events import Error, ErrorCode
from papo.protocol.names import name_key
from papo.protocol.timestamps import format_timestamp

DEFAULT_MUTE_SECONDS = 600


class MuteList:
    """Who is muted until when, by name key; a mute over is dropped when next asked about."""

    __slots__ = ("_until",)

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def mute(self, name: str, until: float) -> None:
        """The operator's last word counts: a later mute replaces an earlier one."""
        self._until[name_key(name)] = until

    def lift(self, name: str) -> None:
        self._until.pop(name_key(name), None)

    def __len__(self) -> int:
        return len(self._until)

    def until(self, name: str, now: float) -> float | None:
        """When ``name``'s mute ends, if it is muted now."""
        return self.until_key(name_key(name), now)

    def until_key(self, key: str, now: float) -> float | None:
        """``until`` of the name whose key is ``key`` (``Session.key``, computed already)."""
        until = self._until.get(key)
        if until is not None and until <= now:
            del self._until[key]
            return None
        return until


def refusal(
    mutes: MuteList, session: Session, now: float, command: str | None = None
) -> Error | None:
    """Why what ``session`` says now (with ``command``, if it has one) reaches nobody:
    ``muted``, with when that ends; None if it is not muted. Asked of every line said, by
    the key its name already has: with nobody muted, it costs nothing."""
    key = session.key
    until = mutes.until_key(key, now) if key is not None and mutes else None
    if until is None:
        return None
    ends = {"until": format_timestamp(until)}
    return Error(ts=now, code=ErrorCode.MUTED, command=command, extra=ends)
