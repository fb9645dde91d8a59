"""From what a member typed to a safe FTS5 query and the groups that rank its results.

Member text never reaches MATCH as syntax: it is tokenized (letters and digits only), every
alternative is emitted as a double-quoted phrase, and operators are ours. So quotes, `*`,
`NEAR`, `AND` or unbalanced parentheses in the input are just words (or nothing).

Steps: tokenize -> correct unknown words against the catalog's vocabulary (rapidfuzz) ->
recognize concepts (abbreviations, synonyms, other languages; longest phrase first), which
become their concept token -> glue numbers to the word before them ("step 1", "conrad 30",
"h 1 b") -> drop question words, pronouns and filler.
Each remaining piece is a *group* of alternatives. Search ranks, it does not filter: an entry
matching any group is a candidate (`fts_any`), and `_rank` scores it by how much of the query
it covers. A word no entry holds (a city, a name) costs nothing but its share of the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.services.resources._text import fold, tokenize
from bot.services.resources._vocabulary import (
    DISTRESS,
    MISSPELLINGS,
    PLACES,
    STOPWORDS,
    VOCABULARY,
    light_stem,
)

MAX_QUERY_CHARS = 200
MAX_GROUPS = 10
MIN_PREFIX_CHARS = 2
MIN_FUZZY_CHARS = 4
FUZZY_CUTOFF = 80.0
RESPELL_CUTOFF = 75.0
_ENDINGS = ("s", "es", "r", "er", "d", "ed", "ing", "ly", "al", "ion", "ment")

Phrase = tuple[str, ...]
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Group:
    """Alternatives for one thing the member asked for: exact phrases, and prefixes (the word
    still being typed in autocomplete)."""

    exact: tuple[Phrase, ...]
    prefixes: tuple[Phrase, ...] = ()
    frequency: int = 0
    """How many catalog entries mention it (estimated; 0 for a word being typed)."""
    loose: tuple[Phrase, ...] = ()
    """Alternatives worth half a match: the word a number was glued to ("conrad" of "conrad
    30"), so an entry naming it without the number still counts."""

    def fts(self) -> str:
        parts = [f'"{" ".join(p)}"' for p in (*self.exact, *self.loose)]
        parts += [f'"{" ".join(p)}"*' for p in self.prefixes]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"



@dataclass(frozen=True)
class QueryPlan:
    groups: tuple[Group, ...]
    corrections: dict[str, str] = field(default_factory=dict)
    corrected_text: str | None = None
    """The member's text with typos fixed (their words, not the index's tokens), or None."""
    distress: bool = False
    """The query signals distress or self-harm: crisis lines come first."""

    def fts_any(self, *, max_rows: int) -> str | None:
        """Entries matching any group, or None when nothing searchable is left.

        FTS5 computes bm25 for every row the expression matches, so the rarest groups select
        candidates while their entries add up to at most ``max_rows`` (the rarest always does):
        "medical" would match most of a large catalog and add little but the cost of ranking it.
        The word being typed (a prefix, how many entries it matches is unknown) selects only
        when it is all there is. Groups left out still count in scoring (`_rank.Ranking`).
        """
        chosen: list[Group] = []
        rows = 0
        for group in sorted(self.groups, key=lambda g: (bool(g.prefixes), g.frequency)):
            if chosen and (group.prefixes or rows + group.frequency > max_rows):
                break
            chosen.append(group)
            rows += group.frequency
        return " OR ".join(g.fts() for g in self.groups if g in chosen) or None

    def fts_all(self) -> str | None:
        """Entries matching every group (cheap: an intersection), or None for fewer than two
        groups (then `fts_any` finds the same entries)."""
        return " AND ".join(g.fts() for g in self.groups) if len(self.groups) > 1 else None

    def lone_prefix(self) -> str | None:
        """The word being typed when it is the whole query (and no concept), else None."""
        if len(self.groups) == 1 and not self.groups[0].exact and len(self.groups[0].prefixes) == 1:
            (phrase,) = self.groups[0].prefixes
            if len(phrase) == 1:
                return phrase[0]
        return None


@dataclass
class _Piece:
    typed: Phrase
    alternatives: list[Phrase]
    concept: bool
    loose: tuple[Phrase, ...] = ()


class QueryPlanner:
    """Plans queries against one catalog vocabulary (rebuilt when the catalog changes)."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        """``frequencies``: index token (word or concept token) -> entries that contain it."""
        self._frequencies = frequencies
        words = frozenset(frequencies) | VOCABULARY.words
        self._known = words | STOPWORDS | PLACES
        # Fuzzy candidates grouped by length: a ratio >= 80 needs lengths within ~1.5x, so a
        # typo is compared only with words of similar length (keeps 10k-entry catalogs fast).
        self._by_length: dict[int, list[str]] = {}
        # Same letters in another order ("ecfgm", "nrpm"): acronyms, where fuzz.ratio is weak.
        self._anagrams: dict[str, str] = {}
        # In sorted order: a set's order follows string hashes, which differ per process
        # (PYTHONHASHSEED), and the first of equally close words wins; sorted, every bot
        # process corrects a typo the same way.
        for word in sorted(words):
            if len(word) >= 3 and word.isalpha():  # not numbers, not concept tokens
                self._by_length.setdefault(len(word), []).append(word)
                self._anagrams.setdefault("".join(sorted(word)), word)
        self._corrections: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The closest known word to an unknown one, or None."""
        if word in MISSPELLINGS:
            return MISSPELLINGS[word]
        if word in self._known or len(word) < MIN_FUZZY_CHARS or any(c.isdigit() for c in word):
            return None
        if word not in self._corrections:
            if len(self._corrections) > 10_000:
                self._corrections.clear()
            found = self._anagrams.get("".join(sorted(word))) or self._closest(word, FUZZY_CUTOFF)
            # Another form of a word, not a typo of it ("write" is not "writer"): leave it.
            inflected = found is not None and any(found == word + end for end in _ENDINGS)
            self._corrections[word] = None if inflected else found
        return self._corrections[word]

    def respell(self, query: str) -> str | None:
        """A looser re-spelling of the words no entry holds ("did you mean"), keeping the
        member's other words as typed, or None."""
        text = query[:MAX_QUERY_CHARS]
        fixes = {
            w: fixed
            for w in tokenize(text)
            if w not in self._known and len(w) >= MIN_FUZZY_CHARS and w.isalpha()
            and (fixed := self._closest(w, RESPELL_CUTOFF))
        }
        return _replace_words(text, fixes) if fixes else None

    def _frequency(self, alternatives: tuple[Phrase, ...]) -> int:
        # A phrase is at most as frequent as its rarest word; alternatives add up.
        return sum(min(self._frequencies.get(w, 0) for w in phrase) for phrase in alternatives)

    def _closest(self, word: str, cutoff: float) -> str | None:
        n = len(word)
        candidates = [w for size in range(max(3, n - 3), n + 4) for w in self._by_length.get(size, ())]
        match = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        return match[0] if match else None

    def plan(self, query: str, *, typing: bool = False) -> QueryPlan:
        """Plan ``query``. ``typing``: the last word may be incomplete (autocomplete)."""
        text = query[:MAX_QUERY_CHARS]
        tokens = tokenize(text)
        partial_last = typing and bool(tokens) and not text[-1:].isspace()
        corrections: dict[str, str] = {}
        corrected: list[str] = []
        for i, tok in enumerate(tokens):
            fixed = None if (partial_last and i == len(tokens) - 1) else self.correct(tok)
            if fixed:
                corrections[tok] = fixed
            corrected.append(fixed or tok)
        pieces = self._pieces(tokens, corrected)
        groups: list[Group] = []
        for index, piece in enumerate(pieces):
            last = partial_last and index == len(pieces) - 1
            single = piece.typed[0] if len(piece.typed) == 1 and not piece.concept else None
            if single is not None:
                # A lone word being typed may still grow out of a stopword ("for" -> "form").
                filler = single in STOPWORDS and not (last and len(pieces) == 1)
                if filler or (last and len(single) < MIN_PREFIX_CHARS and len(pieces) > 1):
                    continue
            alternatives = tuple(dict.fromkeys(piece.alternatives))
            if last and (len(piece.typed[-1]) >= MIN_PREFIX_CHARS or len(pieces) == 1):
                # The word may still grow: "obser" -> observership. A recognized concept keeps
                # its expansions too ("lor" is complete and may also become "lorp").
                exact = alternatives if piece.concept else ()
                groups.append(Group(exact, prefixes=(piece.typed,)))
            else:
                frequency = self._frequency(alternatives + piece.loose)
                groups.append(Group(alternatives, frequency=frequency, loose=piece.loose))
        groups = list(dict.fromkeys(groups))
        if len(groups) > MAX_GROUPS:  # keep the rarest: they say the most about what is asked
            keep = set(sorted(groups, key=lambda g: g.frequency)[:MAX_GROUPS])
            groups = [g for g in groups if g in keep]
        return QueryPlan(
            groups=tuple(groups),
            corrections=corrections,
            corrected_text=_replace_words(text, corrections) if corrections else None,
            distress=any((DISTRESS,) in g.exact for g in groups),
        )

    def _pieces(self, typed: list[str], words: list[str]) -> list[_Piece]:
        stems = [light_stem(w) for w in words]
        pieces: list[_Piece] = []
        i = 0
        while i < len(words):
            found = VOCABULARY.match(stems, i)
            if found is not None:
                size, tokens = found
                phrase = tuple(words[i : i + size])
                # The words themselves too: an entry may hold them without the concept's sense.
                pieces.append(_Piece(phrase, [(t,) for t in tokens] + [phrase], concept=True))
                i += size
                continue
            word, original = words[i], typed[i]
            previous = pieces[-1] if pieces else None
            if previous is not None and not previous.concept and _glues(previous.typed, word):
                glued = (*previous.typed, word)
                head = previous.typed[0]
                previous.typed = glued
                previous.alternatives = [glued]
                previous.loose = ((head,),) if len(head) >= 3 and head.isalpha() else ()
            else:
                alts = [(word,)] if word == original else [(word,), (original,)]
                pieces.append(_Piece((word,), alts, concept=False))
            i += 1
        return pieces


def _glues(previous: Phrase, word: str) -> bool:
    """A number sticks to the word before it, and one letter to a number ("h 1 b")."""
    if word.isdigit():
        return True
    return len(word) == 1 and previous[-1].isdigit()


def _replace_words(text: str, fixes: Mapping[str, str]) -> str:
    """``text`` with each word whose folded form is a key of ``fixes`` replaced: the member's
    own words and punctuation, corrected ("obsevership in NYC" -> "observership in NYC")."""
    return " ".join(_WORD.sub(lambda m: fixes.get(fold(m.group()), m.group()), text).split())
