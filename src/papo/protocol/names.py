"""Who may be called what, and what text may reach another user's terminal.

Names are *checked*, never cleaned: silently turning ``\\x1b[31mred`` into ``red`` would let one
user take a name that looks like another's. Relayed text, on the other hand, is *cleaned*: a
message is still worth delivering once its escape sequences are gone.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import cache

from papo.protocol.confusables import skeleton

MAX_NAME_CHARS = 20
MAX_ROOM_CHARS = 32  # after the '#'
RESERVED_NAMES = frozenset(
    {"server", "system", "admin", "administrator", "root", "papo", "operator", "moderator"}
)
NAME_PUNCTUATION = frozenset("_-.")

# Terminal escape sequences, 7-bit and 8-bit: CSI, OSC (ended by BEL or ST, or left open),
# DCS/SOS/PM/APC strings, and the two-byte ESC forms. Each alternative scans forward only, so the
# whole substitution stays linear in the length of the text.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 but TAB, DEL, C1, and the bidirectional overrides that let text display in an order other
# than the one it was written in (a classic way to disguise what a line says).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Line and paragraph separators: a bot that splits lines on them would see a second line, one
# that could read as somebody else's. They become spaces.
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")
# Characters that only serve to hide (Unicode's default-ignorables, and noncharacters), with the
# sequences emoji and some scripts need, which are kept: an emoji flag's tag sequence, a joiner
# between two visible characters (emoji ZWJ sequences, Persian and Indic words), a variation
# selector right after a visible character (emoji presentation, keycaps).
# Unicode's Default_Ignorable_Code_Point: characters a terminal draws as nothing (joiners,
# variation selectors, fillers, tags...). Mongolian's free variation selectors are apart: the
# script needs them in messages; in a name every default-ignorable is refused.
_MONGOLIAN_SELECTORS = "\u180b-\u180d\u180f"
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe\U0010ffff"
_NOT_VISIBLE = "\\s\u200b-\u200f\u2060-\u206f\ufeff"  # spaces and invisible formatters
_VARIATION_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_HIDDEN = re.compile(
    "(?P<flag>\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"
    f"|(?<=[^{_NOT_VISIBLE}])[\u200c\u200d](?=[^{_NOT_VISIBLE}])"
    f"|(?<=[^{_NOT_VISIBLE}{_VARIATION_SELECTORS}])[{_VARIATION_SELECTORS}]"
    f"|(?P<hidden>[{_IGNORABLE}{_NONCHARACTERS}])"
)
# Long runs of spaces push text to where the terminal wraps it, so it starts a screen line of its
# own that reads as another user's ("ok" + 70 spaces + "<bob> I agree").
_SPACE_RUN = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{4,}")
MAX_SPACES_IN_A_ROW = 3


def _keep_emoji_sequences(match: re.Match[str]) -> str:
    return "" if match.group("hidden") is not None else match.group(0)


def sanitize_text(text: str) -> str:
    """Return ``text`` without escape sequences, control characters and characters that only
    serve to hide; tabs and line separators become spaces."""
    if text.isascii() and text.isprintable():
        return text
    without_sequences = _ESCAPE_SEQUENCE.sub("", text)
    visible = _CONTROL.sub("", without_sequences.replace("\t", " "))
    visible = _LINE_SEPARATORS.sub(" ", visible)
    return _HIDDEN.sub(_keep_emoji_sequences, visible)


def clean_message(text: str) -> str:
    """Sanitise and trim a message, with long runs of spaces shortened; an empty result means
    there is nothing to send (a message of invisible characters is blank)."""
    cleaned = _SPACE_RUN.sub(" " * MAX_SPACES_IN_A_ROW, sanitize_text(text)).strip()
    return cleaned if any(map(_shows_something, cleaned)) else ""


def _shows_something(character: str) -> bool:
    """Not a space, and not a mark with nothing to sit on."""
    return not unicodedata.category(character).startswith(("M", "Z"))


class NameProblem(Enum):
    """Which rule a refused name broke; the text shown to the user explains the rule."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_START = "bad_start"
    BAD_CHARACTER = "bad_character"
    MIXED_SCRIPTS = "mixed_scripts"
    RESERVED = "reserved"
    INVISIBLE = "invisible"
    MARKS = "marks"


# In a name each default-ignorable character makes a perfect twin of another name.
_INVISIBLE = re.compile(f"[{_MONGOLIAN_SELECTORS}{_IGNORABLE}]")
# Accents on one letter: Vietnamese needs two at most once composed; more only smears a name.
MAX_MARKS_PER_LETTER = 2
_OVERLAY = 1  # canonical combining class of strike-through marks (U+0334-0338...)


def name_key(name: str) -> str:
    """The form names are compared in: ``Alice``, ``alice`` and fullwidth forms are one."""
    return unicodedata.normalize("NFKC", name).casefold()


def name_skeleton(name: str) -> str:
    """The form look-alike names share: ``joe`` and its Cyrillic twin, ``ANA`` and its Greek one.

    The skeleton is taken again after case folding, as case folding can turn a prototype
    (``I``, mapped to ``l``) into a letter that is not one.
    """
    folded = skeleton(unicodedata.normalize("NFKC", name)).casefold()
    return skeleton(folded).casefold()


_COMPATIBLE_SCRIPT_SETS = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "HANGUL"}),
)
_SCRIPT_ALIASES = {"CJK": "HAN", "KATAKANA-HIRAGANA": "KATAKANA", "HALFWIDTH": "KATAKANA"}


def _script_of(character: str) -> str | None:
    """The script a letter belongs to, from its Unicode name; None for digits and punctuation.

    The standard library has no Script property, but letter names start with their script
    ("LATIN SMALL LETTER A", "CYRILLIC SMALL LETTER A"), which is what spoofing is about.
    """
    if not unicodedata.category(character).startswith("L"):
        return None
    first_word = unicodedata.name(character, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_ALIASES.get(first_word, first_word)


def _scripts_compatible(scripts: set[str]) -> bool:
    if len(scripts) <= 1:
        return True
    return any(scripts <= allowed for allowed in _COMPATIBLE_SCRIPT_SETS)


def check_name(name: str) -> NameProblem | None:
    """Return the rule ``name`` breaks, or None when it is a valid name."""
    return _check_word(name, MAX_NAME_CHARS, reserved=True)


def check_room_name(room: str) -> NameProblem | None:
    """A room is ``#`` and a word under the name rules (so a room cannot pose as another
    either), longer, and with no reserved words: ``#admin`` is a fine room."""
    if not room.startswith("#"):
        return NameProblem.BAD_START
    return _check_word(room[1:], MAX_ROOM_CHARS, reserved=False)


def as_room(wanted: str) -> str:
    """A room as ``/join`` takes it: the ``#`` may be left out (``dev`` is ``#dev``)."""
    return wanted if wanted.startswith("#") else "#" + wanted


def room_key(room: str) -> str:
    """Rooms compare as names do: ``#Dev`` is ``#dev``."""
    return "#" + name_key(room[1:])


def _check_word(name: str, max_chars: int, *, reserved: bool) -> NameProblem | None:
    if not name:
        return NameProblem.EMPTY
    if len(name) > max_chars:
        return NameProblem.TOO_LONG
    normalized = unicodedata.normalize("NFKC", name)
    if _INVISIBLE.search(normalized):
        return NameProblem.INVISIBLE
    for position, character in enumerate(normalized):
        category = unicodedata.category(character)
        if category[0] in "LN" and category not in ("Nl", "No"):
            continue
        if position and (character in NAME_PUNCTUATION or category[0] == "M"):
            continue
        return NameProblem.BAD_START if position == 0 else NameProblem.BAD_CHARACTER
    scripts = {script for c in normalized if (script := _script_of(c)) is not None}
    if not _scripts_compatible(scripts):
        return NameProblem.MIXED_SCRIPTS
    if _smeared(normalized):
        return NameProblem.MARKS
    if reserved and (
        name_key(name) in RESERVED_NAMES or name_skeleton(name) in _reserved_skeletons()
    ):
        return NameProblem.RESERVED
    return None


def _smeared(normalized: str) -> bool:
    """Strike-through marks, or more marks on one letter than any language needs."""
    in_a_row = 0
    for character in normalized:
        if unicodedata.category(character)[0] != "M":
            in_a_row = 0
            continue
        in_a_row += 1
        if in_a_row > MAX_MARKS_PER_LETTER or unicodedata.combining(character) == _OVERLAY:
            return True
    return False


@cache
def _reserved_skeletons() -> frozenset[str]:
    return frozenset(name_skeleton(name) for name in RESERVED_NAMES)
