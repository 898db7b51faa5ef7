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

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from papo.core.outputs import Broadcast, Close, Output, Reformat, Resumed, Send
from papo.core.session import Session
from papo.irc.door import Door
from papo.irc.render import IrcRenderer
from papo.protocol.commands import IRC_FORMATS, OutputFormat
from papo.protocol.events import Action, Event, Message, Replayed, Welcome, room_of
from papo.protocol.render import Renderer
from papo.server.pacing import COALESCE_ABOVE

REPLAYED_CACHED = 256  # events missed during an outage, rendered once for all who resume


class Outlet(Protocol):
    """A connection as the fan-out sees it: its own queue of bytes, one write of that queue plus
    its share of the broadcasts at each flush, and a way to close."""

    session: Session  # changed when a connection resumes a member
    output: OutputFormat
    door: Door | None  # an IRC client's state (what its numerics need)

    def queue(self, data: bytes, *, owed: bool = False) -> None: ...
    def flush(self, tail: bytes = b"", *, small_room: bool = False) -> None: ...
    def close_after_flush(self) -> None: ...


OutletT = TypeVar("OutletT", bound=Outlet)


GroupKey = tuple[OutputFormat, frozenset[str], str | None]


def group_of(outlet: Outlet) -> GroupKey:
    """Members who get the same bytes: one codec, the same rooms, and (reading text, where
    lines of rooms other than the current one carry their room) the same current room."""
    session, output = outlet.session, outlet.output
    current = session.current if output is OutputFormat.TEXT else None
    return output, session.room_set, current


class Stream:
    """The broadcasts since the last flush for one group of members, in order."""

    __slots__ = ("chunks", "codec", "current", "followers", "key", "last")

    def __init__(self, key: GroupKey) -> None:
        self.key = key
        self.codec, _, self.current = key
        self.chunks: list[bytes] = []
        # Its members, by session id: a flush writes to these, not to every member of the
        # chat (in a chat of many rooms, most members have nothing new at most flushes).
        self.followers: dict[int, Follower[Any]] = {}
        self.last = 0  # the number of the last broadcast appended

    def joined(self, start: int, stop: int | None = None) -> bytes:
        """Chunks ``start`` to ``stop`` (default: the end) as one bytes object; a lone chunk
        is not copied."""
        chunks = self.chunks
        end = len(chunks) if stop is None else stop
        return chunks[start] if end - start == 1 else b"".join(chunks[start:end])


class Follower(Generic[OutletT]):
    """A member's place in its group's stream: ``mark`` chunks of it are already taken."""

    __slots__ = ("mark", "outlet", "sid", "stream")

    def __init__(self, outlet: OutletT, stream: Stream) -> None:
        self.outlet = outlet
        self.sid = outlet.session.sid
        self.stream = stream
        self.mark = len(stream.chunks)
        stream.followers[self.sid] = self


class FanOut(Generic[OutletT]):
    """Delivers the chat's outputs to the outlets attached in this process.

    Members are grouped by what they receive (``group_of``): everybody in the default room
    alone, reading JSON, is one group, however many they are. A broadcast to a room is
    rendered once per codec (and, for text, once more with its room in front for those whose
    current room is another) and appended to the stream of each group in that room: its cost
    grows with the groups, never with the members."""

    def __init__(self, renderer: Renderer, history: int, irc: IrcRenderer | None = None) -> None:
        self.renderer = renderer
        self.irc = irc or IrcRenderer("papo", renderer)
        # Replays rendered once for every newcomer (a few histories' worth is plenty) and for
        # every member resuming (the events of the last moments, however many come back).
        self._replay_cache_size = 4 * max(history, 1) + REPLAYED_CACHED
        self.outlets: dict[int, OutletT] = {}
        self._replays: dict[tuple[int, OutputFormat, bool], bytes] = {}
        self._streams: dict[GroupKey, Stream] = {}
        self._streams_in: dict[str, dict[GroupKey, Stream]] = {}  # by room
        self._followers: dict[int, Follower[OutletT]] = {}
        self._broadcasts = 0

    @property
    def pending(self) -> int:
        """How many broadcasts wait for the next flush."""
        return max((len(stream.chunks) for stream in self._streams.values()), default=0)

    def attach(self, outlet: OutletT) -> None:
        self.outlets[outlet.session.sid] = outlet

    def detach(self, outlet: OutletT) -> bool:
        """Forget ``outlet``; False if its member had moved to another one already (a resume
        replaced it), which is then left as it is."""
        sid = outlet.session.sid
        if self.outlets.get(sid) is not outlet:
            return False
        del self.outlets[sid]
        self._unfollow(sid)
        return True

    def _follow(self, key: GroupKey) -> Stream:
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = Stream(key)
            for room in key[1]:
                self._streams_in.setdefault(room, {})[key] = stream
        return stream

    def _leave_stream(self, stream: Stream, sid: int) -> None:
        del stream.followers[sid]
        if stream.followers:
            return
        del self._streams[stream.key]  # nobody left to read it: its chunks go with it
        for room in stream.key[1]:
            streams = self._streams_in[room]
            del streams[stream.key]
            if not streams:
                del self._streams_in[room]

    def _unfollow(self, sid: int) -> None:
        follower = self._followers.pop(sid, None)
        if follower is not None:
            self._leave_stream(follower.stream, sid)

    def _catch_up(self, follower: Follower[OutletT]) -> None:
        """Move what the member has not yet taken from its stream to its own queue, so that
        what is queued next comes after it; and follow the stream of its group as it is now
        (a change of room or format is learnt here)."""
        stream = follower.stream
        if follower.mark < len(stream.chunks):
            follower.outlet.queue(stream.joined(follower.mark))
        key = group_of(follower.outlet)
        if key != stream.key:
            wanted = self._follow(key)
            wanted.followers[follower.sid] = follower
            self._leave_stream(stream, follower.sid)
            follower.stream = stream = wanted
        follower.mark = len(stream.chunks)

    def _send(self, outlet: OutletT, data: bytes, *, owed: bool = False) -> None:
        follower = self._followers.get(outlet.session.sid)
        if follower is not None:
            self._catch_up(follower)
        outlet.queue(data, owed=owed)

    def deliver(self, outputs: Iterable[Output]) -> None:
        outlets = self.outlets
        for output in outputs:
            match output:
                case Send(
                    event=Message(history=True) | Action(history=True) | Replayed() as event,
                    to=session,
                ):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        self._send(outlet, self._replay(event, outlet), owed=True)
                case Send(event=event, to=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        if isinstance(event, Welcome):  # a member from now on
                            stream = self._follow(group_of(outlet))
                            self._followers[session.sid] = Follower(outlet, stream)
                        data = self._render_for(outlet, event)
                        if data:
                            self._send(outlet, data)
                case Broadcast(event=event, route=route):
                    self._broadcast(event, route.rooms)
                    author, exclude = route.author, route.exclude
                    if author is not None and self._showed_it(author, event):
                        self._skip(author)
                    if exclude is not None:
                        self._skip(exclude)
                    for sid in route.hidden_from:
                        self._skip(sid)
                case Reformat(session=session, output=codec):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        self._reformat(outlet, codec)
                case Resumed(member=member, via=via):
                    outlet = outlets.pop(via.sid, None)
                    if outlet is not None:  # what is sent to the member goes there now
                        outlet.session = member
                        outlets[member.sid] = outlet
                case Close(session=session):
                    outlet = outlets.get(session.sid)
                    if outlet is not None:
                        follower = self._followers.get(session.sid)
                        if follower is not None:
                            self._catch_up(follower)
                            self._unfollow(session.sid)
                        outlet.close_after_flush()

    def _render_for(self, outlet: OutletT, event: Event) -> bytes:
        """``event`` as this outlet reads it (an IRC reader's numerics name it)."""
        if outlet.output in IRC_FORMATS and outlet.door is not None:
            return self.irc.to(event, outlet.door, outlet.session.name)
        return self.renderer.render(event, outlet.output)

    def _render_shared(self, event: Event, output: OutputFormat, *, elsewhere: bool) -> bytes:
        """``event`` as every reader of ``output`` reads it."""
        if output in IRC_FORMATS:
            return self.irc.room_event(event, output)
        return self.renderer.render(event, output, elsewhere=elsewhere)

    def send_bytes(self, outlet: OutletT, data: bytes) -> None:
        """Bytes of its own for ``outlet`` (an IRC door's immediate reply), after what it has
        not taken from its stream yet."""
        self._send(outlet, data)

    def _showed_it(self, sid: int, event: Event) -> bool:
        """Whether member ``sid``'s client showed ``event``, its own words, as they were sent,
        so that the room's copy would show them twice: an IRC client without echo-message
        shows a message and an action itself; at a line client the person saw the line it
        typed, but an action only as the server writes it. JSON programs take the copy as
        the confirmation."""
        outlet = self.outlets.get(sid)
        if outlet is None:
            return False
        if outlet.output in IRC_FORMATS:
            return outlet.door is None or not outlet.door.echo
        return outlet.output is OutputFormat.TEXT and not isinstance(event, Action)

    def _reformat(self, outlet: OutletT, output: OutputFormat) -> None:
        """What it had not taken yet, in its old format; from now on, the new one."""
        follower = self._followers.get(outlet.session.sid)
        if follower is not None:
            self._catch_up(follower)
        outlet.output = output
        if follower is not None:
            self._catch_up(follower)  # now in the group of its new format

    def _replay(self, event: Message | Action | Replayed, outlet: OutletT) -> bytes:
        """History is replayed to every newcomer, and what was missed to every member coming
        back (thousands at once after an outage): the same bytes each time, rendered once."""
        output = outlet.output
        door = outlet.door
        if output in IRC_FORMATS and (
            isinstance(event, Replayed) or (door is not None and door.batch is not None)
        ):  # each IRC reader's own: what it missed, or a CHATHISTORY's batch
            return self._render_for(outlet, event)
        resumed = isinstance(event, Replayed)
        key = (event.event.id if isinstance(event, Replayed) else event.id, output, resumed)
        data = self._replays.get(key)
        if data is None:
            replays = self._replays
            while len(replays) >= self._replay_cache_size:
                del replays[next(iter(replays))]  # the oldest: history moves on
            data = replays[key] = self._render_shared(event, output, elsewhere=False)
        return data

    def _broadcast(self, event: Event, rooms: frozenset[str]) -> None:
        self._broadcasts += 1
        number = self._broadcasts
        streams_in = self._streams_in
        # A room's event goes to that one room, whose key the chat already computed.
        where = next(iter(rooms)) if room_of(event) is not None else None
        rendered: dict[tuple[OutputFormat, bool], bytes] = {}
        for room in rooms:
            for stream in streams_in.get(room, {}).values():
                if stream.last == number:
                    continue  # in two of the rooms: once is enough
                elsewhere = stream.current != where and where is not None
                elsewhere = elsewhere and stream.codec is OutputFormat.TEXT
                data = rendered.get((stream.codec, elsewhere))
                if data is None:
                    data = rendered[stream.codec, elsewhere] = self._render_shared(
                        event, stream.codec, elsewhere=elsewhere
                    )
                stream.chunks.append(data)
                stream.last = number

    def _skip(self, sid: int) -> None:
        """Leave the broadcast just appended out of what member ``sid`` gets."""
        follower = self._followers.get(sid)
        if follower is None:
            return
        stream = follower.stream
        if stream.last != self._broadcasts:
            return  # it was not among the recipients
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
        written = 0
        for stream in [stream for stream in self._streams.values() if stream.chunks]:
            whole = stream.joined(0)
            count = len(stream.chunks)
            small = len(stream.followers) <= COALESCE_ABOVE  # see nagle.py
            for follower in stream.followers.values():
                mark = follower.mark
                if mark == 0:
                    follower.outlet.flush(whole, small_room=small)
                elif mark < count:
                    follower.outlet.flush(stream.joined(mark), small_room=small)
                    follower.mark = 0
                else:
                    follower.mark = 0  # it took them all (its own queue is flushed apart)
            written += len(stream.followers)
            stream.chunks.clear()
        return written

    def tell_everyone(self, event_for: Callable[[OutletT], Event]) -> list[OutletT]:
        """Queue ``event_for(outlet)`` for every attached outlet, registered or not
        (shutdown), each event rendered once per format."""
        rendered: dict[tuple[int, OutputFormat], bytes] = {}  # by the event's identity
        outlets = list(self.outlets.values())
        for outlet in outlets:
            event = event_for(outlet)
            key = (id(event), outlet.output)
            data = rendered.get(key)
            if data is None:
                data = self._render_for(outlet, event)
                if outlet.output not in IRC_FORMATS:
                    rendered[key] = data
            self._send(outlet, data)
        return outlets
