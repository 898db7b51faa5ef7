"""Options: the command line over PAPO_* variables over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from papo.server.config import ServerConfig, parse_config


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


def test_bad_environment_value_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config([], {"PAPO_RATE": "-1"})
    assert "PAPO_RATE" in capsys.readouterr().err
