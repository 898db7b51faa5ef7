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

from papo.protocol.events import Error, ErrorCode
from papo.protocol.names import name_key
from papo.protocol.render import format_timestamp

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
        key = name_key(name)
        until = self._until.get(key)
        if until is not None and until <= now:
            del self._until[key]
            return None
        return until


def refusal(mutes: MuteList, name: str | None, now: float) -> Error | None:
    """Why what ``name`` says now reaches nobody (``muted``, with when that ends), if it is.
    Asked of every line said: with nobody muted, it costs nothing (not even ``name_key``)."""
    until = mutes.until(name, now) if name and mutes else None
    if until is None:
        return None
    return Error(ts=now, code=ErrorCode.MUTED, extra={"until": format_timestamp(until)})
