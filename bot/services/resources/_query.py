"""From what a member typed to a safe FTS5 query.

Member text never reaches MATCH as syntax: it is tokenized (letters and digits only), every
alternative is emitted as a double-quoted phrase, and operators are ours. So quotes, `*`,
`NEAR`, `AND` or unbalanced parentheses in the input are just words (or nothing).

Steps: tokenize -> correct unknown words against the catalog's vocabulary (rapidfuzz) ->
recognize concepts (abbreviations, synonyms, other languages; longest phrase first), which
become their concept token -> glue numbers to the word before them ("step 1", "conrad 30",
"h 1 b") -> drop stopwords.
Each remaining piece is a *group* of alternatives; groups are ANDed (all words), or, as a
fallback, all but one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import STOPWORDS, VOCABULARY, light_stem

MAX_QUERY_CHARS = 200
MAX_GROUPS = 10
MIN_PREFIX_CHARS = 2
MIN_FUZZY_CHARS = 4
FUZZY_CUTOFF = 80.0
RESPELL_CUTOFF = 65.0

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Alternatives for one thing the member asked for: exact phrases, and prefixes (the word
    still being typed in autocomplete)."""

    exact: tuple[Phrase, ...]
    prefixes: tuple[Phrase, ...] = ()
    frequency: int = 0
    """How many catalog entries mention it (estimated; 0 for a word being typed)."""

    def fts(self) -> str:
        parts = [f'"{" ".join(p)}"' for p in self.exact]
        parts += [f'"{" ".join(p)}"*' for p in self.prefixes]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


@dataclass(frozen=True)
class QueryPlan:
    groups: tuple[Group, ...]
    corrections: dict[str, str] = field(default_factory=dict)
    corrected_text: str | None = None

    def fts_all(self) -> str | None:
        """Entries matching every group, or None when nothing searchable is left."""
        return " AND ".join(g.fts() for g in self.groups) or None

    def lone_prefix(self) -> str | None:
        """The word being typed when it is the whole query (and no concept), else None."""
        if len(self.groups) == 1 and not self.groups[0].exact and len(self.groups[0].prefixes) == 1:
            (phrase,) = self.groups[0].prefixes
            if len(phrase) == 1:
                return phrase[0]
        return None

    def fts_most(self, *, max_frequency: int) -> str | None:
        """Entries matching all groups but one (any group, for two-group queries).

        The fallback when few entries match everything. With two groups it is an any-word
        search; there, groups mentioned by more than ``max_frequency`` entries are left out
        (keeping the rarer one): "medical" would match most of a large catalog and add little to
        the ranking but the cost of ranking it. None when there is no fallback.
        """
        groups = self.groups
        if len(groups) < 2:
            return None
        if len(groups) == 2:
            kept = [g for g in groups if g.frequency <= max_frequency]
            return " OR ".join(g.fts() for g in kept or [min(groups, key=lambda g: g.frequency)])
        subsets = (
            " AND ".join(g.fts() for j, g in enumerate(groups) if j != skip) for skip in range(len(groups))
        )
        return " OR ".join(f"({subset})" for subset in subsets)


@dataclass
class _Piece:
    typed: Phrase
    alternatives: list[Phrase]
    concept: bool


class QueryPlanner:
    """Plans queries against one catalog vocabulary (rebuilt when the catalog changes)."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        """``frequencies``: index token (word or concept token) -> entries that contain it."""
        self._frequencies = frequencies
        words = frozenset(frequencies) | VOCABULARY.words
        self._known = words | STOPWORDS
        # Fuzzy candidates grouped by length: a ratio >= 80 needs lengths within ~1.5x, so a
        # typo is compared only with words of similar length (keeps 10k-entry catalogs fast).
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            if len(word) >= 3 and word.isalpha():  # not numbers, not concept tokens
                self._by_length.setdefault(len(word), []).append(word)
        self._corrections: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The closest known word to an unknown one, or None."""
        if word in self._known or len(word) < MIN_FUZZY_CHARS or any(c.isdigit() for c in word):
            return None
        if word not in self._corrections:
            if len(self._corrections) > 10_000:
                self._corrections.clear()
            self._corrections[word] = self._closest(word, FUZZY_CUTOFF)
        return self._corrections[word]

    def respell(self, query: str) -> str | None:
        """A looser re-spelling of a query that found nothing ("did you mean"), or None."""
        words = tokenize(query[:MAX_QUERY_CHARS])
        fixed = [
            (self._closest(w, RESPELL_CUTOFF) or w) if w not in self._known and len(w) >= 3 else w
            for w in words
        ]
        return " ".join(fixed) if fixed != words else None

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
            single = None if piece.concept or len(piece.typed) > 1 else piece.typed[0]
            if single is not None and len(pieces) > 1:
                if single in STOPWORDS or (last and len(single) < MIN_PREFIX_CHARS):
                    continue
            alternatives = tuple(dict.fromkeys(piece.alternatives))
            if last and (len(piece.typed[-1]) >= MIN_PREFIX_CHARS or len(pieces) == 1):
                # The word may still grow: "obser" -> observership. A recognized concept keeps
                # its expansions too ("lor" is complete and may also become "lorp").
                exact = alternatives if piece.concept else ()
                groups.append(Group(exact, prefixes=(piece.typed,)))
            else:
                groups.append(Group(alternatives, frequency=self._frequency(alternatives)))
        return QueryPlan(
            groups=tuple(groups[:MAX_GROUPS]),
            corrections=corrections,
            corrected_text=" ".join(corrected) if corrections else None,
        )

    def _pieces(self, typed: list[str], words: list[str]) -> list[_Piece]:
        stems = [light_stem(w) for w in words]
        pieces: list[_Piece] = []
        i = 0
        while i < len(words):
            found = VOCABULARY.match(stems, i)
            if found is not None:
                size, tokens = found
                pieces.append(_Piece(tuple(words[i : i + size]), [(t,) for t in tokens], concept=True))
                i += size
                continue
            word, original = words[i], typed[i]
            previous = pieces[-1] if pieces else None
            if previous is not None and not previous.concept and _glues(previous.typed, word):
                glued = (*previous.typed, word)
                previous.typed = glued
                previous.alternatives = [glued]
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
