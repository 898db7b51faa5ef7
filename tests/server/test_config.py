"""Options: the command line over PAPO_* variables over defaults."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import trustme

from papo.hub.redis_url import shown_url
from papo.server.config import ServerConfig, parse_config
from tests.support import ROOT


def test_defaults_are_protocol_md_defaults() -> None:
    assert parse_config([], {}) == ServerConfig()


def test_command_line_wins_over_environment_over_default(tmp_path: Path) -> None:
    motd = tmp_path / "motd"
    motd.write_text(" hi \n", encoding="utf-8")
    config = parse_config(
        ["--port", "5", "--motd", str(motd)],
        {"PAPO_PORT": "6", "PAPO_MAX_PER_IP": "7", "PAPO_LOOP": "asyncio", "PAPO_LANG": "pt_BR"},
    )
    assert (config.port, config.max_per_ip, config.loop) == (5, 7, "asyncio")
    assert (config.language, config.motd) == ("pt_BR", "hi")


def test_the_operator_password_is_the_first_line_of_a_file_and_not_a_short_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("  a long enough one  \nnot this\n", encoding="utf-8")
    config = parse_config([], {"PAPO_OPER_PASSWORD_FILE": str(secret)})
    assert config.oper_password == "a long enough one"
    assert "long enough" not in repr(config)  # never in a log line that prints the options
    for short in ("", "\n", "short one\n"):
        secret.write_text(short, encoding="utf-8")
        with pytest.raises(SystemExit):
            parse_config(["--oper-password-file", str(secret)], {})
        assert "its first line must have at least 12 characters" in capsys.readouterr().err


def test_the_chats_password_is_the_first_line_of_a_file_of_eight_characters_or_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("sesame22\n", encoding="utf-8")
    config = parse_config([], {"PAPO_PASSWORD_FILE": str(secret)})
    assert (config.password, config.password_file) == ("sesame22", secret)
    assert "sesame" not in repr(config)
    assert parse_config([], {}).password is None  # an open chat
    secret.write_text("sesame2\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        parse_config(["--password-file", str(secret)], {})
    err = capsys.readouterr().err
    assert f"--password-file {secret}: its first line must have at least 8 characters" in err


def test_bad_environment_value_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config([], {"PAPO_RATE": "-1"})
    assert "PAPO_RATE" in capsys.readouterr().err


def test_balancers_are_addresses_and_networks_from_the_command_line_or_environment() -> None:
    """A network given with host bits (10.1.2.3/16) is the network it is in: what is meant."""
    given = parse_config(["--proxy-from", "10.0.0.5, 10.1.2.3/16,2001:db8::/32"], {})
    assert [str(network) for network in given.proxy_from] == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "2001:db8::/32",
    ]
    assert (
        parse_config([], {"PAPO_PROXY_FROM": "::1"}).proxy_from
        == parse_config(["--proxy-from", "::1/128"], {}).proxy_from
    )
    assert parse_config([], {}).proxy_from == ()


@pytest.mark.parametrize(
    ("given", "address"),
    [
        ("9100", ("127.0.0.1", 9100)),  # a port alone: this machine's only
        ("0.0.0.0:9100", ("0.0.0.0", 9100)),
        ("[::1]:0", ("::1", 0)),
        ("metrics.lan:9100", ("metrics.lan", 9100)),
    ],
)
def test_where_metrics_are_served(given: str, address: tuple[str, int]) -> None:
    assert parse_config(["--metrics", given], {}).metrics == address
    assert parse_config([], {"PAPO_METRICS": given}).metrics == address
    assert parse_config([], {}).metrics is None


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--burst", "0"], "must be 1 or more"),
        (["--port", "99999"], "must be 0 to 65535"),
        (["--port", "65536"], "must be 0 to 65535"),
        (["--port", "-5"], "must be 0 to 65535"),
        (["--irc-port", "12345"], "--irc-port 12345 is the port of --port too"),
        (["--port", "2000", "--irc-port", "2000"], "--irc-port 2000 is the port of --port too"),
        (
            ["--irc-port", "6667", "--irc-tls-port", "6667", "--tls-cert", "c", "--tls-key", "k"],
            "--irc-tls-port 6667 is the port of --irc-port too",
        ),
        (["--motd", "/nonexistent/motd.txt"], "--motd /nonexistent/motd.txt: No such file"),
        (
            ["--oper-password-file", "/nonexistent/secret"],
            "--oper-password-file /nonexistent/secret: No such file",
        ),
        (["--proxy-from", "10.0.0.5,haproxy.lan"], "not an address or network: 'haproxy.lan'"),
        (["--proxy-from", "10.0.0.0/33"], "not an address or network: '10.0.0.0/33'"),
        (["--proxy-from", ","], "--proxy-from: no address given"),
        (["--metrics", "localhost"], "HOST:PORT or a port: localhost"),
        (["--metrics", "::1:9100"], "HOST:PORT or a port: ::1:9100"),
        (["--metrics", "127.0.0.1:http"], "HOST:PORT or a port: 127.0.0.1:http"),
        (["--metrics", "70000"], "must be 0 to 65535"),
        (["--metrics", "12345"], "--metrics 12345 is the port of --port too"),
        (["--irc-port", "6667", "--metrics", "6667"], "--metrics 6667 is the port of --irc-port"),
        (
            ["--metrics", "65535", "--workers", "2", "--redis", "redis://h"],
            "--metrics: the last worker's port would be past 65535",
        ),
    ],
)
def test_values_with_no_meaning_are_refused_clearly(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_config(argv, {})
    assert complaint in capsys.readouterr().err


@pytest.mark.parametrize("sharing", [["--reuse-port"], ["--workers", "2", "--redis", "redis://h"]])
def test_sharing_a_port_where_the_system_cannot_is_refused_clearly(sharing: list[str]) -> None:
    """Windows has no SO_REUSEPORT (and there is no Windows here: the socket module is made to
    lack it, as it does there)."""
    lacking = (
        "import socket, sys; del socket.SO_REUSEPORT; from papo.server.config import parse_config;"
        " parse_config(sys.argv[1:], {})"
    )
    result = subprocess.run(
        [sys.executable, "-c", lacking, *sharing],
        capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert result.returncode == 2
    assert "need SO_REUSEPORT, which this system lacks" in result.stderr
    assert "Traceback" not in result.stderr


def test_port_zero_for_every_door_is_a_free_port_each() -> None:
    config = parse_config(["--port", "0", "--irc-port", "0"], {})
    assert (config.port, config.irc_port) == (0, 0)


def test_help_says_what_zero_means(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--help"], {})
    text = " ".join(capsys.readouterr().out.split()).split("options:", 1)[1]
    for option in ("--max-clients", "--max-per-ip", "--rate", "--sendq", "--quiet-above"):
        assert "0 = no limit" in text.split(option, 1)[1].split("--", 1)[0], option
    assert "0 = none" in text.split("--history", 1)[1]
    assert (
        "SIGUSR1 reads --tls-cert, --tls-key, --motd, --oper-password-file and --password-file "
        "again" in text
    )


def shouted_option_names(usage: str) -> list[str]:
    """Options whose value --help names by the option itself in capitals, which tells nothing
    (``--max-clients MAX_CLIENTS``); ``--host HOST`` and the like do say what goes there."""
    values = re.findall(r"\[(--[a-z-]+) ([A-Z_]+)\]", usage)
    said_already = {"HOST", "PORT", "LANG", "NAME"}
    return [
        option
        for option, value in values
        if value == argparse_default_value_name(option) and value not in said_already
    ]


def argparse_default_value_name(option: str) -> str:
    return option.removeprefix("--").upper().replace("-", "_")


def test_help_names_what_each_option_takes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--help"], {})
    usage = " ".join(capsys.readouterr().out.split("options:", 1)[0].split())
    assert "[--max-clients N]" in usage and "[--resume-grace SECONDS]" in usage
    assert "[--motd FILE]" in usage and "[--default-room #ROOM]" in usage
    assert shouted_option_names(usage) == []
    client = subprocess.run(
        [sys.executable, "client.py", "--help"], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=30,
    )  # fmt: skip
    assert "[--tls-ca FILE]" in client.stdout
    assert shouted_option_names(" ".join(client.stdout.split())) == []


def test_an_unknown_language_is_refused_not_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--lang", "klingon"], {})
    assert "unknown language 'klingon' (papo speaks en, pt_BR)" in capsys.readouterr().err
    assert parse_config(["--lang", "pt-br"], {}).language == "pt_BR"


def test_log_size_is_an_option_of_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_config(["--log-size", "500"], {}).log_size == 500
    assert parse_config([], {"PAPO_LOG_SIZE": "7"}).log_size == 7
    with pytest.raises(SystemExit):
        parse_config(["--log-size", "0"], {})
    assert "must be 1 or more" in capsys.readouterr().err


def test_help_speaks_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--lang", "pt_BR", "--help"], {})
    portuguese = capsys.readouterr().out
    assert "servidor de chat papo" in portuguese and "0 = sem limite" in portuguese
    assert "SIGUSR1 lê de novo" in " ".join(portuguese.split())
    with pytest.raises(SystemExit):
        parse_config(["--help"], {"LANG": "pt_BR.UTF-8"})
    assert "conexões por endereço" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("localhost:6379", "not a Redis URL"),
        ("http://localhost:6379/0", "not a Redis URL"),
        ("redis://localhost:99999/0", "Port out of range"),
        ("redis://localhost:six/0", "Port could not be cast"),
        ("redis://localhost:6379/zero", "the database is a number"),
    ],
)
def test_a_redis_url_that_cannot_work_is_refused_at_start(
    url: str, complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--redis", url], {})
    assert complaint in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_config([], {"PAPO_REDIS": url})
    assert "PAPO_REDIS" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["redis://10.0.0.5:6379/2", "redis://10.0.0.5", "rediss://:pw@h/0", "unix:///run/r.sock"]
)
def test_redis_urls_that_can_work_are_taken_as_given(url: str) -> None:
    assert parse_config(["--redis", url], {}).redis == url


def test_a_redis_password_is_never_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert shown_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert shown_url("rediss://bob:s3cret@h/1") == "rediss://bob:***@h/1"
    assert shown_url("redis://bob@h/1") == "redis://bob@h/1"
    with pytest.raises(SystemExit):
        parse_config(["--redis", "redis://bob:s3cret@h:6379/x"], {})
    err = capsys.readouterr().err
    assert "the database is a number" in err and "s3cret" not in err


@pytest.mark.parametrize(
    ("argv", "error", "pointer"),
    [
        (
            ["--port", "abc"],
            "error: argument --port: invalid int value: 'abc'",
            "lists the options",
        ),
        (["--bogus"], "error: unrecognized arguments: --bogus", "lists the options"),
        (  # every IRC line starts with it: with a space, each would read as another command
            ["--irc-server-name", "My Chat"],
            "error: argument --irc-server-name: one word, as a host name, for IRC clients:"
            " 'My Chat'",
            "lists the options",
        ),
        (
            ["--port", "abc", "--lang", "pt_BR"],
            "erro: argumento --port: valor int inválido: 'abc'",
            "lista as opções",
        ),
    ],
)
def test_a_mistake_is_one_line_and_a_pointer_not_the_whole_usage(
    argv: list[str], error: str, pointer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_config(argv, {})
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"papo-server: {error}",
        f"papo-server --help {pointer}.",
    ]


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--bogus"], "erro: argumentos não reconhecidos: --bogus"),
        (["--port"], "erro: argumento --port: falta o valor"),
        (["--port", "70000"], "argumento --port: deve ser de 0 a 65535: 70000"),
        (["--lang", "xx"], "argumento --lang: idioma desconhecido 'xx' (o papo fala en, pt_BR)"),
        (["--default-room", "#a b"], "não é um nome de sala válido: '#a b'"),
        (["--redis", "http://x"], "argumento --redis: não é uma URL do Redis"),
        (["--workers", "2"], "erro: --workers precisa de --redis"),
        (["--irc-port", "12345"], "--irc-port 12345 também é a porta de --port"),
    ],
)
def test_a_portuguese_command_line_is_told_its_mistakes_in_portuguese(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse's own words too (its errors, "uso:", "opções"), which it looks up outside
    papo's catalog; and argparse speaks English again once the command line is read."""
    with pytest.raises(SystemExit):
        parse_config(argv, {"LANG": "pt_BR.UTF-8"})
    assert complaint in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_config([], {"LANG": "pt_BR.UTF-8", "PAPO_PORT": "70000"})
    assert "PAPO_PORT='70000': deve ser de 0 a 65535: 70000" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_config(["--help"], {"LANG": "pt_BR.UTF-8"})
    help_text = capsys.readouterr().out
    assert help_text.startswith("uso: papo-server [-h]") and "\nopções:\n" in help_text
    assert "-h, --help            mostra esta ajuda e sai" in help_text
    with pytest.raises(SystemExit):
        argparse.ArgumentParser(prog="other").parse_args(["--bogus"])
    assert "other: error: unrecognized arguments: --bogus" in capsys.readouterr().err


def test_tls_files_that_cannot_serve_are_said_at_start_in_the_options_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = trustme.CA().issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    assert parse_config(["--tls-cert", str(cert), "--tls-key", str(key)], {}).tls_cert == cert
    missing = tmp_path / "missing.pem"
    cases = [
        ([cert, missing], f"--tls-key {missing}: No such file or directory"),
        ([missing, key], f"--tls-cert {missing}: No such file or directory"),
        ([key, cert], f"--tls-cert {key} and --tls-key {cert} cannot serve TLS"),  # swapped
    ]
    for (given_cert, given_key), complaint in cases:
        with pytest.raises(SystemExit):
            parse_config(["--tls-cert", str(given_cert), "--tls-key", str(given_key)], {})
        assert complaint in capsys.readouterr().err


def test_help_in_portuguese_into_an_ascii_output_shows_what_it_can() -> None:
    result = subprocess.run(
        [sys.executable, "servidor.py", "--lang", "pt_BR", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # it stopped at the first accent
    assert "\nop??es:\n" in result.stdout
