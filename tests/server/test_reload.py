"""SIGUSR1: a running server reads its certificate, message of the day and operator password
again. Real files, a real certificate authority (trustme), real server processes; what the
files say is checked where users meet it: a TLS handshake, a greeting, ``/oper``."""

from __future__ import annotations

import signal
import socket
import ssl
from pathlib import Path

import trustme

from papo.fingerprint import fingerprint
from papo.server.config import ServerConfig
from papo.server.reload import read_again
from tests.conftest import StartServer
from tests.server.test_irc import IRC, IrcClient
from tests.support import ServerProcess

OLD_PASSWORD = "papo operators 2026"
NEW_PASSWORD = "a new one, since the old leaked"


def write_certificate(authority: trustme.CA, cert_file: Path, key_file: Path) -> bytes:
    """A new certificate for 127.0.0.1 into the two files; the certificate (DER)."""
    certificate = authority.issue_cert("127.0.0.1")
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    return ssl.PEM_cert_to_DER_cert(certificate.cert_chain_pems[0].bytes().decode())


def served_certificate(server: ServerProcess, context: ssl.SSLContext) -> bytes:
    """The certificate (DER) a new connection is shown."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def test_a_renewed_certificate_is_served_to_new_connections_and_the_open_ones_go_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    authority = trustme.CA()
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    first = write_certificate(authority, cert_file, key_file)
    server = start_server("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    context = ssl.create_default_context()
    authority.configure_trust(context)
    assert served_certificate(server, context) == first
    ana = server.tls_user(context, "ana")
    renewed = write_certificate(authority, cert_file, key_file)
    server.signal(signal.SIGUSR1)
    server.wait_for_log("read again: --tls-cert, --tls-key")
    server.wait_for_log(f"TLS certificate (SHA-256): {fingerprint(renewed)}")  # tell the others
    assert served_certificate(server, context) == renewed
    bob = server.tls_user(context, "bob")
    ana.send("still on the first certificate")
    assert bob.expect("message")["text"] == "still on the first certificate"
    # A renewal gone wrong (a key of another certificate) changes nothing, and says so.
    other = trustme.CA().issue_cert("127.0.0.1")
    other.private_key_pem.write_to_path(str(key_file))
    server.signal(signal.SIGUSR1)
    server.wait_for_log("what was read before stays in use")
    assert f"--tls-key {key_file}" in server.log()  # the files named, not copies of them
    assert served_certificate(server, context) == renewed
    assert server.process.poll() is None


def test_the_message_of_the_day_and_the_operator_password_are_read_again(
    start_server: StartServer, tmp_path: Path
) -> None:
    motd, secret = tmp_path / "motd.txt", tmp_path / "oper-password"
    motd.write_text("Welcome to the first papo\n")
    secret.write_text(OLD_PASSWORD + "\n")
    server = start_server("--motd", str(motd), "--oper-password-file", str(secret), *IRC)
    assert (server.client(json_mode=True).hello or {})["motd"] == "Welcome to the first papo"
    carol = IrcClient(server.irc_port)
    carol.register("carol")
    motd.write_text("Meeting on Friday\n")
    secret.write_text(NEW_PASSWORD + "\n")
    server.signal(signal.SIGUSR1)
    server.wait_for_log("read again: --motd, --oper-password-file")
    assert "none was given" not in server.log()  # two were, and are said so
    assert (server.client(json_mode=True).hello or {})["motd"] == "Meeting on Friday"
    carol.send("MOTD")
    carol.expect(r" 372 carol :- Meeting on Friday$")  # connected before, asking after
    ana = server.user("ana")
    ana.send(f"/oper {OLD_PASSWORD}")
    ana.expect("error", code="wrong_password")
    ana.send(f"/oper {NEW_PASSWORD}")
    ana.expect("info", code="operator")
    # Too short a password is refused, as at start, and the one in use stays.
    secret.write_text("short\n")
    motd.unlink()
    server.signal(signal.SIGUSR1)
    server.wait_for_log("its first line must have at least")
    server.wait_for_log(f"--motd {motd}: No such file or directory")
    bob = server.user("bob")
    assert (bob.hello or {})["motd"] == "Meeting on Friday"
    bob.send(f"/oper {NEW_PASSWORD}")
    bob.expect("info", code="operator")


def test_reading_again_with_no_files_changes_nothing(tmp_path: Path) -> None:
    config = ServerConfig(motd="kept")
    again = read_again(config, None)
    assert (again.config, again.read, again.problems) == (config, [], [])
