"""Resume on any server: a JSON client dropped from one server of the chat comes back on
another (or after its server was killed) and loses nothing. Real processes and redis-server."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from papo.core.tokens import token_digest
from tests.cluster.setups import (
    LEASE,
    OPER_PASSWORD,
    cast,
    ignoring_bob_until_unignored,
    operators,
    two_in_dev,
)
from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import TIMEOUT, LineClient, ServerProcess


def resume(server: ServerProcess, token: str, last_id: int) -> LineClient:
    client = server.client(json_mode=True)
    client.send(f"/resume {token} {last_id}")
    return client


def test_dropped_on_one_server_resumed_on_another_with_everything_missed(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two, ana, bob, first = two_in_dev(start_server, redis_server)
    assert ana.welcome is not None
    ana.reset()
    time.sleep(0.3)
    bob.send("while you were out")
    bob.send("/msg ana psst")
    bob.expect("private", text="psst")
    back = resume(two, ana.welcome["resume"], first)  # the other server
    welcome = back.expect("welcome")
    assert welcome["resumed"] is True and welcome["name"] == "ana"
    assert welcome["rooms"] == ["#lobby", "#dev"] and welcome["room"] == "#dev"
    message, private = back.next_event(), back.next_event()
    assert message == {**message, "type": "message", "text": "while you were out", "replay": True}
    assert private == {**private, "type": "private", "text": "psst", "replay": True}
    assert bob.quiet(0.5) == []  # ana never left, as far as anybody could tell
    bob.send("live again")
    assert "replay" not in back.expect("message", text="live again")
    back.send("/msg bob thanks")
    assert bob.expect("private", text="thanks")["from"] == "ana"
    again = one.client(json_mode=True).register("ana")  # still hers, on every server
    assert again["code"] == "name_taken"
    used = resume(one, ana.welcome["resume"], first).expect("error")  # a token serves once
    assert used["code"] == "resume_failed"
    back.send("/quit")
    leave = bob.expect("leave", name="ana")
    assert leave["reason"] == "quit"
    assert not [e for e in bob.quiet(0.5) if e["type"] == "leave"]  # once


def test_whom_a_program_ignores_is_still_ignored_after_a_resume_on_another_server(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two = (start_server("--redis", redis_server.url) for _ in range(2))
    ana, bob, carol = one.user("ana"), two.user("bob"), two.user("carol")
    assert ana.welcome is not None
    first = ana.expect("join", name="carol")["id"]
    ana.send("/ignore bob")
    ana.expect("info", code="ignored")
    ana.reset()
    time.sleep(0.3)
    bob.send("/me waves while ana is away")
    bob.send("said while ana is away")
    bob.send("/msg ana psst")
    bob.expect("private", text="psst")  # bob is not told
    carol.send("carol while ana is away")
    carol.expect("message", text="carol while ana is away")
    back = resume(two, ana.welcome["resume"], first)  # on bob's own server now
    assert back.expect("welcome")["resumed"] is True
    replayed = back.quiet(1.0)
    assert [e["text"] for e in replayed if e["type"] == "message"] == ["carol while ana is away"]
    assert [e for e in replayed if e.get("from") == "bob"] == []
    bob.send("said after the resume")
    bob.send("/msg ana psst again")
    bob.expect("private", text="psst again")
    carol.send("carol after the resume")
    live = back.quiet(1.0)
    assert [e["text"] for e in live if e["type"] == "message"] == ["carol after the resume"]
    assert [e for e in live if e.get("from") == "bob"] == []
    ignoring_bob_until_unignored(back, bob)


def test_a_replay_on_another_server_follows_the_rooms_the_program_was_in_at_each_event(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    _, two, ana, bob, seen = two_in_dev(start_server, redis_server)  # ana read up to seen
    assert ana.welcome is not None
    bob.send("in #dev while ana was there")
    ana.expect("message", text="in #dev while ana was there")  # lost with her connection
    ana.send("/part #dev")
    ana.expect("leave", room="#dev", reason="part")
    bob.send("in #dev after ana left")
    bob.expect("message", text="in #dev after ana left")
    ana.reset()
    back = resume(two, ana.welcome["resume"], seen)
    assert back.expect("welcome")["rooms"] == ["#lobby"]
    replayed = [e for e in back.quiet(1.0) if e["type"] == "message"]
    assert [(e["text"], e["replay"]) for e in replayed] == [("in #dev while ana was there", True)]


def test_a_member_taken_over_for_a_connection_that_went_meanwhile_is_held_not_lost(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one = start_server("--redis", redis_server.url)
    two = start_server("--redis", redis_server.url, "--registration-timeout", "1")
    ana = one.user("ana")
    assert ana.welcome is not None
    ana.reset()
    time.sleep(0.3)
    late = two.client(json_mode=True)  # its registration time runs out while Redis sleeps
    sleeper = threading.Thread(target=redis_server.command, args=("DEBUG", "SLEEP", "1.6"))
    sleeper.start()
    time.sleep(0.2)
    late.send(f"/resume {ana.welcome['resume']} 0")  # takes ana over, answered after 1.6 s
    sleeper.join()
    assert late.closed_by_server()
    token_key = f"papo:token:{token_digest(ana.welcome['resume']).hex()}"
    deadline = time.monotonic() + TIMEOUT
    while (
        "'ana' taken over" not in two.log()
        or redis_server.command("EXISTS", token_key) != b":1\r\n"
    ):
        assert time.monotonic() < deadline, "two did not hold her with her token"
        time.sleep(0.05)
    back = resume(one, ana.welcome["resume"], 0)  # held on two: her token works anywhere
    assert back.expect("welcome")["resumed"] is True


def test_a_connection_still_open_on_its_server_is_replaced_by_a_resume_elsewhere(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two = (start_server("--redis", redis_server.url) for _ in range(2))
    ana = one.user("ana")
    assert ana.welcome is not None
    # Her token reaches Redis as a step after her welcome; her echo comes back after it (the
    # steps go in order), as anything a real client did before it dropped would.
    ana.send("still here")
    ana.expect("message", text="still here")
    back = resume(two, ana.welcome["resume"], 0)
    assert back.expect("welcome")["resumed"] is True
    assert ana.expect("bye")["reason"] == "replaced"
    assert ana.closed_by_server()


def test_users_of_a_killed_server_resume_on_a_survivor_and_line_users_leave(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    c = cast(start_server, redis_server)
    c.one.process.kill()
    leave = c.bob.expect("leave", name="carl", timeout=LEASE + TIMEOUT)  # it cannot resume
    assert leave["reason"] == "disconnect"
    c.two.wait_for_log("is gone (its lease ran out): 1 users leave, 1 held for a resume")
    c.bob.send("said after the crash")
    c.bob.expect("message", text="said after the crash")
    back = resume(c.two, c.token, c.seen)
    assert back.expect("welcome")["resumed"] is True
    assert back.expect("message", text="said after the crash")["replay"] is True
    assert [e for e in c.bob.quiet(0.5) if e["type"] == "leave"] == []  # ana never left
    c.close()


def test_a_stop_is_logged_by_the_survivor_as_planned_and_its_held_programs_taken_over(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    c = cast(start_server, redis_server)
    c.one.signal(signal.SIGTERM)
    assert c.one.wait(TIMEOUT + 5) == 0
    c.two.wait_for_log("stopped: 0 users leave, 1 held for a resume", timeout=LEASE + TIMEOUT)
    assert "WARNING" not in c.two.log()  # a deploy is no crash
    back = resume(c.two, c.token, c.seen)  # ana, taken over by two
    assert back.expect("welcome")["resumed"] is True
    c.close()


def test_a_server_stopped_gracefully_sends_its_programs_to_resume_on_another(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    c = cast(start_server, redis_server)
    one, two, ana, bob = c.one, c.two, c.ana, c.bob
    one.signal(signal.SIGTERM)  # a rolling restart, say
    assert ana.expect("bye")["reason"] == "restart"  # come back (the client does by itself)
    assert bob.expect("leave", name="carl")["reason"] == "shutdown"  # a line user leaves
    assert one.wait(TIMEOUT + 5) == 0
    bob.send("while ana moves")
    bob.expect("message", text="while ana moves")  # in the log: replayed, not live
    back = resume(two, c.token, c.seen)
    assert back.expect("welcome")["resumed"] is True
    assert back.expect("message", text="while ana moves")["replay"] is True
    time.sleep(LEASE + 1)  # past the stopped server's lease: it is buried, ana is untouched
    assert [e for e in bob.quiet(1.0) if e["type"] == "leave"] == []
    bob.send("/online")
    assert bob.expect("online")["users"] == ["ana", "bob"]
    c.close()


def test_an_operator_resumed_on_another_server_is_still_one(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    args = ("--redis", redis_server.url, *operators(tmp_path))
    one, two = start_server(*args), start_server(*args)
    ana, bob = one.user("ana"), one.user("bob")
    assert ana.welcome is not None
    last = ana.expect("join", name="bob")["id"]
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    # Told at once, written to Redis by the server's next call, some milliseconds later; a
    # resume elsewhere within those would not see it (1 run in 25 did). A message sent after
    # it is written after it (one writer, in order): its echo says both are there.
    ana.send("an operator now")
    last = ana.expect("message", text="an operator now")["id"]
    ana.reset()
    one.wait_for_log("'ana' held for")
    back = resume(two, ana.welcome["resume"], last)  # the other server
    assert back.expect("welcome")["resumed"] is True
    back.send("/kick bob still here?")
    assert back.expect("leave", name="bob", reason="kicked")["by"] == "ana"
    assert bob.expect("bye")["reason"] == "kicked"
