"""The door, pure: IRC commands in, papo lines and immediate replies out."""

from __future__ import annotations

import re

from papo.core.room_commands import MAX_HISTORY_ASKED
from papo.irc.door import HISTORY_MOST, Door, Unanswered
from papo.protocol.commands import OutputFormat


def registered() -> Door:
    door = Door("irc.test")
    door.receive("NICK bob")
    door.receive("USER bob 0 * :Bob")
    door.registered = True  # the chat welcomed it
    return door


def test_registration_waits_for_nick_user_and_the_end_of_cap() -> None:
    door = Door("irc.test")
    assert door.receive("CAP LS 302") == (
        [],
        [
            ":irc.test CAP * LS :batch draft/chathistory echo-message message-tags multi-prefix"
            " server-time"
        ],
    )
    assert door.receive("PASS whatever") == (["/pass whatever"], [])  # the chat's password
    assert door.receive("NICK ana|b") == ([], [])
    assert door.receive("USER a 0 * :A") == ([], [])  # still negotiating
    _, [ack] = door.receive("CAP REQ :server-time echo-message")
    assert (
        ack.endswith("ACK :server-time echo-message")
        and door.output is OutputFormat.IRC_TAGGED
        and door.echo
    )
    _, [nak] = door.receive("CAP REQ :sasl")
    assert "NAK" in nak
    assert door.receive("CAP END") == (["ana.b"], [])  # the papo name of ana|b
    assert Door("irc.test").receive("NICK a.b")[1][0].startswith(":irc.test 432")


def test_before_registration_other_commands_are_refused() -> None:
    door = Door("irc.test")
    assert door.receive("JOIN #dev")[1] == [":irc.test 451 * :You have not registered"]
    assert door.receive("FOO")[1] == [":irc.test 421 * FOO :Unknown command"]
    assert door.receive("PING :123")[1] == [":irc.test PONG irc.test :123"]


def test_commands_become_papo_lines() -> None:
    door = registered()
    assert door.receive("JOIN #a,#b")[0] == ["/join #a", "/join #b"]
    assert door.receive("JOIN 0", rooms=("#lobby", "#a"))[0] == ["/part #lobby", "/part #a"]
    already = door.receive("JOIN #Lobby,#b,#ＤＥＶ,dev", rooms=("#lobby", "#dev"))
    assert already == (["/join #b"], [])  # the channels it is in already: nothing
    assert door.receive("PART #a :bye now")[0] == ["/part #a bye now"]
    assert door.receive("PRIVMSG #a :/not a command")[0] == ["/msg #a /not a command"]
    assert door.receive("PRIVMSG ana|b :hi")[0] == ["/msg ana.b hi"]
    assert door.receive("PRIVMSG #a :\x01ACTION waves\x01")[0] == ["/action #a waves"]
    assert door.receive("PRIVMSG ana|b :\x01ACTION waves\x01")[0] == ["/action ana.b waves"]
    assert door.receive("PRIVMSG #a :\x01VERSION\x01") == ([], [])
    assert door.receive("NOTICE ana|b,#a :hi")[0] == [
        Unanswered("/notice ana.b hi"),
        Unanswered("/notice #a hi"),
    ]
    assert door.receive("TOPIC #a")[0] == ["/topic #a"]
    assert door.receive("TOPIC #a :new one")[0] == ["/topic #a new one"]
    assert door.receive("TOPIC #a :")[0] == ["/topic #a -delete"]  # IRC's way to clear it
    assert door.receive("NICK robert")[0] == ["/nick robert"]
    assert door.receive("AWAY :lunch")[0] == ["/away lunch"]
    assert door.receive("INVITE ana|b #a")[0] == ["/invite ana.b #a"]
    assert door.receive("INVITE")[1] == [":irc.test 337 bob :End of INVITE list"]
    assert door.receive("@+typing=active TAGMSG #a") == ([], [])  # no client tags to pass on
    assert door.receive("TAGMSG")[1] == [":irc.test 461 bob TAGMSG :Not enough parameters"]
    assert door.receive("QUIT :bye")[0] == ["/quit bye"]
    assert door.receive("USER x 0 * :y")[1][0].startswith(":irc.test 462 bob")
    assert door.receive("MODE #a")[1] == [":irc.test 324 bob #a :+n"]
    assert door.receive("MODE #a +t") == (["/locktopic #a"], [])
    assert door.receive("MODE #a -t") == (["/unlocktopic #a"], [])
    assert door.receive("MODE #a +o ana")[1][0].startswith(":irc.test 482")
    # papo's operators have a password and no name: OPER's name is not looked at.
    assert door.receive("OPER root :hunter2 and more")[0] == ["/oper hunter2 and more"]
    assert door.receive("OPER root")[1] == [":irc.test 461 bob OPER :Not enough parameters"]
    assert door.receive("KILL ana|b :\x02spam\x02 again")[0] == ["/kick ana.b spam again"]
    assert door.receive("KILL ana")[0] == ["/kick ana"]
    assert door.receive("KILL")[1] == [":irc.test 461 bob KILL :Not enough parameters"]
    # papo's /mute, which IRC has no word for: as irssi sends it typed, or with a trailing.
    assert door.receive("MUTE ana|b 10m calm down")[0] == ["/mute ana.b 10m calm down"]
    assert door.receive("MUTE ana :\x02calm\x02 down")[0] == ["/mute ana calm down"]
    assert door.receive("UNMUTE ana|b")[0] == ["/unmute ana.b"]
    assert door.receive("MUTE")[1] == [":irc.test 461 bob MUTE :Not enough parameters"]
    # KLINE's length is in minutes (0: IRC's "for ever", here the default); the mask names
    # a papo user by nick, for papo shows nobody's address.
    assert door.receive("KLINE 30 ana|b!*@* :\x02spam\x02")[0] == ["/ban ana.b 30m spam"]
    assert door.receive("KLINE ana@papo")[0] == ["/ban ana"]
    assert door.receive("KLINE 0 ana :bye")[0] == ["/ban ana bye"]
    assert door.receive("KLINE 60")[0] == ["/ban 60"]  # a nick, then: all digits is one
    assert door.receive("KLINE")[1] == [":irc.test 461 bob KLINE :Not enough parameters"]
    assert door.receive("UNKLINE ana|b!*@*")[0] == ["/unban ana.b"]
    assert door.receive("UNKLINE")[1] == [":irc.test 461 bob UNKLINE :Not enough parameters"]


def test_queries_remember_what_the_next_online_answer_is_for() -> None:
    door = registered()
    assert door.receive("NAMES #a")[0] == ["/online #a"]
    assert door.receive("ISON ana bob")[0] == ["/online"]
    assert door.receive("NAMES #b,#c")[0] == ["/online #b", "/online #c"]
    assert [(q.kind, q.room) for q in door.queries] == [
        ("names", "#a"),
        ("ison", None),
        ("names", "#b"),
        ("names", "#c"),
    ]


def test_what_irc_asks_of_the_server_is_answered_by_the_door() -> None:
    door = Door("irc.test", motd="Be kind.\nNo spam.")
    door.receive("NICK bob")
    door.receive("USER bob 0 * :Bob")
    door.registered = True
    assert door.receive("MOTD")[1] == [
        ":irc.test 375 bob :- irc.test Message of the day -",
        ":irc.test 372 bob :- Be kind.",
        ":irc.test 372 bob :- No spam.",
        ":irc.test 376 bob :End of /MOTD command",
    ]
    assert registered().receive("motd")[1] == [":irc.test 422 bob :MOTD File is missing"]
    [version] = door.receive("VERSION")[1]
    assert re.fullmatch(r":irc\.test 351 bob papo-\S+\. irc\.test :.+", version)
    assert door.receive("TIME", now=86400 * 365)[1] == [
        ":irc.test 391 bob irc.test :Friday 01 January 1971, 00:00:00 UTC"
    ]
    assert door.receive("INFO")[1][-1] == ":irc.test 374 bob :End of INFO list"
    assert door.receive("ADMIN")[1][0].startswith(":irc.test 423 bob irc.test :")
    assert door.receive("LINKS")[1][-1] == ":irc.test 365 bob * :End of /LINKS list"
    assert door.receive("STATS u")[1] == [":irc.test 219 bob u :End of /STATS report"]
    # K-lines are papo's bans: the chat answers (an operator's), and its answer ends the report.
    assert door.receive("STATS k") == (["/bans"], [])
    assert door.receive("STATS K") == (["/bans"], [])
    assert door.receive("BANS") == (["/bans"], [])  # irssi's /bans, sent as typed
    assert door.receive("KICK #a ana")[1][0].startswith(":irc.test 482 bob #a :")
    assert door.receive("KICK #a")[1][0].startswith(":irc.test 461 bob KICK :")
    assert door.receive("WHOWAS ana")[1] == [
        ":irc.test 406 bob ana :There was no such nickname",
        ":irc.test 369 bob ana :End of WHOWAS",
    ]
    assert door.receive("MOTD") and not door.queries  # nothing asked of the chat


def test_papos_own_commands_typed_in_an_irc_client_are_passed_on() -> None:
    """Sent raw (irssi's "/quote rooms" is "rooms"), papo's commands reach the chat, so /help
    holds at the IRC door too; /format and /resume never do."""
    door = registered()
    assert door.receive("private ana hi there")[0] == ["/private ana hi there"]
    assert door.receive("R :thanks")[0] == ["/r thanks"]
    assert door.receive("rooms")[0] == ["/rooms"]
    assert door.receive("HELP private")[0] == ["/help private"]
    assert door.receive("online #dev")[0] == ["/online #dev"]
    assert door.receive("LUSERS")[0] == ["/online"]
    assert [(q.kind, q.room) for q in door.queries] == [("online", "#dev"), ("lusers", None)]
    for refused in ("format json", "resume abc 1", "me waves"):
        assert door.receive(refused) == (
            [],
            [f":irc.test 421 bob {refused.split()[0].upper()} :Unknown command"],
        )
    assert Door("irc.test").receive("help")[1][0].startswith(":irc.test 421 * HELP")


def test_the_tags_a_client_reads_are_those_of_the_capabilities_it_took() -> None:
    door = registered()
    outputs = [door.output]
    for asked in ("server-time", "message-tags", "-server-time", "-message-tags"):
        door.receive(f"CAP REQ :{asked}")
        outputs.append(door.output)
    tagged, ids = OutputFormat.IRC_TAGGED, OutputFormat.IRC_IDS
    # message-tags alone (server-time dropped): any tag is read, the time too
    assert outputs == [OutputFormat.IRC, tagged, ids, ids, OutputFormat.IRC]


def test_chathistory_asks_the_chat_for_a_window_of_history() -> None:
    door = registered()
    asked = {
        "CHATHISTORY LATEST #dev * 50": "/history #dev 50",
        "CHATHISTORY latest #dev msgid=40 10": "/history #dev 10 latest 40",
        "CHATHISTORY BEFORE #dev msgid=42.2 1000": "/history #dev 200 before 42",  # capped
        "CHATHISTORY AFTER #dev timestamp=2026-12-06T10:00:00.000Z 5": (
            "/history #dev 5 after 2026-12-06T10:00:00.000Z"
        ),
        "CHATHISTORY AROUND #dev msgid=7 9": "/history #dev 9 around 7",
        "CHATHISTORY LATEST ana|b * 9": "/history ana.b 9",  # a nick: one's privates
        "CHATHISTORY BETWEEN #dev msgid=9 timestamp=2026-12-06T10:00:00Z 3": (
            "/history #dev 3 between 9 2026-12-06T10:00:00Z"
        ),
    }
    for irc, papo in asked.items():
        assert door.receive(irc) == ([papo], []), irc
    assert [each.subcommand for each in door.histories] == [
        "LATEST", "LATEST", "BEFORE", "AFTER", "AROUND", "LATEST", "BETWEEN"
    ]  # fmt: skip
    assert door.receive("HISTORY #dev 5") == (["/history #dev 5"], [])  # papo's own
    assert door.histories[-1].subcommand == ""  # told in papo's words


def test_a_chathistory_the_chat_cannot_answer_fails_as_ircv3_says() -> None:
    door = registered()
    refused = {
        "CHATHISTORY FORWARD #dev * 5": "UNKNOWN_COMMAND FORWARD :Unknown subcommand",
        "CHATHISTORY": "UNKNOWN_COMMAND * :Unknown subcommand",
        "CHATHISTORY BEFORE #dev 5": "NEED_MORE_PARAMS BEFORE :Missing parameters",
        "CHATHISTORY BETWEEN #dev msgid=1 5": "NEED_MORE_PARAMS BETWEEN :Missing parameters",
        "CHATHISTORY BEFORE #dev * 5": "INVALID_PARAMS BEFORE :Invalid parameters",
        "CHATHISTORY AFTER #dev msgid=x 5": "INVALID_PARAMS AFTER :Invalid parameters",
        "CHATHISTORY AFTER #dev timestamp=yesterday 5": "INVALID_PARAMS AFTER :Invalid parameters",
        "CHATHISTORY AFTER #dev msgid=4 0": "INVALID_PARAMS AFTER :Invalid parameters",
        "CHATHISTORY AFTER #dev 4 10": "INVALID_PARAMS AFTER :Invalid parameters",
        "CHATHISTORY LATEST no.such * 10": "INVALID_TARGET LATEST no.such :No such nick",
    }
    for irc, fail in refused.items():
        assert door.receive(irc) == ([], [f":irc.test FAIL CHATHISTORY {fail}"]), irc
    assert door.histories == ()  # nothing asked of the chat


def test_the_most_a_chathistory_gives_is_what_history_gives() -> None:
    """ISUPPORT's CHATHISTORY says it to clients; the chat caps /history there too (the door
    cannot ask the chat, which it sits in front of)."""
    assert HISTORY_MOST == MAX_HISTORY_ASKED
