"""papo: a multi-user chat over TCP that any line client can join.

This is the first of papo that Python reads (from ``servidor.py``, ``client.py``, ``python -m``
or an installed command), so it is where a Python too old for the rest says so in words,
rather than with a SyntaxError or an ImportError from somewhere inside. It is kept readable by
any Python 3 for that: no f-strings, annotations as strings.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"
PROTOCOL_VERSION = 2
OLDEST_PYTHON = (3, 10)


def too_old(major: int, minor: int, environ: "dict[str, str]") -> "str | None":
    """What to say when Python ``major.minor`` is older than papo runs on, in the language of
    the locale (the catalogs need a newer Python to be read)."""
    if (major, minor) >= OLDEST_PYTHON:
        return None
    shown = str(major) + "." + str(minor)
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    if locale.startswith("pt"):
        return "papo precisa do Python 3.10 ou mais novo; este é o Python " + shown + "."
    return "papo needs Python 3.10 or newer; this is Python " + shown + "."


_too_old = too_old(_sys.version_info[0], _sys.version_info[1], dict(_os.environ))
if _too_old is not None:
    _sys.exit(_too_old)
