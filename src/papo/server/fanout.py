"""The server's fan-out: renders each event once per output format, and hands every member the
same bytes for what was broadcast since the last flush (the hot path of DESIGN.md).

It is the server's own business, not the hub's: whatever the hub (shared state, in this process
or across servers), each server writes to its own connections.

A broadcast costs no work per recipient. It is appended, rendered once per format, to that
format's stream; at the flush every member gets one write of the stream's joined bytes, the
same object for all. What is sent to one member alone (a reply, a private message) goes to that
member's own queue, after first taking from the stream what it had not taken yet, so every
member still sees everything in the order it happened. A member left out of a broadcast (its
author, in text mode) takes the stream up to it and skips it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from papo.core.chat import Broadcast, Close, Output, Send, Session
from papo.protocol.commands import OutputFormat
from papo.protocol.events import Action, Event, Message, Welcome
from papo.protocol.render import Renderer


class Outlet(Protocol):
    """A connection as the fan-out sees it: its own queue of bytes, one write of that queue plus
    its share of the broadcasts at each flush, and a way to close."""

    @property
    def session(self) -> Session: ...
    def queue(self, data: bytes) -> None: ...
    def flush(self, tail: bytes = b"") -> None: ...
    def close_after_flush(self) -> None: ...


OutletT = TypeVar("OutletT", bound=Outlet)


class Stream:
    """The broadcasts of one output format since the last flush, in order."""

    __slots__ = ("chunks", "followers", "whole")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.followers = 0
        self.whole = b""

    def joined(self, start: int, stop: int | None = None) -> bytes:
        """Chunks ``start`` to ``stop`` (default: the end) as one bytes object; a lone chunk
        is not copied."""
        chunks = self.chunks
        end = len(chunks) if stop is None else stop
        return chunks[start] if end - start == 1 else b"".join(chunks[start:end])


class Follower(Generic[OutletT]):
    """A member's place in its format's stream: ``mark`` chunks of it are already taken."""

    __slots__ = ("mark", "outlet", "stream")

    def __init__(self, outlet: OutletT, stream: Stream) -> None:
        self.outlet = outlet
        self.stream = stream
        self.mark = len(stream.chunks)
        stream.followers += 1


class FanOut(Generic[OutletT]):
    """Delivers the chat's outputs to the outlets attached in this process."""

    def __init__(self, renderer: Renderer, history: int) -> None:
        self.renderer = renderer
        # Replays rendered once for every newcomer: a few histories' worth is plenty.
        self._replay_cache_size = 4 * max(history, 1)
        self.outlets: dict[int, OutletT] = {}
        self._replays: dict[tuple[int, OutputFormat], bytes] = {}
        # One stream per output codec in use: each broadcast is rendered once per codec that
        # has followers, and its bytes shared by all of them (an IRC codec would be one more).
        self._streams: dict[OutputFormat, Stream] = {codec: Stream() for codec in OutputFormat}
        self._followers: dict[int, Follower[OutletT]] = {}

    @property
    def pending(self) -> int:
        """How many broadcasts wait for the next flush."""
        return max(len(stream.chunks) for stream in self._streams.values())

    def attach(self, outlet: OutletT) -> None:
        self.outlets[outlet.session.sid] = outlet

    def detach(self, outlet: OutletT) -> None:
        self.outlets.pop(outlet.session.sid, None)
        self._unfollow(outlet.session.sid)

    def _stream(self, output: OutputFormat) -> Stream:
        return self._streams[output]

    def _unfollow(self, sid: int) -> None:
        follower = self._followers.pop(sid, None)
        if follower is not None:
            follower.stream.followers -= 1

    def _catch_up(self, follower: Follower[OutletT]) -> None:
        """Move what the member has not yet taken from its stream to its own queue, so that
        what is queued next comes after it; and follow the stream of its current format."""
        stream = follower.stream
        if follower.mark < len(stream.chunks):
            follower.outlet.queue(stream.joined(follower.mark))
        wanted = self._stream(follower.outlet.session.output)
        if wanted is not stream:
            stream.followers -= 1
            wanted.followers += 1
            follower.stream = wanted
        follower.mark = len(wanted.chunks)

    def _send(self, outlet: OutletT, data: bytes) -> None:
        follower = self._followers.get(outlet.session.sid)
        if follower is not None:
            self._catch_up(follower)
        outlet.queue(data)

    def deliver(self, outputs: Iterable[Output]) -> None:
        outlets = self.outlets
        for output in outputs:
            match output:
                case Send(event=Message(history=True) | Action(history=True) as event, to=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        self._send(outlet, self._replay(event, session.output))
                case Send(event=event, to=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        if isinstance(event, Welcome):  # a member from now on
                            self._followers[session.sid] = Follower(
                                outlet, self._stream(session.output)
                            )
                        self._send(outlet, self.renderer.render(event, session.output))
                case Broadcast(event=event, exclude=exclude, author=author, hidden_from=hidden):
                    self._broadcast(event, exclude, author)
                    for session in hidden:
                        self._skip(session)
                case Close(session=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        follower = self._followers.get(session.sid)
                        if follower is not None:
                            self._catch_up(follower)
                            self._unfollow(session.sid)
                        outlet.close_after_flush()

    def _replay(self, event: Message | Action, output: OutputFormat) -> bytes:
        """History is replayed to every newcomer: the same bytes each time, rendered once."""
        key = (event.id, output)
        data = self._replays.get(key)
        if data is None:
            replays = self._replays
            while len(replays) >= self._replay_cache_size:
                del replays[next(iter(replays))]  # the oldest: history moves on
            data = replays[key] = self.renderer.render(event, output)
        return data

    def _broadcast(self, event: Event, exclude: Session | None, author: Session | None) -> None:
        for codec, stream in self._streams.items():
            if stream.followers:
                stream.chunks.append(self.renderer.render(event, codec))
        if author is not None and author.output is OutputFormat.TEXT:
            self._skip(author)
        if exclude is not None:
            self._skip(exclude)

    def _skip(self, session: Session) -> None:
        """Leave the broadcast just appended out of what ``session`` gets."""
        follower = self._followers.get(session.sid)
        if follower is None:
            return
        stream = follower.stream
        last = len(stream.chunks) - 1
        if follower.mark < last:
            follower.outlet.queue(stream.joined(follower.mark, last))
        follower.mark = last + 1

    def flush(self) -> int:
        """Give every member, in one write, the broadcasts it has not taken yet (for most of
        them: all of them, the same bytes object), then start the streams afresh. Returns how
        many members were written to.

        No copy of the followers: a write never detaches an outlet on the spot (a failed one
        is reported by the event loop on a later turn)."""
        streams = self._streams.values()
        if not any(stream.chunks for stream in streams):
            return 0
        for stream in streams:
            stream.whole = stream.joined(0)
        for follower in self._followers.values():
            stream, mark = follower.stream, follower.mark
            if mark == 0:
                follower.outlet.flush(stream.whole)
            else:
                follower.outlet.flush(stream.joined(mark))  # b"" if it took them all
                follower.mark = 0
        for stream in streams:
            stream.chunks.clear()
            stream.whole = b""
        return len(self._followers)

    def tell_everyone(self, event: Event) -> list[OutletT]:
        """Queue ``event`` for every attached outlet, registered or not (shutdown)."""
        rendered = {fmt: self.renderer.render(event, fmt) for fmt in OutputFormat}
        outlets = list(self.outlets.values())
        for outlet in outlets:
            self._send(outlet, rendered[outlet.session.output])
        return outlets
