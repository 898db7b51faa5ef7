"""The servers whose own certificate this user trusted: where the file is, what it keeps."""

from __future__ import annotations

from pathlib import Path

from papo.client.known_servers import KnownServers, known_servers_path

ONE = ":".join(["AB"] * 32)
TWO = ":".join(["CD"] * 32)


def test_the_file_is_the_users_own_configuration() -> None:
    assert known_servers_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/papo/known_servers")
    assert known_servers_path({"HOME": "/home/ana"}) == Path("/home/ana/.config/papo/known_servers")


def test_what_is_remembered_is_read_back_and_replaced_not_doubled(tmp_path: Path) -> None:
    known = KnownServers(tmp_path / "papo" / "known_servers")
    assert known.fingerprint("chat.example:12345") is None  # no file yet
    known.remember("chat.example:12345", ONE)
    known.remember("[2001:db8::5]:2000", TWO)
    assert known.fingerprint("chat.example:12345") == ONE
    known.remember("chat.example:12345", TWO)
    assert known.path.read_text().splitlines() == [
        f"chat.example:12345 {TWO}",
        f"[2001:db8::5]:2000 {TWO}",
    ]
    assert known.path.parent.stat().st_mode & 0o077 == 0  # this user's alone
    assert [p.name for p in known.path.parent.iterdir()] == ["known_servers"]  # no leftovers


def test_lines_that_are_not_a_server_and_a_fingerprint_are_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "known_servers"
    path.write_text(f"# mine\nbroken\nhost:1 not-a-print\nhost:2 {ONE.lower()}\n")
    known = KnownServers(path)
    assert known.fingerprint("host:1") is None and known.fingerprint("broken") is None
    assert known.fingerprint("host:2") == ONE
