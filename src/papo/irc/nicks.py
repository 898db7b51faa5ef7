"""Names both ways: every papo name has one IRC nick and every acceptable nick one name.

A papo name is letters and digits of any alphabet, ``_``, ``-`` and ``.``, starting with a
letter or digit; an IRC nick cannot hold ``.`` nor start with a digit. So a ``.`` is shown as
``|`` and a leading digit gets a ``\\``` in front: both are nick characters no papo name has,
so the mapping is one to one (``ana.b`` is ``ana|b``, ``2cool`` is ```2cool``). A nick is
accepted only if it maps back to a valid name that maps to that very nick: nobody can pose as
anybody, on either side.
"""

from __future__ import annotations

from papo.protocol.names import check_name


def nick_of(name: str) -> str:
    nick = name.replace(".", "|")
    return "`" + nick if nick[:1].isdigit() else nick


def name_of(nick: str) -> str | None:
    """The papo name an IRC user asks for with ``nick``, or None if there is none."""
    name = nick.removeprefix("`").replace("|", ".")
    if not name or check_name(name) is not None or nick_of(name) != nick:
        return None
    return name
