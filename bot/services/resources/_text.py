"""Text normalization shared by the index and the query, so both see the same words.

Folding removes case and diacritics ("Recomendación" -> "recomendacion"); tokens are runs of
letters/digits, and a letter-digit boundary splits a token ("step2ck" -> step 2 ck,
"H-1B" -> h 1 b) so members' shorthand meets the catalog's spelling. Arabic script is
normalized as Arabic search engines do: hamza seats, taa marbuta and alef maqsura are unified,
and the article "al-" (also "wal-", "bil-", "fal-", "kal-", "lil-") is split off a word. FTS5
then applies the porter stemmer to both sides ("letters" ~ "letter"). The index text adds concept tokens
(bot/services/resources/_vocabulary.py).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_DIGIT_BOUNDARY = re.compile(r"(?<=\d)(?=\D)|(?<=\D)(?=\d)")
_ARABIC_LETTERS = str.maketrans({"\u0629": "\u0647", "\u0649": "\u064a", "\u0640": None})
_ARABIC_ARTICLE = re.compile(r"^(?:[\u0648\u0628\u0641\u0643]?\u0627\u0644|\u0644\u0644)(?=..)")


def fold(text: str) -> str:
    """Casefold and strip combining marks (NFKD), keeping every other character."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_ARABIC_LETTERS)


def tokenize(text: str) -> list[str]:
    """Folded word tokens, split at letter-digit boundaries."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        out.extend(p for p in _DIGIT_BOUNDARY.split(_ARABIC_ARTICLE.sub("", word)) if p)
    return out


