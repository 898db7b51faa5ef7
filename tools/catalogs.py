"""Keep the gettext catalogs honest: extract the messages the code uses, compile .po to .mo.

The standard library reads .mo files but cannot write them, and CI machines need not have GNU
gettext, so this small compiler is ours. ``python tools/catalogs.py`` rewrites every .mo from its
.po; the tests check that the committed .mo files match and that nothing is left untranslated.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "papo"
LOCALE = SOURCE / "locale"
SINGULAR_MARKERS = {"_", "said", "argparse_says"}
PLURAL_MARKERS = {"_n"}

Catalog = dict[str, str]  # msgid (or "singular\0plural") -> msgstr (or forms joined by "\0")


def _marker(call: ast.Call) -> str | None:
    match call.func:
        case ast.Name(id=name) | ast.Attribute(attr=name):
            return name
    return None


def extract_messages(source_dir: Path = SOURCE) -> set[str]:
    """Every string the code marks for translation, keyed as in a .mo file."""
    found: set[str] = set()
    for path in sorted(source_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            marker = _marker(node)
            strings = [
                a.value
                for a in node.args[:2]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if marker in SINGULAR_MARKERS and strings:
                found.add(strings[0])
            elif marker in PLURAL_MARKERS and len(strings) == 2:
                found.add(f"{strings[0]}\0{strings[1]}")
    return found


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {text}")
    return value


def parse_po(text: str) -> Catalog:
    """A .po file's entries (plural forms joined by NUL, as .mo files store them)."""
    catalog: Catalog = {}
    fields: dict[str, str] = {}
    current: str | None = None

    def flush() -> None:
        if "msgid" in fields:
            key = fields["msgid"]
            if "msgid_plural" in fields:
                key += "\0" + fields["msgid_plural"]
                forms = sorted(k for k in fields if k.startswith("msgstr["))
                catalog[key] = "\0".join(fields[k] for k in forms)
            else:
                catalog[key] = fields.get("msgstr", "")
        fields.clear()

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
                current = None
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"continuation without a field: {raw}")
            fields[current] += _unquote(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword == "msgid" and "msgid" in fields and current != "msgid":
            flush()
        current = keyword
        fields[keyword] = _unquote(value)
    return catalog


def compile_mo(catalog: Catalog) -> bytes:
    """The GNU .mo encoding of a catalog (little-endian, no hash table)."""
    entries = sorted((k.encode(), v.encode()) for k, v in catalog.items() if v or not k)
    header_size = 7 * 4
    ids_offset = header_size
    strs_offset = ids_offset + 8 * len(entries)
    data_offset = strs_offset + 8 * len(entries)
    ids_table, strs_table, blob = [], [], b""
    for key, _value in entries:
        ids_table.append((len(key), data_offset + len(blob)))
        blob += key + b"\0"
    for _key, value in entries:
        strs_table.append((len(value), data_offset + len(blob)))
        blob += value + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(entries), ids_offset, strs_offset, 0, 0)
    tables = b"".join(struct.pack("<2I", *pair) for pair in ids_table + strs_table)
    return header + tables + blob


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def main() -> int:
    for po in po_files():
        po.with_suffix(".mo").write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"))))
        print(f"compiled {po.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
