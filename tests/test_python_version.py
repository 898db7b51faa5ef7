"""A Python too old for papo is told so in words, by the first file of papo it reads."""

from __future__ import annotations

import ast

import pytest

from papo import too_old
from tests.support import ROOT


def test_a_python_older_than_3_11_is_named_in_the_locales_language() -> None:
    assert too_old(3, 10, {"LANG": "en_US.UTF-8"}) == (
        "papo needs Python 3.11 or newer; this is Python 3.10."
    )
    assert too_old(3, 8, {"LANG": "pt_BR.UTF-8"}) == (
        "papo precisa do Python 3.11 ou mais novo; este é o Python 3.8."
    )
    assert too_old(3, 9, {"LC_ALL": "C", "LANG": "pt_BR.UTF-8"}) == (
        "papo needs Python 3.11 or newer; this is Python 3.9."
    )  # LC_ALL comes first, as for gettext


@pytest.mark.parametrize(("major", "minor"), [(3, 11), (3, 12), (3, 14), (4, 0)])
def test_3_11_and_newer_pass(major: int, minor: int) -> None:
    assert too_old(major, minor, {}) is None


@pytest.mark.parametrize("path", ["src/papo/__init__.py", "servidor.py", "client.py"])
def test_what_an_old_python_reads_first_is_written_for_it(path: str) -> None:
    # No f-string, walrus, match or the like where a Python 3.4 to 3.10 would stumble on them
    # before it could be told what it lacks.
    ast.parse((ROOT / path).read_text(encoding="utf-8"), feature_version=(3, 4))
