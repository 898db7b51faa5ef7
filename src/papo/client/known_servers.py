"""The certificates this user chose to trust, server by server: trust on first use, as SSH's
``known_hosts``.

A chat with a certificate of its own is trusted by no CA, and ``--tls`` fails on it. The
first time the client meets one at a terminal, it shows the certificate's fingerprint (to
compare with the one the server printed when it started) and asks; a yes is written here,
and from then on that server is taken with that certificate and no other: one that changes
is refused, as somebody may be in the way. A certificate a CA vouches for never comes here.

One line a server: its address as ``--host`` takes it, a space, the fingerprint. The file
is this user's alone (``$XDG_CONFIG_HOME/papo``, else ``~/.config/papo``; ``%APPDATA%`` on
Windows).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from papo.fingerprint import parse_fingerprint


def known_servers_path(environ: Mapping[str, str]) -> Path:
    if sys.platform == "win32" and environ.get("APPDATA"):
        base = Path(environ["APPDATA"])
    elif environ.get("XDG_CONFIG_HOME"):
        base = Path(environ["XDG_CONFIG_HOME"])
    else:
        base = Path(environ.get("HOME") or Path.home()) / ".config"
    return base / "papo" / "known_servers"


class KnownServers:
    """Read each time it is asked (a few lines, asked once per connection), so that two
    clients open at once both see what either wrote."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fingerprint(self, server: str) -> str | None:
        return self._entries().get(server)

    def remember(self, server: str, fingerprint: str) -> None:
        """Written whole to a file beside it, then moved in place: a client stopped midway
        leaves the old file, never half of one."""
        entries = self._entries()
        entries[server] = fingerprint
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = "".join(f"{each} {print_}\n" for each, print_ in entries.items())
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".known_servers.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)

    def _entries(self) -> dict[str, str]:
        """The lines that read as a server and a fingerprint; others (a comment, a line
        edited by hand into something else) are passed over."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return {}
        entries: dict[str, str] = {}
        for line in text.splitlines():
            server, _, written = line.strip().partition(" ")
            found = parse_fingerprint(written)
            if server and not server.startswith("#") and found is not None:
                entries[server] = found
        return entries
