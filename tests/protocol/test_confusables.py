"""The shipped look-alike table: generated from Unicode's data, and current."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import lookalikes

from papo.protocol.confusables import UNICODE_VERSION, skeleton


def test_the_shipped_table_is_what_the_generator_writes() -> None:
    assert lookalikes.TARGET.read_text(encoding="utf-8") == lookalikes.generate(), (
        f"run: python {lookalikes.__file__}"
    )


def test_the_table_says_its_unicode_version() -> None:
    assert UNICODE_VERSION.count(".") == 2
    assert UNICODE_VERSION in Path(lookalikes.TARGET).read_text(encoding="utf-8")


def test_skeleton_maps_look_alikes_to_their_prototype() -> None:
    assert skeleton("раураl") == "paypal"  # Cyrillic р, а, у
    assert skeleton("paypal") == "paypal"
