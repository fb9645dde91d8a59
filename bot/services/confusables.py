"""Look-alike detection: the confusable skeleton of Unicode TR39 (UTS #39, section 4).

Two strings that a reader cannot tell apart have the same skeleton: ``ecfmg.org`` spelled with
a Cyrillic e and c, ``paypa1`` and ``paypal``, ``rn`` and ``m``. The mapping is Unicode's
own confusables data (``confusables.txt`` beside this module, trimmed to its two columns), so no
dependency is needed and the table is the standard one browsers and registries use.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("confusables.txt")


@cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        source, target = line.split(";")
        table[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def skeleton(text: str) -> str:
    """TR39 ``skeleton(X)``: NFD, each character replaced by its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def same_look(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` read the same (case-insensitively)."""
    return skeleton(a.casefold()) == skeleton(b.casefold())
