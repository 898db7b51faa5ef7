"""Which language to speak, and the catalog that speaks it.

Chosen as every gettext program chooses: an explicit ``--lang`` first, then ``LC_ALL``,
``LC_MESSAGES`` and ``LANG``; English when nothing matches a catalog we ship. The environment is
passed in rather than read here, so the choice is a pure function and testable as one.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

DOMAIN = "papo"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SUPPORTED_LANGUAGES = ("en", "pt_BR")
DEFAULT_LANGUAGE = "en"


def normalize_language(value: str) -> str | None:
    """Map ``pt_BR.UTF-8``, ``pt-br`` or ``pt`` to a shipped language; None if we have none."""
    base = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not base or base in ("C", "POSIX"):
        return None
    language, _, territory = base.partition("_")
    candidate = f"{language.lower()}_{territory.upper()}" if territory else language.lower()
    if candidate in SUPPORTED_LANGUAGES:
        return candidate
    if language.lower() == "pt":
        return "pt_BR"
    if language.lower() == "en":
        return "en"
    return None


def language_of_command_line(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language to speak while the command line is still being read (``--help``): its
    ``--lang`` if it has a good one, else ``PAPO_LANG`` and the locale."""
    explicit = environ.get("PAPO_LANG")
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            explicit = argv[index + 1]
        elif word.startswith("--lang="):
            explicit = word.split("=", 1)[1]
    return choose_language(explicit, environ)


def choose_language(explicit: str | None, environ: Mapping[str, str]) -> str:
    """The language to use, following gettext's order of precedence."""
    for value in (explicit, *(environ.get(n) for n in ("LC_ALL", "LC_MESSAGES", "LANG"))):
        if value:
            # LANGUAGE-style lists ("pt_BR:en") are tried in order.
            for part in value.split(":"):
                language = normalize_language(part)
                if language is not None:
                    return language
            if value is explicit:
                continue
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def translation(language: str) -> gettext.NullTranslations:
    """The catalog for ``language`` (cached: loaded once per process)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
