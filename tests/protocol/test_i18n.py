"""Language choice and the shipped catalogs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from papo.protocol.commands import COMMANDS
from papo.protocol.i18n import LOCALE_DIR, choose_language, normalize_language, translation
from papo.protocol.render_text import TextRenderer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import catalogs


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        ("pt_BR", {"LANG": "en_US.UTF-8"}, "pt_BR"),
        (None, {"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}, "pt_BR"),
        (None, {"LC_MESSAGES": "pt_PT", "LANG": "en_US"}, "pt_BR"),
        (None, {"LANG": "pt-br"}, "pt_BR"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LC_ALL": "C", "LANG": "pt_BR"}, "en"),
        ("xx", {"LANG": "pt_BR.UTF-8"}, "pt_BR"),
        (None, {}, "en"),
    ],
)
def test_choose_language(explicit: str | None, environ: dict[str, str], expected: str) -> None:
    assert choose_language(explicit, environ) == expected


def test_normalize_language() -> None:
    assert normalize_language("pt_BR.UTF-8@latin") == "pt_BR"
    assert normalize_language("EN_gb") == "en"
    assert normalize_language("POSIX") is None


def test_every_message_in_the_code_is_translated_to_portuguese() -> None:
    po = LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "papo.po"
    catalog = catalogs.parse_po(po.read_text(encoding="utf-8"))
    used = catalogs.extract_messages()
    assert len(used) > 40
    missing = sorted(m for m in used if not catalog.get(m))
    assert missing == []
    for message in used:
        # Placeholders must survive translation, or .format() would fail at run time.
        for placeholder in ("{name}", "{count}", "{text}", "{users}", "{max}"):
            assert (placeholder in message) == (placeholder in catalog[message].split("\0")[-1])


def test_committed_mo_files_match_their_po() -> None:
    for po in catalogs.po_files():
        compiled = catalogs.compile_mo(catalogs.parse_po(po.read_text(encoding="utf-8")))
        assert po.with_suffix(".mo").read_bytes() == compiled, f"run: python {catalogs.__file__}"


def test_catalog_loads_through_gettext() -> None:
    portuguese = translation("pt_BR")
    assert portuguese.gettext("Goodbye!") == "Até logo!"
    assert portuguese.ngettext("{count} user online.", "{count} users online.", 2).startswith(
        "{count} usuários"
    )
    assert translation("en").gettext("Goodbye!") == "Goodbye!"


def test_portuguese_help_says_what_each_command_does_in_one_voice() -> None:
    """Each line of /help in Portuguese says what the command does ("envia", "mostra"), as
    the English ("send", "show") reads: four said it as an infinitive ("mostrar", "dar"),
    which reads as another voice in the same list."""
    renderer = TextRenderer("pt_BR")
    client_own = translation("pt_BR").gettext(
        "talk to NAME alone: plain lines go to NAME in private, until /query alone (this "
        "client's own)"
    )
    descriptions = [renderer.command_description(spec.name) for spec in COMMANDS]
    infinitives = [text for text in [*descriptions, client_own] if re.match(r"\w+[aei]r\b", text)]
    assert infinitives == []
