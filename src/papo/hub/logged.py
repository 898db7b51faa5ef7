"""A logged event and its route as text: how a hub that keeps the log outside this process
(an SQLite file, a Redis stream) writes them and reads them back.

The event is its wire JSON (what a JSON client reads: the format already has a decoder and is
documented); the route is a short JSON list of member ids.
"""

from __future__ import annotations

import json

from papo.core.shared import Route
from papo.protocol.decode import decode_fields
from papo.protocol.events import RoomEvent
from papo.protocol.render import Renderer

_RENDERER = Renderer("en")  # the JSON of room events carries no translated text


def event_json(event: RoomEvent) -> str:
    return _RENDERER.json(event).decode().rstrip("\n")


def event_from_json(text: str) -> RoomEvent | None:
    """The event, or None for a kind this papo does not log; Malformed if unreadable."""
    event = decode_fields(json.loads(text))
    return event if isinstance(event, RoomEvent) else None


def route_json(route: Route) -> str:
    return json.dumps(
        [sorted(route.rooms), route.to, route.exclude, route.author, route.hidden_from],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def route_from_json(text: str) -> Route:
    rooms, to, exclude, author, hidden = json.loads(text)
    return Route(
        rooms=frozenset(str(room) for room in rooms),
        to=tuple(int(member) for member in to),
        exclude=None if exclude is None else int(exclude),
        author=None if author is None else int(author),
        hidden_from=tuple(int(member) for member in hidden),
    )
