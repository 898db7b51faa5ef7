"""How events look in the terminal. Pure: an event in, display lines out.

Events arrive already sanitised by ``protocol.decode``, so a hostile server cannot move the
cursor or retitle the window; colours are ours, added afterwards, and only when wanted. The
wording of joins, errors and help comes from the same catalogs as the server's text mode, in the
client's own language.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass

from papo.client.cells import text_width, wrap
from papo.protocol.commands import CONNECTION_VERBS
from papo.protocol.events import (
    Action,
    Bye,
    Error,
    Event,
    Greeting,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Joined,
    Leave,
    Message,
    Mute,
    Nick,
    Notice,
    Online,
    Private,
    Replayed,
    Rooms,
    Topic,
    TopicShown,
    Welcome,
    Whois,
    room_of,
)
from papo.protocol.names import name_key, room_key
from papo.protocol.render import Renderer

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
MAGENTA = "\x1b[35m"
REVERSE = "\x1b[7m"
NAME_COLOURS = ("\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[36m", "\x1b[91m", "\x1b[92m", "\x1b[94m")


def name_colour(name: str) -> str:
    """The same name always gets the same colour, on every client (a stable hash, not hash())."""
    return NAME_COLOURS[zlib.crc32(name_key(name).encode()) % len(NAME_COLOURS)]


def mentions(text: str, me: str | None) -> bool:
    """Whether ``text`` names ``me`` as a word (``@alice``, ``alice:``, ``Alice,``...)."""
    if not me:
        return False
    key = name_key(me)
    words = name_key(text).replace("@", " ").split()
    return any(word.strip(".,:;!?()'\"") == key for word in words)


def wants_attention(event: Event, me: str | None) -> bool:
    """A private message or an invitation to me, or a public message that mentions me, from
    somebody else (one missed while disconnected too)."""
    if isinstance(event, Replayed):
        event = event.event
    if not isinstance(event, Message | Action | Private | Invite):
        return False
    if me is not None and name_key(event.sender) == name_key(me):
        return False
    return isinstance(event, Private | Invite) or mentions(event.text, me)


def shown_again(event: Event) -> bool:
    """Whether history shows ``event`` again (a newcomer's recent messages, ``/history``):
    dimmed, and it rings no bell."""
    return isinstance(event, Message | Action | Private) and event.history


def rings(event: Event, me: str | None) -> bool:
    """Whether ``event`` rings the bell: one that wants my attention, said now or missed
    while disconnected; not one history shows again, which stands out all the same, dimmed,
    its mention of me highlighted."""
    return not shown_again(event) and wants_attention(event, me)


# Where the last column of a line laid out in columns starts (past a gap of two spaces or more).
_LAST_COLUMN = re.compile(r" *\S.*  (?=\S)")


@dataclass(frozen=True, slots=True)
class View:
    renderer: Renderer
    colour: bool

    def paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.colour else text

    def name(self, name: str, me: str | None = None) -> str:
        """A name in its own colour; one's own name in bold as well, so own lines stand out."""
        own = me is not None and name_key(name) == name_key(me)
        return self.paint(BOLD + name_colour(name) if own else name_colour(name), name)

    def lines(
        self,
        event: Event,
        me: str | None = None,
        width: int | None = None,
        here: str | None = None,
    ) -> list[str]:
        """Display lines for one event; none for those the user need not see (hello).

        With the terminal's ``width``, a message too long for one row is wrapped here, its
        continuation rows indented past the sender's name: a message can then never start a
        row that reads as somebody else's (text padded to the edge, then ``<bob> ...``).
        An event of a room other than ``here`` (the current room) names its room first, in
        the room's own colour.
        """
        if isinstance(event, Replayed):  # the client says first that these were missed
            return self.lines(event.event, me, width, here)
        stamp = time.strftime("%H:%M", time.localtime(event.ts))
        clock = self.paint(DIM, stamp)
        room = room_of(event)
        if room is not None and (here is None or room_key(room) != room_key(here)):
            tag = f"[{room}]"
            stamp = f"{stamp} {tag}"
            clock = f"{clock} {self.paint(name_colour(room), tag)}"
        match event:
            case Message(sender=sender, text=text, notice=True):  # as IRC clients show one
                head, plain = f"{clock} -{self.name(sender, me)}- ", f"{stamp} -{sender}- "
            case Message(sender=sender, text=text):
                head, plain = f"{clock} <{self.name(sender, me)}> ", f"{stamp} <{sender}> "
            case Action(sender=sender, text=text):
                head, plain = f"{clock} * {self.name(sender, me)} ", f"{stamp} * {sender} "
            case Private(sender=sender, recipient=recipient):
                tag, text = f"[{sender} -> {recipient}]", event.words
                head, plain = f"{clock} {self.paint(MAGENTA, tag)} ", f"{stamp} {tag} "
            case Invite() | Join() | Leave() | Nick() | Welcome() | Bye() | Topic() | Mute():
                colour = MAGENTA if isinstance(event, Invite) else DIM  # one's own, as a private
                indent = text_width(stamp) + 1
                first, *more = self._rows(self.renderer.text_line(event), indent, width)
                return [
                    f"{clock} {self.paint(colour, first)}",
                    *(" " * indent + self.paint(colour, row) for row in more),
                ]
            case Joined() | TopicShown():
                return self.block(self.renderer.text_line(event), width, DIM)
            case HelpInfo():
                help_text = self.renderer.help_text(event, leave_out=CONNECTION_VERBS)
                return self.block(help_text, width)
            case Online() | Rooms() | Whois():
                return self.block(self.renderer.text_line(event), width)
            case Notice():
                return self.block(self.renderer.text_line(event), width, DIM)
            case Error():
                return self.block(self.renderer.text_line(event), width, RED)
            case Hello() | Greeting():
                return []
        indent = text_width(plain)
        rows = self._rows(text, indent, width)
        if self.colour and me and wants_attention(event, me):
            rows = [self._highlight(row, me) for row in rows]
        first, *more = rows
        lines = [head + first, *(" " * indent + row for row in more)]
        if shown_again(event):
            lines = [self.paint(DIM, line) for line in lines]
        return lines

    def _highlight(self, row: str, me: str) -> str:
        """Where ``row`` names ``me``, in reverse video: a mention stands out, not only rings."""
        pattern = rf"(?<![\w@])@?{re.escape(me)}(?!\w)"
        return re.sub(pattern, lambda found: REVERSE + found[0] + RESET, row, flags=re.IGNORECASE)

    @staticmethod
    def _rows(text: str, indent: int, width: int | None) -> list[str]:
        """``text`` in rows that fit after ``indent`` columns (the terminal would otherwise
        break them anywhere, and start the next row at its very left)."""
        if width is None or width - indent < 10 or text_width(text) + indent <= width:
            return [text]
        return wrap(text, width - indent)

    def block(self, text: str, width: int | None, colour: str = "") -> list[str]:
        """Lines of the chat's own (help, lists, errors), each wrapped under its own indent;
        a line laid out in columns (``  /join #ROOM    enter ROOM``) under its last column."""
        rows: list[str] = []
        for line in text.split("\n"):
            columns = _LAST_COLUMN.match(line)
            indent = len(line) - len(line.lstrip(" "))
            if columns is not None and width is not None and width - columns.end() >= 20:
                indent = columns.end()
            first, *more = self._rows(line[indent:], indent, width)
            rows += [line[:indent] + first, *(" " * indent + row for row in more)]
        return [self.paint(colour, row) for row in rows] if colour else rows
