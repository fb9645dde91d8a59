"""Text normalization shared by the index and the query, so both see the same words.

Folding removes case and diacritics ("Recomendación" -> "recomendacion"); tokens are runs of
letters/digits, and a letter-digit boundary splits a token ("step2ck" -> step 2 ck,
"H-1B" -> h 1 b) so members' shorthand meets the catalog's spelling. FTS5 then applies the
porter stemmer to both sides ("letters" ~ "letter"). The index text adds concept tokens
(bot/services/resources/_vocabulary.py).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_DIGIT_BOUNDARY = re.compile(r"(?<=\d)(?=\D)|(?<=\D)(?=\d)")


def fold(text: str) -> str:
    """Casefold and strip combining marks (NFKD), keeping every other character."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Folded word tokens, split at letter-digit boundaries."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        out.extend(p for p in _DIGIT_BOUNDARY.split(word) if p)
    return out


