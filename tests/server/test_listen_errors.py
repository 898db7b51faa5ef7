"""A port that cannot be listened on: one line that names the address and the way out, from a
real server process, and each cause worded by ``explain_listen_error``."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys

import pytest

from papo.server.listen import explain_listen_error
from tests.conftest import StartServer
from tests.support import ROOT


def start_refused(*args: str) -> str:
    """What ``python servidor.py ARGS`` says when it cannot start (it must exit 1)."""
    result = subprocess.run(
        [sys.executable, "servidor.py", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=20,
    )  # fmt: skip
    assert result.returncode == 1 and not result.stdout
    return result.stderr


def test_a_port_in_use_is_named_with_what_to_do(start_server: StartServer) -> None:
    running = start_server()
    said = start_refused("--host", "127.0.0.1", "--port", str(running.port))
    assert said == (
        f"papo-server: cannot listen: 127.0.0.1:{running.port} is in use: another server"
        " listens there (stop it, or pick another port)\n"
    )
    irc = start_refused("--host", "127.0.0.1", "--port", "0", "--irc-port", str(running.port))
    assert f"127.0.0.1:{running.port} is in use" in irc
    portuguese = start_refused(
        "--host", "127.0.0.1", "--port", str(running.port), "--lang", "pt_BR"
    )
    assert portuguese == (
        f"papo-server: não é possível escutar: 127.0.0.1:{running.port} está em uso: outro"
        " servidor escuta ali (pare-o, ou escolha outra porta)\n"
    )


def test_an_address_of_another_machine_is_named() -> None:
    said = start_refused("--host", "198.51.100.77", "--port", "0")  # TEST-NET-2: nobody's
    assert said == "papo-server: cannot listen: 198.51.100.77 is not an address of this machine\n"


@pytest.mark.parametrize(
    ("cause", "host", "port", "expected"),
    [
        (OSError(errno.EACCES, "Permission denied"), "0.0.0.0", 80,
         "0.0.0.0:80: permission denied (ports below 1024 need root; the default is 12345)"),
        (OSError(errno.EACCES, "Permission denied"), "::", 5000, "[::]:5000: Permission denied"),
        (OSError(errno.EADDRINUSE, "Address in use"), "::1", 7,
         "[::1]:7 is in use: another server listens there (stop it, or pick another port)"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "chat.invalid", 1,
         "chat.invalid: no such address or host name"),
    ],
)  # fmt: skip
def test_each_cause_is_worded(cause: OSError, host: str, port: int, expected: str) -> None:
    assert explain_listen_error(cause, host, port) == expected


def test_each_cause_is_worded_in_the_servers_language() -> None:
    denied = OSError(errno.EACCES, "Permission denied")
    assert explain_listen_error(denied, "0.0.0.0", 80, "pt_BR") == (
        "0.0.0.0:80: permissão negada (portas abaixo de 1024 exigem root; o padrão é 12345)"
    )
    missing = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert explain_listen_error(missing, "chat.invalid", 1, "pt_BR") == (
        "chat.invalid: não existe esse endereço ou nome de máquina"
    )
