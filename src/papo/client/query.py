"""``/query NAME``: a conversation with one person, a command of the client's own.

Typing ``/private ana`` before every line of a long talk with one person is what IRC clients
spare their users with a query window. Here the prompt becomes ``@ana> `` and each plain line
goes to ana as a private message, until ``/query`` alone (or a ``/join``) turns back to the
room. The server knows nothing of it: what goes out is ``/private NAME TEXT``, so it works
with any papo server, and its warnings (NAME not online) come as for any private.
"""

from __future__ import annotations

from enum import Enum, auto

from papo.client.compose import cut
from papo.protocol.commands import Invoke, Say, Verb, parse_line
from papo.protocol.events import Event, Leave, Nick
from papo.protocol.names import name_key

QUERY = "/query"
PRIVATE = "/private"


def query_words(line: str) -> list[str] | None:
    """The words after ``/query`` (any case) in ``line``; None when it is not that command."""
    word, *rest = line.split() or [""]
    return rest if word.lower() == QUERY else None


def private_lines(name: str, line: str, limit: int) -> list[str] | None:
    """The lines that say ``line`` to ``name`` alone, each within ``limit`` bytes (a long one
    cut as a message is); None when ``line`` is not a message but a command (or nothing),
    which then goes as typed. ``//`` keeps a text that starts with a slash, as in a room."""
    said = parse_line(line, registered=True)
    if not isinstance(said, Say):
        return None
    prefix = f"{PRIVATE} {name} "
    room = max(1, limit - len(prefix.encode()))
    # A piece of nothing but spaces of other kinds (cut at none of them) says nothing.
    return [prefix + piece for piece in cut(said.text, room) if piece.strip()]


def asks_about_query(line: str) -> bool:
    """Whether ``line`` is ``/help query``: answered by the client, the server knows it not."""
    asked = parse_line(line, registered=True)
    if not isinstance(asked, Invoke) or asked.spec.verb is not Verb.HELP:
        return False
    return asked.rest.lower().split() in (["query"], [QUERY])


class Turn(Enum):
    """What a ``/query`` typed, or an event, did to the conversation."""

    STARTED = auto()  # plain lines go to the person now
    ENDED = auto()  # back to the room
    RENAMED = auto()  # the person took another name: followed
    USAGE = auto()  # nothing: the command was not used as it is meant to be


class Query:
    """Whom plain lines go to instead of the current room, while ``/query NAME`` lasts."""

    __slots__ = ("name",)

    def __init__(self) -> None:
        self.name: str | None = None

    def asked(self, words: list[str]) -> Turn:
        """``/query`` with ``words``: NAME starts a conversation, nothing ends the one that
        lasts. A room is not a NAME: ``/join`` is how lines go to one."""
        if len(words) == 1 and not words[0].startswith("#"):
            self.name = words[0]
            return Turn.STARTED
        if not words and self.name is not None:
            self.name = None
            return Turn.ENDED
        return Turn.USAGE

    def end(self) -> str | None:
        """A room chosen to talk in (``/join``): the conversation ends. Whom it was with."""
        name, self.name = self.name, None
        return name

    def follow(self, event: Event) -> Turn | None:
        """The person renamed (followed) or left the chat (it ends); None: nothing changed."""
        match event:
            case Nick(old=old, new=new) if self._with(old):
                self.name = new
                return Turn.RENAMED
            case Leave(name=name, room=None) if self._with(name):
                self.name = None
                return Turn.ENDED
        return None

    def lines(self, line: str, limit: int) -> list[str] | None:
        """What a typed line sends while the conversation lasts (``private_lines``); None
        when none lasts, or the line is a command: then it goes as typed."""
        return None if self.name is None else private_lines(self.name, line, limit)

    def _with(self, name: str) -> bool:
        return self.name is not None and name_key(self.name) == name_key(name)
