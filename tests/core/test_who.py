"""/away and /whois, driven directly: no sockets, no clock (``now`` is handed in)."""

from __future__ import annotations

from papo.protocol.events import Error, ErrorCode, Notice, NoticeCode, Online, Private, Whois
from tests.core.world import NOW, World


def test_away_shows_in_online_and_to_whoever_writes_in_private() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    [notice] = world.line(bob, "/away at lunch")
    assert notice == Notice(ts=NOW, code=NoticeCode.NOW_AWAY, away="at lunch")
    [online] = world.line(ana, "/online")
    assert online == Online(ts=NOW, users=("ana", "bob"), away={"bob": "at lunch"})
    [online] = world.line(ana, "/online #lobby")
    assert isinstance(online, Online) and online.away == {"bob": "at lunch"}
    world.take(bob)
    private, away = world.line(ana, "/msg bob are you there?")
    assert isinstance(private, Private)
    assert away == Notice(ts=NOW, code=NoticeCode.AWAY, names=("bob",), away="at lunch")
    assert [type(event) for event in world.take(bob)] == [Private]  # still delivered
    [back] = world.line(bob, "/away")
    assert back == Notice(ts=NOW, code=NoticeCode.BACK)
    [again] = world.line(bob, "/away")  # not away any more: not "back" a second time
    assert again == Notice(ts=NOW, code=NoticeCode.NOT_AWAY)
    [online] = world.line(ana, "/online")
    assert isinstance(online, Online) and online.away == {}
    world.take(ana)
    assert [type(event) for event in world.line(ana, "/w bob hi")] == [Private]


def test_away_text_is_cleaned_and_bounded_and_ends_with_the_user() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    [notice] = world.line(bob, "/away \x1b[5mgone\x1b[0m")
    assert isinstance(notice, Notice) and notice.away == "gone"
    [error] = world.line(bob, "/away " + "x" * 301)
    assert isinstance(error, Error) and error.code is ErrorCode.USAGE
    assert error.command == "away" and error.extra == {"max_chars": "300"}
    world.line(bob, "/quit")
    world.user("bob")  # the name again, not the away
    [online] = world.line(ana, "/online")
    assert isinstance(online, Online) and online.away == {}


def test_whois_says_since_when_idle_rooms_and_away() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(bob, "/join #dev")
    world.line(bob, "/away brb")
    world.apply(world.chat.handle_line(bob, "/join #ops", NOW + 5))
    world.take(ana)
    world.apply(world.chat.handle_line(ana, "/whois BOB", NOW + 65))
    [whois] = world.take(ana)
    assert whois == Whois(
        ts=NOW + 65,
        name="bob",
        rooms=("#lobby", "#dev", "#ops"),
        away="brb",
        since=NOW,
        idle=60.0,
    )
    [error] = world.line(ana, "/whois nobody")
    assert isinstance(error, Error) and error.code is ErrorCode.NO_SUCH_USER
    assert error.name == "nobody"


def test_away_is_what_the_hub_says() -> None:
    """On several servers, an /away can reach Redis after its member has resumed on another
    server: read there later, it counts in WHOIS and for /away alone (back), as everywhere
    else: the text is kept nowhere but in the hub."""
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    world.chat.shared.set_away(bob.sid, "lunch")  # as the late step, read from the stream
    [whois] = world.line(ana, "/whois bob")
    assert isinstance(whois, Whois) and whois.away == "lunch"
    assert world.line(bob, "/away") == [Notice(ts=NOW, code=NoticeCode.BACK)]
    [whois] = world.line(ana, "/whois bob")
    assert isinstance(whois, Whois) and whois.away is None
