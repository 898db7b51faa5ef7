"""The in-process hub: renders each event once per output format and queues the same bytes for
every recipient (the fan-out hot path of DESIGN.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from papo.core.room import Broadcast, Close, Output, Room, Send, Session
from papo.protocol.commands import OutputFormat
from papo.protocol.events import Action, Event, Message
from papo.protocol.render import Renderer


class Outlet(Protocol):
    """A connection as the hub sees it: somewhere to queue bytes, and to close."""

    @property
    def session(self) -> Session: ...
    def queue(self, data: bytes) -> None: ...
    def close_after_flush(self) -> None: ...


OutletT = TypeVar("OutletT", bound=Outlet)


class LocalHub(Generic[OutletT]):
    """Delivers the room's outputs to the outlets attached in this process."""

    def __init__(self, room: Room, renderer: Renderer) -> None:
        self.room = room
        self.renderer = renderer
        self.outlets: dict[int, OutletT] = {}
        self._replays: dict[tuple[int, OutputFormat], bytes] = {}

    def attach(self, outlet: OutletT) -> None:
        self.outlets[outlet.session.sid] = outlet

    def detach(self, outlet: OutletT) -> None:
        self.outlets.pop(outlet.session.sid, None)

    def deliver(self, outputs: Iterable[Output]) -> None:
        outlets = self.outlets
        for output in outputs:
            match output:
                case Send(event=Message(history=True) | Action(history=True) as event, to=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        outlet.queue(self._replay(event, session.output))
                case Send(event=event, to=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        outlet.queue(self.renderer.render(event, session.output))
                case Broadcast(event=event, exclude=exclude, author=author):
                    self._broadcast(event, exclude, author)
                case Close(session=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        outlet.close_after_flush()

    def _replay(self, event: Message | Action, output: OutputFormat) -> bytes:
        """History is replayed to every newcomer: the same bytes each time, rendered once."""
        key = (event.id, output)
        data = self._replays.get(key)
        if data is None:
            if len(self._replays) > 4 * max(self.room.settings.history, 1):
                live = {e.id for e in self.room.history}
                self._replays = {k: v for k, v in self._replays.items() if k[0] in live}
            data = self._replays[key] = self.renderer.render(event, output)
        return data

    def _broadcast(self, event: Event, exclude: Session | None, author: Session | None) -> None:
        outlets = self.outlets
        text = OutputFormat.TEXT
        # Rendered lazily, at most once per format. Two plain variables rather than a dict keyed
        # by the enum: an Enum's __hash__ is Python code, and this loop runs once per recipient.
        as_text: bytes | None = None
        as_json: bytes | None = None
        # No copy of the member list: queue() never changes membership (a recipient found too
        # slow is dropped by the server after delivery).
        for session in self.room.members.values():
            if session is exclude:
                continue
            if session.output is text:
                if session is author:
                    continue
                if as_text is None:
                    as_text = self.renderer.text(event)
                data = as_text
            else:
                if as_json is None:
                    as_json = self.renderer.json(event)
                data = as_json
            outlets[session.sid].queue(data)

    def tell_everyone(self, event: Event) -> list[OutletT]:
        """Queue ``event`` for every attached outlet, registered or not (shutdown)."""
        rendered = {fmt: self.renderer.render(event, fmt) for fmt in OutputFormat}
        outlets = list(self.outlets.values())
        for outlet in outlets:
            outlet.queue(rendered[outlet.session.output])
        return outlets
