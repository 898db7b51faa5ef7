"""Which Pythons papo runs on: 3.10 and newer, from a fresh clone with the standard library
alone; an older one is told so in words, by the first file of papo it reads.

The other interpreters are real ones where this machine has them (``python3.N`` on the path,
or pyenv's): the server and the client run under 3.10, 3.12, 3.13, 3.14 and 3.15 as the manual has
them used, and 3.6 to 3.9 are each told what they lack. Where one is not installed, its tests
are skipped.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest

from papo import too_old
from tests.conftest import StartServer
from tests.support import ROOT


def installed_python(minor: int) -> str | None:
    """A CPython 3.``minor`` of this machine: pyenv's, or ``python3.minor`` on the path (not
    through pyenv's shims, which answer only for the version pyenv has selected)."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for found in sorted(versions.glob(f"3.{minor}.*/bin/python3.{minor}"), reverse=True):
        return str(found)
    on_path = shutil.which(f"python3.{minor}")
    return on_path if on_path and "/shims/" not in on_path else None


def stdlib_only(python: str, script: str, *flags: str) -> list[str]:
    """``script`` of this clone run by ``python`` with nothing but its standard library:
    isolated (no PYTHONPATH, no user's site) and without site-packages (-S)."""
    return [python, "-I", "-S", *flags, str(ROOT / script)]


# What a newer Python deprecates is removed two versions later: papo's use of it fails here
# first, not on its users' next Python (3.14 deprecated asyncio's policies, which papo
# subclassed for 3.10 as its module was imported).
DEPRECATIONS_FAIL = ("-W", "error::DeprecationWarning")


def run_in(language: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """``command`` run to its end with ``language`` as the locale (``LANG``), its output kept."""
    environ = {**os.environ, "LANG": language, "LC_ALL": ""}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=30, env=environ, check=False
    )


OLDEST = installed_python(10)
# Beside the 3.11 the tests run on: the oldest papo runs on, and the newer ones (Debian 13's
# python3 is 3.13), each where this machine has it.
OTHERS = {minor: installed_python(minor) for minor in (10, 12, 13, 14, 15)}
TOO_OLD = {minor: installed_python(minor) for minor in range(6, 10)}


def test_a_python_older_than_3_10_is_named_in_the_locales_language() -> None:
    assert too_old(3, 9, {"LANG": "en_US.UTF-8"}) == (
        "papo needs Python 3.10 or newer; this is Python 3.9."
    )
    assert too_old(3, 8, {"LANG": "pt_BR.UTF-8"}) == (
        "papo precisa do Python 3.10 ou mais novo; este é o Python 3.8."
    )
    assert too_old(3, 9, {"LC_ALL": "C", "LANG": "pt_BR.UTF-8"}) == (
        "papo needs Python 3.10 or newer; this is Python 3.9."
    )  # LC_ALL comes first, as for gettext


@pytest.mark.parametrize(("major", "minor"), [(3, 10), (3, 11), (3, 12), (3, 14), (4, 0)])
def test_3_10_and_newer_pass(major: int, minor: int) -> None:
    assert too_old(major, minor, {}) is None


@pytest.mark.parametrize("path", ["src/papo/__init__.py", "servidor.py", "client.py"])
def test_what_an_old_python_reads_first_is_written_for_it(path: str) -> None:
    # No f-string, walrus, match or the like where a Python 3.4 to 3.9 would stumble on them
    # before it could be told what it lacks.
    ast.parse((ROOT / path).read_text(encoding="utf-8"), feature_version=(3, 4))


@pytest.mark.parametrize("script", ["servidor.py", "client.py"])
@pytest.mark.parametrize(
    ("minor", "language"), [*((minor, "C.UTF-8") for minor in TOO_OLD), (9, "pt_BR.UTF-8")]
)
def test_a_real_older_python_is_told_what_it_lacks(minor: int, language: str, script: str) -> None:
    python = TOO_OLD[minor]
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    ran = run_in(language, [*stdlib_only(python, script), "--help"])
    assert ran.returncode == 1 and ran.stdout == "", ran
    told = too_old(3, minor, {"LANG": language})
    assert told is not None and ran.stderr == told + "\n"


@pytest.mark.parametrize("minor", sorted(OTHERS))
def test_the_manuals_chat_runs_on_other_pythons_with_their_standard_library_alone(
    start_server: StartServer, clients: list[pexpect.spawn], minor: int
) -> None:
    """The server and the terminal client, both under that Python and nothing but its
    standard library, with a line client beside them: a public line, a private one each way,
    a private to a name not online, /online, /quit, and the server going on."""
    python = OTHERS[minor]
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    server = start_server(command=stdlib_only(python, "servidor.py", *DEPRECATIONS_FAIL))
    bob = server.line_user("bob")
    env = {**os.environ, "TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "", "NO_COLOR": "1"}
    command, *args = stdlib_only(python, "client.py", *DEPRECATIONS_FAIL)
    ana = pexpect.spawn(
        command, [*args, "--port", str(server.port)], env=env, encoding="utf-8", timeout=10
    )
    clients.append(ana)
    ana.expect("Your name: ")
    ana.sendline("ana")
    ana.expect("Hello, ana!")
    bob.text_until(lambda line: line == "*** ana joined the chat")
    ana.sendline("olá, bob")
    bob.text_until(lambda line: line.endswith("<ana> olá, bob"))
    bob.send("/private ana só pra você")
    ana.expect(r"\[bob -> ana\] só pra você")
    ana.sendline("/private nobody hi")
    ana.expect("'nobody' is not online")
    ana.sendline("/private bob got it")
    bob.text_until(lambda line: line.endswith("ana -> bob: got it"))
    ana.sendline("/online")
    ana.expect("2 users online: ana, bob")
    ana.sendline("/quit")
    ana.expect(pexpect.EOF)
    ana.close()
    assert ana.exitstatus == 0
    bob.text_until(lambda line: line.startswith("*** ana left the chat"))
    bob.send("/online")
    bob.text_until(lambda line: line == "1 user online: bob")
    assert "Traceback" not in server.log()


@pytest.mark.skipif(OLDEST is None, reason="no Python 3.10 on this machine")
@pytest.mark.parametrize(
    ("script", "arguments", "said"),
    [
        (
            "servidor.py",
            ["--port", "abc"],
            "papo-server: erro: argumento --port: valor int inválido",
        ),
        ("client.py", ["--port"], "papo: erro: argumento --port: falta o valor"),
    ],
)
def test_python_3_10_tells_a_wrong_option_in_the_users_language(
    script: str, arguments: list[str], said: str
) -> None:
    """3.10's argparse leaves "argument --port:" out of its catalog: papo words it itself."""
    assert OLDEST is not None
    ran = run_in("pt_BR.UTF-8", [*stdlib_only(OLDEST, script), *arguments])
    assert ran.returncode == 2 and ran.stderr.startswith(said), ran.stderr
