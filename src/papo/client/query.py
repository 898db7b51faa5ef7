"""``/query NAME``: a conversation with one person, a command of the client's own.

Typing ``/private ana`` before every line of a long talk with one person is what IRC clients
spare their users with a query window. Here the prompt becomes ``@ana> `` and each plain line
goes to ana as a private message, until ``/query`` alone (or a ``/join``) turns back to the
room. The server knows nothing of it: what goes out is ``/private NAME TEXT``, so it works
with any papo server, and its warnings (NAME not online) come as for any private.
"""

from __future__ import annotations

from papo.client.compose import cut
from papo.protocol.commands import Invoke, Say, Verb, parse_line

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
