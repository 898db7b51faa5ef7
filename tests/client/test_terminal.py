"""The terminal client in a real pty (pexpect) against a real server."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pexpect
import pyte
import pytest
import trustme

from tests.conftest import StartServer
from tests.server.test_chat_password import chat_password_file
from tests.support import ROOT, ServerProcess, free_port, issue_certificate, run_client

ESCAPE = "\x1b"


def spawn_client(
    port: int,
    *args: str,
    env: dict[str, str] | None = None,
    dimensions: tuple[int, int] = (40, 120),
    through: Sequence[str] = (),
) -> pexpect.spawn:
    """``through``: a command that runs the client (with the client's command line after it)."""
    full_env = {
        **os.environ,
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "LC_ALL": "",
        "NO_COLOR": "",
        "PYTHONPATH": "",
        **(env or {}),
    }
    command = [*through, sys.executable, "client.py", "--port", str(port), *args]
    child = pexpect.spawn(
        command[0],
        command[1:],
        cwd=str(ROOT),
        env=full_env,
        encoding="utf-8",
        timeout=10,
        dimensions=dimensions,
    )
    return child


def exit_status(child: pexpect.spawn) -> int | None:
    """How the client ended, once it has (its output read to the end)."""
    child.expect(pexpect.EOF)
    child.close()
    status: int | None = child.exitstatus
    return status


def chatting(
    port: int,
    clients: list[pexpect.spawn],
    name: str,
    *args: str,
    env: dict[str, str] | None = None,
) -> pexpect.spawn:
    """A client started with ``--name``, past its welcome; stopped with the test."""
    child = spawn_client(port, "--name", name, *args, env=env)
    clients.append(child)
    child.expect(f"Hello, {name}")
    return child


def test_name_prompt_chat_and_quit(server: ServerProcess, clients: list[pexpect.spawn]) -> None:
    alice = server.user("alice")
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.sendline("carol")
    child.expect("Hello, carol")
    alice.expect("join", name="carol")
    alice.send("hi carol")
    child.expect("<.*alice.*> hi .*carol")  # the mention is highlighted
    child.sendline("hello alice")
    assert alice.expect("message", text="hello alice")["from"] == "carol"
    child.sendline("/quit")
    assert exit_status(child) == 0
    assert alice.expect("leave", name="carol")["reason"] == "quit"


def test_typed_text_survives_incoming_messages(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    child = chatting(server.port, clients, "carol")
    alice.expect("join")
    child.send("half typ")
    child.expect("half typ")
    alice.send("interrupting you")
    child.expect("interrupting you")
    child.expect("> half typ")  # prompt and the half-typed line drawn again below it
    child.sendline("ed line")
    assert alice.expect("message", text="half typed line")["from"] == "carol"


def test_tab_completes_commands_and_names(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    bob = server.user("bobby_tables")
    child = chatting(server.port, clients, "carol")
    child.send("/pri\t")
    child.expect("/private ")
    child.send("bob\t")
    child.expect("bobby_tables ")
    child.sendline("psst")
    private = bob.expect("private")
    assert (private["from"], private["text"]) == ("carol", "psst")
    child.send("bob\t")  # a message addressed to somebody, as IRC clients write it
    child.sendline("lunch?")
    assert bob.expect("message")["text"] == "bobby_tables: lunch?"


def test_an_invitation_rings_and_its_room_is_then_completed_by_tab(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    child = chatting(server.port, clients, "carol")
    alice.send("/join #ops\n/invite carol")
    child.expect("alice invites carol to #ops")
    child.expect("\a")  # the bell, as a private rings it
    child.send("/join #o\t")
    child.expect("#ops ")
    child.sendline("")
    child.expect("You are now talking in #ops")
    alice.expect("join", name="carol", room="#ops")


def test_colours_by_default_and_none_with_no_color(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    coloured = chatting(server.port, clients, "c1")
    plain = chatting(server.port, clients, "c2", env={"NO_COLOR": "1"})
    flagged = chatting(server.port, clients, "c3", "--no-color")
    alice.send("paint me")
    coloured.expect("paint me")
    assert "\x1b[3" in coloured.before or "\x1b[9" in coloured.before
    for child in (plain, flagged):
        child.expect("paint me")
        assert "\x1b[3" not in child.before and "\x1b[9" not in child.before


def test_ctrl_d_and_ctrl_c_leave_cleanly(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    for name, key in (("dee", "\x04"), ("cee", "\x03")):
        child = chatting(server.port, clients, name)
        child.send(key)
        assert exit_status(child) == 0, name
        assert alice.expect("leave", name=name)["reason"] == "quit"


def test_bell_on_private_and_mention_but_not_with_no_bell(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    ringing = chatting(server.port, clients, "ring")
    silent = chatting(server.port, clients, "hush", "--no-bell")
    alice.send("no names here")
    alice.send("hey ring and hush, look")
    alice.send("/msg ring psst")
    ringing.expect("psst\r\n\a")  # the private rings...
    assert ringing.before.count("\a") == 1  # ...and so did the mention, but not the plain line
    silent.expect("look")
    assert "\a" not in silent.before


def test_server_going_away_is_one_clear_line_and_exit_1(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server()
    child = chatting(server.port, clients, "carol", "--no-reconnect")
    server.stop()
    child.expect("shutting down")
    child.expect("closed the connection")
    assert exit_status(child) == 1


def test_reconnect_gets_the_name_back(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server()
    port = server.port
    child = chatting(port, clients, "carol", "--reconnect")
    for command in ("/join #ops", "/join #dev", "/part #lobby"):
        child.sendline(command)
    child.expect("carol left #lobby")
    server.stop()
    child.expect("reconnecting")
    time.sleep(4)  # several attempts fail meanwhile (1, 2 s...): they add no line
    again = start_server("--port", str(port))  # later --port wins over the fixture's --port 0
    assert again.port == port
    child.expect("Hello, carol", timeout=15)
    assert "reconnecting" not in (child.before or "")  # said once, for the whole outage
    child.expect("#dev> ")  # back in its rooms, #dev current again, out of the lobby
    watcher = again.user("watcher")
    watcher.send("/online #ops")
    assert watcher.expect("online")["users"] == ["carol"]
    watcher.send("/online #lobby")
    assert watcher.expect("online")["users"] == ["watcher"]
    watcher.send("/join #dev")
    watcher.expect("joined")
    child.sendline("back again")
    message = watcher.expect("message")
    assert (message["text"], message["room"]) == ("back again", "#dev")


def test_a_name_taken_during_the_outage_is_said_once_and_nick_picks_another(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server()
    port = server.port
    child = chatting(port, clients, "carol", "--reconnect")
    server.stop()  # no --store: carol cannot resume, and her name is free for anybody
    child.expect("reconnecting")
    again = start_server("--port", str(port))
    impostor = again.user("carol")
    child.expect("the name 'carol' is taken", timeout=15)
    child.expect("/nick NAME comes back under another name")
    time.sleep(2.5)  # more attempts are refused meanwhile: they add no line
    child.sendline("/nick carol2")
    child.expect("Hello, carol2", timeout=15)
    assert "is taken" not in (child.before or "")
    child.sendline("it is me")
    assert impostor.expect("message", text="it is me")["from"] == "carol2"


def test_a_long_message_is_cut_to_fit_and_a_long_command_is_given_back(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    watcher = server.user("watcher")
    child = chatting(server.port, clients, "dana")
    watcher.expect("join", name="dana")
    words = " ".join(f"palavra{n}" for n in range(300))  # 3 189 bytes: over 2 048
    child.sendline(words)
    said = [watcher.expect("message")["text"] for _ in range(2)]
    assert all(len(text.encode()) <= 2048 for text in said)
    assert " ".join(said) == words  # cut at a space, nothing lost
    child.sendline("/me " + "x" * 2100)
    child.expect("Not sent: that command is 2104 bytes")
    child.sendline("")  # Enter: the line given back is sent again, and refused again
    child.expect("Not sent: that command is 2104 bytes")
    child.send("\x01\x0b")  # Ctrl-A, Ctrl-K: the line given back is cleared
    child.sendline("/me waves")
    assert watcher.expect("action")["text"] == "waves"
    assert [e["type"] for e in watcher.quiet()] == []


def test_portuguese(server: ServerProcess, clients: list[pexpect.spawn]) -> None:
    child = spawn_client(server.port, "--lang", "pt_BR")
    clients.append(child)
    child.expect("Seu nome: ")
    child.sendline("ana")
    child.expect("usuário online")
    child.sendline("/private ninguem oi")
    child.expect("não está online")


def test_cursor_position_survives_incoming_messages(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    child = chatting(server.port, clients, "carol")
    alice.expect("join")
    child.send("helo")
    child.expect("helo")
    child.send("\x1b[D")  # cursor one to the left: "hel|o"
    alice.send("meanwhile")
    child.expect("meanwhile")
    child.expect("> helo")
    child.sendline("l")  # typed where the cursor was left
    assert alice.expect("message", text="hello")["from"] == "carol"


def test_refused_name_says_why_and_asks_again(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.sendline("root")
    child.expect("reserved")
    child.expect("name: ")
    child.sendline("dana")
    child.expect("Hello, dana")


def test_enter_alone_at_the_name_prompt_asks_again(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.sendline("")  # the server ignores an empty line: waiting for its answer hung here
    child.expect("name: ")
    child.sendline("   ")
    child.expect("name: ")
    child.sendline("dana")
    child.expect("Hello, dana")


def test_commands_at_the_name_prompt_are_answered_and_the_name_asked_again(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.sendline("/help")  # the server answers with help, which the wait for a name dropped
    child.expect("/whois NAME")
    child.expect("name: ")
    for command in ("/online", "/format text"):  # /format would make the client deaf
        child.sendline(command)
        child.expect("choose a name first")
        child.expect("name: ")
    child.sendline("dana")
    child.expect("Hello, dana")
    child.sendline("/online")
    child.expect("1 user online: dana")


def test_format_and_resume_are_the_clients_own_and_left_out_of_its_help(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    child = spawn_client(server.port, "--name", "dana")
    clients.append(child)
    child.expect("Hello, dana")
    child.sendline("/FORMAT text")  # it would make the client deaf
    child.expect("/format is for programs")
    child.sendline("/resume abc 12")
    child.expect("resumes by itself")
    child.sendline("/online")
    child.expect("1 user online: dana")  # still reading the server's JSON, still dana
    child.sendline("/help")
    child.expect("Commands:")
    child.expect("Rooms: ")
    listed = child.before
    assert "/whois NAME" in listed and "/format" not in listed and "/resume" not in listed
    child.sendline("/help resume")  # asked by name, still explained
    child.expect("/resume TOKEN LAST_ID")


def test_quit_at_the_name_prompt_leaves_with_status_0(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    assert "closed the connection" not in (child.before or "")
    child.close()
    assert child.exitstatus == 0


def test_nothing_at_the_address_asks_where_the_server_is(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    nobody = free_port()  # nothing listens there
    child = spawn_client(nobody)
    clients.append(child)
    child.expect(f"cannot connect to 127.0.0.1:{nobody}: connection refused")
    child.expect("Server address \\(HOST or HOST:PORT; Enter alone to leave\\): ")
    child.sendline("127.0.0.1:abc")
    child.expect("not a port after the colon: 127.0.0.1:abc")
    child.expect("Server address")
    child.sendline(f"127.0.0.1:{server.port}")  # as the server prints it
    child.expect("name: ")
    child.sendline("dora")
    child.expect("Hello, dora!")
    watcher = server.user("watcher")
    child.sendline("found it")
    assert watcher.expect("message", text="found it")["from"] == "dora"


def test_enter_alone_at_the_address_prompt_leaves(clients: list[pexpect.spawn]) -> None:
    child = spawn_client(free_port())
    clients.append(child)
    child.expect("Server address")
    child.sendline("")
    child.expect("no server to connect to")
    assert exit_status(child) == 2


def test_works_without_readline(
    server: ServerProcess, clients: list[pexpect.spawn], tmp_path: Path
) -> None:
    """As on a Python built without readline: plainer editing, same chat."""
    (tmp_path / "readline.py").write_text("raise ImportError('no readline here')\n")
    alice = server.user("alice")
    child = spawn_client(server.port, env={"PYTHONPATH": str(tmp_path)})
    clients.append(child)
    child.expect("name: ")
    child.sendline("plain")
    child.expect("Hello, plain")
    alice.send("hi from alice")
    child.expect("hi from alice")
    child.sendline("hi alice")
    assert alice.expect("message", text="hi alice")["from"] == "plain"
    child.sendline("/quit")
    assert exit_status(child) == 0


def test_leaving_at_the_name_prompt_ends_the_line(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    for key in ("\x04", "\x03"):
        child = spawn_client(server.port)
        clients.append(child)
        child.expect("name: ")
        child.send(key)
        assert exit_status(child) == 0
        after_prompt = (child.before or "").rsplit("name: ", 1)[-1]
        assert after_prompt.replace("^D", "").replace("^C", "").strip(" ") in ("\r\n", "\n")


class SmallTerminal:
    """carol's client in a terminal of ``rows`` by ``columns``, with alice (a line client)
    beside her, and what the terminal shows (drawn by pyte from everything it was sent)."""

    def __init__(
        self,
        server: ServerProcess,
        clients: list[pexpect.spawn],
        rows: int,
        columns: int,
        env: dict[str, str] | None = None,
    ) -> None:
        self.rows, self.columns = rows, columns
        self.alice = server.user("alice")
        self.child = spawn_client(
            server.port, "--name", "carol", dimensions=(rows, columns), env=env
        )
        clients.append(self.child)
        self.shown = io.StringIO()
        self.child.logfile_read = self.shown
        self.child.expect("Hello, carol")
        self.alice.expect("join")

    def resize(self, rows: int, columns: int) -> None:
        """The window resized (SIGWINCH). What the client draws from then on is read at the
        new size; so is what came before (the greeting), which the tests do not look at."""
        self.child.setwinsize(rows, columns)
        self.rows, self.columns = rows, columns

    def display(self) -> list[str]:
        screen = pyte.Screen(self.columns, self.rows)
        pyte.Stream(screen).feed(self.shown.getvalue())
        return [line.rstrip() for line in screen.display if line.strip()]

    def settle(self, done: Callable[[], bool]) -> list[str]:
        """The display once ``done`` (what is awaited may come in several writes), or after
        5 s."""
        deadline = time.monotonic() + 5
        while not done() and time.monotonic() < deadline:
            with contextlib.suppress(pexpect.TIMEOUT):
                self.child.expect(".+", timeout=0.2)
        return self.display()


# An exported COLUMNS goes stale when the window is resized: the terminal's own size counts.
@pytest.mark.parametrize("environ", [{}, {"COLUMNS": "80", "LINES": "50"}], ids=["", "stale"])
def test_a_typed_line_longer_than_the_terminal_is_not_copied_into_the_chat(
    server: ServerProcess, clients: list[pexpect.spawn], environ: dict[str, str]
) -> None:
    terminal = SmallTerminal(server, clients, rows=20, columns=40, env=environ)
    a_long_typed_line_is_drawn_once_below_what_arrives(terminal)


def test_a_window_narrowed_under_an_exported_columns_is_drawn_by_its_new_width(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    terminal = SmallTerminal(server, clients, rows=20, columns=80, env={"COLUMNS": "80"})
    terminal.resize(rows=20, columns=40)
    a_long_typed_line_is_drawn_once_below_what_arrives(terminal)


def test_the_clients_own_sentences_wrap_between_words_under_their_indent(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    """What the client says itself is wrapped as the chat's lines are: left to the terminal,
    /help's row for /query broke inside a word and went on at the very left."""
    terminal = SmallTerminal(server, clients, rows=40, columns=60)
    terminal.child.sendline("/help")
    terminal.child.expect("This client also has:")
    lines = terminal.settle(lambda: any("own)" in line for line in terminal.display()))
    start = next(n for n, line in enumerate(lines) if line.startswith("  /query NAME  talk"))
    continued = lines[start + 1 : start + 3]
    assert all(line.startswith(" " * 15) for line in continued), "\n".join(lines)
    words = " ".join(line.strip() for line in [lines[start], *continued])
    assert words.endswith("until /query alone (this client's own)"), "\n".join(lines)
    terminal.child.sendline("/query")  # nothing to end: how it is used, wrapped as well
    terminal.child.expect("until /query alone")
    lines = terminal.settle(lambda: sum("own)" in line for line in terminal.display()) == 2)
    assert sum(line.startswith(" " * 15) and "own)" in line for line in lines) == 2, lines


def a_long_typed_line_is_drawn_once_below_what_arrives(terminal: SmallTerminal) -> None:
    """A line typed over two rows, while three messages arrive: it is drawn again below each,
    and no row of it is left above them."""
    child, alice, columns = terminal.child, terminal.alice, terminal.columns
    typed = "abcdefghij" * 7  # 70 characters: with the prompt, two rows of 40
    child.send(typed)
    child.expect("hij\\s*$")
    for number in range(3):
        alice.send(f"message {number}")
        child.expect(f"message {number}")
    prompt = "#lobby> "  # the current room's
    drawn = [(prompt + typed)[:columns], (prompt + typed)[columns:]]
    # The line being typed, drawn again below the messages.
    lines = terminal.settle(lambda: terminal.display()[-2:] == drawn)
    assert [line for line in lines if "message" in line][-1].endswith("message 2")
    assert sum(line.startswith(prompt + "abcdefghij") for line in lines) == 1, lines
    assert lines[-2:] == drawn, lines


def test_rows_filled_exactly_and_wide_characters_leave_the_screen_whole(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    terminal = SmallTerminal(server, clients, rows=30, columns=40)
    child, alice = terminal.child, terminal.alice
    # With the prompt "#lobby> ": one row and two rows filled to the last column; then
    # characters two columns wide, typed and received (a count of characters says 34 and 38).
    said = ["x" * 32, "y" * 72, "emoji " + "\U0001f600" * 20]
    heard = "\u65e5\u672c\u8a9e" * 10

    def messages() -> list[str]:
        """Each message on the screen, its rows put together (the spaces at breaks dropped)."""
        found: list[str] = []
        for line in terminal.display():
            if re.match(r"\d\d:\d\d <\w+> ", line):
                found.append(line.split("> ", 1)[1])
            elif line.startswith(" " * 12) and found:
                found[-1] += line.strip()
        return found

    for text in said:
        child.sendline(text)
        alice.expect("message", text=text)
    alice.send(heard)

    def prompts() -> list[str]:
        return [line for line in terminal.display() if line.startswith("#lobby>")]

    expected = [text.replace(" ", "") for text in (*said, heard)]
    # The prompt is drawn again after the last message, in a write of its own: wait for both.
    lines = terminal.settle(lambda: messages() == expected and prompts() == ["#lobby>"])
    assert messages() == expected, lines
    assert "Hello, carol!" in lines[0] and lines[1] == " " * 6 + "the commands. 2 users online:"
    assert [line for line in lines if line.startswith("#lobby>")] == ["#lobby>"], lines
    wrapped = [line for line in lines if line.startswith(" " * 12)]
    assert all(len(line) + line.count("\U0001f600") + 2 * line.count("\u65e5") <= 40
               for line in wrapped)  # fmt: skip


def test_no_name_in_time_is_said_at_once_at_the_prompt(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server("--registration-timeout", "1")
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("name: ")
    child.expect("No name was given in time", timeout=5)  # without pressing Enter
    child.expect(pexpect.EOF, timeout=5)
    child.close()
    assert child.exitstatus == 1
    assert "name: " not in (child.before or "")  # not asked again on a closed connection


def test_rooms_show_in_the_prompt_and_in_colour_and_complete_with_tab(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    alice = server.user("alice")
    alice.send("/join #dev")
    alice.expect("joined")
    child = chatting(server.port, clients, "carol")
    child.expect("#lobby> ")
    child.sendline("/rooms")
    child.expect("#dev")
    child.send("/jo\t")
    child.expect("/join ")
    child.send("#d\t")
    child.expect("#dev ")
    child.sendline("")
    child.expect("You are now talking in #dev")
    child.expect("#dev> ")  # the prompt names the new current room
    alice.expect("join", name="carol", room="#dev")
    alice.send("/msg #lobby over in the lobby")
    child.expect(r"\[#lobby\]")
    assert ESCAPE + "[" in child.before.splitlines()[-1]  # the room's tag in its colour
    child.expect("over in the lobby")
    alice.send("here in dev")
    child.expect("here in dev")
    assert "[#dev]" not in child.before  # the current room's lines carry no tag
    child.sendline("hello dev")
    message = alice.expect("message", text="hello dev")
    assert message["room"] == "#dev" and message["from"] == "carol"
    child.sendline("/part")
    child.expect("You are now talking in #lobby")
    child.expect("#lobby> ")


def test_query_talks_to_one_person_until_query_alone(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    child = chatting(server.port, clients, "carol")
    ana.expect("join", name="carol")
    bob.expect("join", name="carol")
    child.send("/que\t")  # the client's own command completes as the server's do
    child.expect("/query ")
    child.sendline("ana")
    child.expect("Talking to ana alone")
    child.expect("@ana> ")
    child.sendline("just between us")
    private = ana.expect("private")
    assert (private["from"], private["text"]) == ("carol", "just between us")
    child.sendline("/me waves")  # commands are still commands: this one for the room
    assert bob.expect("action")["text"] == "waves"
    child.sendline("//etc/hosts is the file")  # a message that starts with a slash
    assert ana.expect("private")["text"] == "/etc/hosts is the file"
    child.sendline("/query")
    child.expect("Talking in #lobby again")
    child.expect("#lobby> ")
    child.sendline("for everyone")
    assert bob.expect("message")["text"] == "for everyone"
    assert ana.expect("message")["text"] == "for everyone"
    assert [e["type"] for e in bob.quiet()] == []  # bob never saw the privates


def test_a_query_follows_a_rename_and_ends_when_the_person_leaves(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    child = chatting(server.port, clients, "carol")
    bob.expect("join", name="carol")
    child.sendline("/query ANA")  # names compare as the server compares them
    child.expect("@ANA> ")
    ana.send("/nick anabel")
    child.expect("@anabel> ")
    child.sendline("still there?")
    assert ana.expect("private")["text"] == "still there?"
    ana.send("/quit")
    child.expect(r"anabel left the chat\. Talking in #lobby again\.")
    child.expect("#lobby> ")
    child.sendline("she left")
    assert bob.expect("message")["text"] == "she left"
    child.sendline("/query bob")
    child.expect("@bob> ")
    child.sendline("/join #dev")  # a room chosen: lines go there
    child.expect("No longer talking to bob alone")
    child.expect("#dev> ")
    child.sendline("/query")
    child.expect("/query NAME")  # nothing to end: how it is used
    child.sendline("/help query")  # the server knows it not: the client explains it
    child.expect("plain lines go to NAME in private")
    child.sendline("/help")
    child.expect("This client also has:")
    child.expect("/query NAME")


def test_a_chat_with_a_password_asks_for_it_unseen_before_the_name(
    start_server: StartServer, tmp_path: Path, clients: list[pexpect.spawn]
) -> None:
    secret = chat_password_file(tmp_path, "open sesame")
    server = start_server("--password-file", str(secret))
    child = spawn_client(server.port)
    clients.append(child)
    child.expect("Password: ")
    child.sendline("open says me")
    child.expect("wrong password")
    child.expect("Password: ")
    child.sendline("open sesame")
    child.expect("Your name: ")
    assert "open se" not in child.before  # typed twice, shown never
    child.sendline("dana")
    child.expect("Hello, dana")
    child.sendline("/quit")
    assert exit_status(child) == 0


def test_the_password_typed_once_is_given_again_on_reconnecting_and_a_new_one_is_asked(
    start_server: StartServer, tmp_path: Path, clients: list[pexpect.spawn]
) -> None:
    secret = chat_password_file(tmp_path, "open sesame")
    server = start_server("--password-file", str(secret))
    port = server.port
    child = spawn_client(port, "--name", "carol", "--reconnect")
    clients.append(child)
    child.expect("Password: ")
    child.sendline("open sesame")
    child.expect("Hello, carol")
    server.stop()  # no --store: no resume, a newcomer again, with the password again
    child.expect("reconnecting")
    again = start_server("--port", str(port), "--password-file", str(secret))
    child.expect("Hello, carol", timeout=15)
    assert "Password: " not in (child.before or "")  # not asked: given
    again.stop()
    chat_password_file(tmp_path, "a new secret")
    renewed = start_server("--port", str(port), "--password-file", str(secret))
    child.expect("The chat asks for its password again", timeout=15)
    child.expect("Type /pass to give the chat's password")
    time.sleep(2)  # it waits for one: the old one is not tried again and again
    assert renewed.log().count("wrong chat password") == 1
    child.sendline("/pass")
    child.expect("Password: ")
    child.sendline("not it either")
    child.expect("wrong password")
    child.expect("Type /pass")
    child.sendline("/pass")
    child.expect("Password: ")
    child.sendline("a new secret")
    child.expect("Hello, carol", timeout=15)
    assert "a new secret" not in (child.before or "") and "not it" not in (child.before or "")
    child.sendline("/quit")
    assert exit_status(child) == 0


def test_a_chats_own_certificate_is_trusted_once_asked_and_only_that_one_after(
    start_server: StartServer, tmp_path: Path, clients: list[pexpect.spawn]
) -> None:
    certificate = issue_certificate(tmp_path)  # by nobody's authority: as a chat's own is
    server = start_server(*certificate.server_args)
    [printed] = [line for line in server.printed_after_start() if "SHA-256" in line]
    fingerprint = printed.split(": ", 1)[1]
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    known = tmp_path / "config" / "papo" / "known_servers"
    arrivals = re.compile(r"papo\.server: connection \d+ from ")
    connections = len(arrivals.findall(server.log()))
    piped = run_client("--port", str(server.port), "--tls", "--name", "bot", stdin="hi\n", env=env)
    assert piped.returncode == 2 and "--tls-fingerprint" in piped.stderr  # nobody to ask
    # Its one try: the certificate is not looked at a second time when nobody is asked.
    assert len(arrivals.findall(server.log())) == connections + 1
    refused = spawn_client(server.port, "--tls", "--name", "dana", env=env)
    clients.append(refused)
    refused.expect(r"Trust it from now on\? \[y/N\] ")
    assert fingerprint in refused.before  # to compare with what the server printed
    refused.sendline("n")
    refused.expect(r"TLS with 127\.0\.0\.1:\d+ failed")
    assert exit_status(refused) == 2 and not known.exists()
    child = spawn_client(server.port, "--tls", "--name", "dana", env=env)
    clients.append(child)
    child.expect(r"Trust it from now on\? \[y/N\] ")
    child.sendline("y")
    child.expect("Hello, dana")
    child.sendline("/quit")
    assert exit_status(child) == 0
    assert known.read_text() == f"127.0.0.1:{server.port} {fingerprint}\n"
    failed = server.log().count("TLS handshake with")
    piped = run_client("--port", str(server.port), "--tls", "--name", "bot", stdin="hi\n", env=env)
    assert piped.returncode == 0 and "<bot> hi" in piped.stdout, piped.stderr  # not asked
    # The one trusted is checked first: no handshake against the machine's CAs fails first,
    # at every start, in the server's log.
    assert server.log().count("TLS handshake with") == failed
    other = ":".join(["00"] * 32)  # as if another certificate had been trusted
    known.write_text(f"127.0.0.1:{server.port} {other}\n")
    connections = len(arrivals.findall(server.log()))
    changed = run_client("--port", str(server.port), "--tls", "--name", "eve", env=env)
    assert changed.returncode == 2
    # The pinned try and the CAs': the pin is not tried a second time to say it changed, nor
    # the certificate looked at again (the pinned try read it).
    assert len(arrivals.findall(server.log())) == connections + 2
    assert f"not the one trusted for it (in {known})" in changed.stderr
    assert fingerprint in changed.stderr


def test_a_server_trusted_before_whose_new_certificate_a_ca_vouches_for_is_let_in(
    start_server: StartServer, tmp_path: Path
) -> None:
    """Trusted once for its own certificate, the chat now has one from an authority this
    machine trusts (SSL_CERT_FILE stands for the system's): what the authority vouches for
    is taken, as it was before any was trusted; one it does not is refused."""
    authority = trustme.CA()
    cert_file, key_file, ca_file = (tmp_path / name for name in ("c.pem", "k.pem", "ca.pem"))
    certificate = authority.issue_cert("127.0.0.1")
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(ca_file))
    server = start_server("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    known = tmp_path / "config" / "papo" / "known_servers"
    known.parent.mkdir(parents=True)
    known.write_text(f"127.0.0.1:{server.port} {':'.join(['00'] * 32)}\n")  # an old one
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "SSL_CERT_FILE": str(ca_file)}
    args = ("--port", str(server.port), "--tls", "--name", "bot")
    vouched = run_client(*args, stdin="hi\n", env=env)
    assert vouched.returncode == 0 and "<bot> hi" in vouched.stdout, vouched.stderr
    unknown = run_client(*args, stdin="hi\n", env={**env, "SSL_CERT_FILE": str(tmp_path)})
    assert unknown.returncode == 2 and "not the one trusted for it" in unknown.stderr


def test_a_paste_of_many_lines_is_shown_whole_and_in_order(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    """Thirty lines pasted at once, while alice's lines arrive too: the client reads them while
    their echoes come back from the server; each line is shown once, whole, in order, and the
    prompt is drawn once, at the end."""
    terminal = SmallTerminal(server, clients, rows=70, columns=80)
    terminal.child.expect_exact("#lobby> ")  # pasted once the prompt is there, as a person does
    pasted = [f"pasted line {number:02}" for number in range(30)]
    heard = [f"heard line {number:02}" for number in range(16)]
    for line in heard[:8]:
        terminal.alice.send(line)
    terminal.child.send("".join(line + "\r" for line in pasted))
    for line in heard[8:]:
        terminal.alice.send(line)
    for line in pasted:
        terminal.alice.expect("message", text=line)

    def said(lines: list[str], name: str) -> list[str]:
        return [line.split("> ", 1)[1] for line in lines if re.match(rf"\d\d:\d\d <{name}> ", line)]

    lines = terminal.settle(
        lambda: (
            len(said(terminal.display(), "alice")) == len(heard)
            and "pasted line 29" in "".join(terminal.display()[-3:])
        )
    )
    assert said(lines, "carol") == pasted, "\n".join(lines)
    assert said(lines, "alice") == heard, "\n".join(lines)
    assert lines[-1] == "#lobby>", lines
    assert sum("#lobby>" in line for line in lines) == 1, lines


def test_lines_pasted_in_a_terminal_are_sent_each_as_typed_and_leave_no_copy(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    """A terminal brackets a paste (ESC [200~ ... ESC [201~) and readline holds its lines as one
    text until Enter. A line that arrives meanwhile is shown above them; after Enter each line
    goes out as if typed alone (a command too), and the pasted copy is gone from the screen,
    every row of it."""
    terminal = SmallTerminal(server, clients, rows=30, columns=40)
    child, alice = terminal.child, terminal.alice
    child.expect_exact("#lobby> ")
    pasted = ["first", "x" * 32, "/me waves"]  # the second fills its row: readline adds one
    child.send("\x1b[200~" + "\r".join(pasted) + "\x1b[201~")
    child.expect_exact("/me waves")
    alice.send("while it waits")
    child.expect_exact("while it waits")
    waiting = ["#lobby> first", "x" * 32, "/me waves"]  # and a blank row (not listed)
    lines = terminal.settle(lambda: terminal.display()[-3:] == waiting)
    assert lines[-3:] == waiting and lines[-4].endswith("<alice> while it waits"), lines
    child.send("\r")
    assert alice.expect("message", text="first")["from"] == "carol"
    alice.expect("message", text="x" * 32)
    alice.expect("action", text="waves")
    lines = terminal.settle(lambda: terminal.display()[-2:] == ["* carol waves", "#lobby>"])
    after = next(at for at, line in enumerate(lines) if "while it waits" in line)
    shown = [re.sub(r"^\d\d:\d\d ", "", line) for line in lines[after:]]
    assert shown[:2] == ["<alice> while it waits", "<carol> first"], lines
    assert shown[-2:] == ["* carol waves", "#lobby>"], lines
    assert shown[2].startswith("<carol> xx") and "".join(shown).count("x") == 32, lines
    assert not any("/me" in line for line in shown), lines  # no row of the pasted copy
    child.send("\x1b[200~last words\r/quit bye all\x1b[201~\r")  # the client's own /quit
    alice.expect("message", text="last words")
    assert alice.expect("leave", name="carol")["text"] == "bye all"
    assert exit_status(child) == 0


def test_a_typed_line_that_fills_its_row_is_drawn_once_when_a_message_arrives(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    """With the prompt, 40 characters typed in 40 columns: readline puts its cursor on the next
    row. Clearing from there left the typed row above the message, drawn twice."""
    terminal = SmallTerminal(server, clients, rows=30, columns=40)
    child, alice = terminal.child, terminal.alice
    child.expect_exact("#lobby> ")
    child.send("x" * 32)
    child.expect_exact("x" * 32)
    alice.send("arrives")
    child.expect_exact("arrives")
    lines = terminal.settle(lambda: terminal.display()[-1] == "#lobby> " + "x" * 32)
    assert [line for line in lines if "xxx" in line] == ["#lobby> " + "x" * 32], lines
    assert lines[-2].endswith("<alice> arrives"), lines


def test_a_password_typed_for_oper_is_kept_out_of_the_line_history(
    server: ServerProcess, clients: list[pexpect.spawn]
) -> None:
    """Up brings back what was typed before, but not ``/oper PASSWORD`` (nor a paste with
    it in): anyone near the keyboard could read it there."""
    alice = server.user("alice")
    carol = chatting(server.port, clients, "carol")
    alice.expect("join", name="carol")
    carol.send("said before\r")
    alice.expect("message", text="said before")
    carol.send("/oper hunter2 is my password\r")
    carol.expect("no operators")  # this server has none: the line did reach it
    carol.send(ESCAPE + "[A")  # Up: the line before it, not the password
    carol.send("\r")
    assert alice.expect("message")["text"] == "said before"
    carol.send(ESCAPE + "[A" + ESCAPE + "[A" + "\r")  # and nothing above that but it
    assert alice.expect("message")["text"] == "said before"


def test_an_oper_line_kept_for_after_an_outage_is_shown_without_its_password(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server()
    port = server.port
    child = chatting(port, clients, "carol", "--reconnect")
    server.stop()
    child.expect("reconnecting")
    child.send("/oper hunter2-hunter2\r")
    child.expect_exact("Not connected: this line will be sent once back: /oper ********")
    assert start_server("--port", str(port)).port == port
    child.expect("Hello, carol", timeout=15)
    child.expect("this server has no operators")  # sent once back, as it said
    assert "hunter2" not in child.before
