"""The client's part of a chat password, over real connections to a real server started with
``--password-file``: what is given, asked for, said, and when the client gives up. The
screen is a stand-in that types what a test gives it and keeps what it is told (the real
screen, in a pseudo-terminal, is in ``test_terminal`` and ``test_piped``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papo.client.chat_password import ChatPassword
from papo.client.link import Address, Link
from papo.protocol.events import Error, ErrorCode, Event, Welcome
from tests.conftest import StartServer
from tests.server.test_chat_password import chat_password_file
from tests.support import ServerProcess

RIGHT = "open sesame"


class Screen:
    """Types ``typed`` in turn when asked for a secret (EOFError when none is left), and
    keeps what it is told."""

    def __init__(self, *typed: str) -> None:
        self.typed = list(typed)
        self.asked = 0
        self.said: list[str] = []
        self.complaints: list[str] = []
        self.shown: list[Event] = []

    def ask_secret(self, prompt: str) -> str:
        assert prompt == "Password: "
        self.asked += 1
        if not self.typed:
            raise EOFError
        return self.typed.pop(0)

    def say_dim(self, text: str) -> None:
        self.said.append(text)

    def complain(self, text: str) -> None:
        self.complaints.append(text)

    def show(self, event: Event) -> None:
        self.shown.append(event)


def wrong_password(event: Event) -> bool:
    return isinstance(event, Error) and event.code is ErrorCode.WRONG_PASSWORD


@contextmanager
def linked(server: ServerProcess) -> Iterator[Link]:
    link = Link(Address(host="127.0.0.1", port=server.port), "en")
    try:
        hello = link.start()
        assert hello.password
        yield link
    finally:
        link.close()


def password_chat(start_server: StartServer, tmp_path: Path) -> ServerProcess:
    return start_server("--password-file", str(chat_password_file(tmp_path, RIGHT)))


def test_at_a_terminal_it_is_asked_until_right_and_kept(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_chat(start_server, tmp_path)
    screen = Screen("", "open sesam", RIGHT)  # Enter alone is asked again, not sent
    password = ChatPassword(None, screen, str, interactive=True)
    with linked(server) as link:
        assert password.let_in(link)
        assert isinstance(link.register("ana"), Welcome)
    assert screen.asked == 3 and password.password == RIGHT
    assert [wrong_password(event) for event in screen.shown] == [True]
    assert server.log().count("wrong chat password") == 1


def test_piped_without_one_it_says_how_to_give_it_and_sends_nothing(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_chat(start_server, tmp_path)
    screen = Screen()
    with linked(server) as link:
        assert not ChatPassword(None, screen, str, interactive=False).let_in(link)
    assert screen.asked == 0
    assert screen.complaints == [
        "papo: this chat asks for a password: give it with --password-file FILE or PAPO_PASSWORD."
    ]
    assert "wrong chat password" not in server.log()


def test_refused_on_coming_back_it_is_not_tried_again_until_pass_gives_another(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_chat(start_server, tmp_path)
    screen = Screen("open sesam")
    password = ChatPassword("the old one", screen, str, interactive=True)
    with linked(server) as link:
        assert not password.let_in_again(link)  # changed during the outage
        assert password.wanted.is_set() and password.password is None
        assert not password.let_in_again(link)  # nothing to give: said once per outage
    assert screen.said == [
        "The chat asks for its password again: it changed, or the server asks for one "
        "since it restarted.",
        "Type /pass to give the chat's password, or /quit to leave.",
    ]
    assert server.log().count("wrong chat password") == 1

    password.typed("/pass")  # asked unseen: a wrong one
    assert not password.wanted.is_set() and password.password == "open sesam"
    with linked(server) as link:
        assert not password.let_in_again(link)
    assert wrong_password(screen.shown[-1]) and password.wanted.is_set()
    assert screen.said[-1] == "Type /pass to give the chat's password, or /quit to leave."

    password.typed(f"/pass {RIGHT}")  # given whole, as the server would take it
    with linked(server) as link:
        assert password.let_in_again(link)
    assert not password.ended

    password.new_outage()
    password.password = None  # a restarted chat asks again: said again in the new outage
    with linked(server) as link:
        assert not password.let_in_again(link)
    assert screen.said[-2].startswith("The chat asks for its password again")


def test_pass_with_nothing_typed_only_says_how_and_the_wait_goes_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_chat(start_server, tmp_path)
    screen = Screen()  # Ctrl-D at the prompt
    password = ChatPassword("the old one", screen, str, interactive=True)
    with linked(server) as link:
        assert not password.let_in_again(link)
    password.typed("/pass")
    assert password.wanted.is_set() and password.password is None
    assert screen.said[-1] == "Type /pass to give the chat's password, or /quit to leave."

    quitting = threading.Event()
    typist = threading.Timer(0.2, password.typed, args=(f"/pass {RIGHT}",))
    typist.start()
    assert password.wait(quitting)  # until /pass gives one
    typist.join()
    with linked(server) as link:
        assert not password.wanted.is_set() and password.let_in_again(link)

    password.wanted.set()
    quitting.set()
    assert not password.wait(quitting)  # /quit while waiting


def test_piped_a_refusal_on_coming_back_ends_the_client_and_says_how_to_give_another(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_chat(start_server, tmp_path)
    screen = Screen()
    password = ChatPassword("the old one", screen, str, interactive=False)
    with linked(server) as link:
        assert not password.let_in_again(link)
    assert password.ended and not password.wait(threading.Event())
    assert screen.complaints == [
        "papo: the chat's password was refused (it changed, or is asked for since the "
        "server restarted): give the new one with --password-file FILE or PAPO_PASSWORD."
    ]
    assert screen.asked == 0 and not screen.said
