"""From reports to what may be shown: nothing about a field below k distinct reporters.

Each report row is one member (one row per member, program and cycle: see `pseudonyms`), so
the reporters of a field are the rows that answer it. Above k, only coarse results are shown
(the majority answer and a size band, never a count), so that a reader who watches the
aggregate change learns as little as possible about the one report that changed it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel._models import (
    DEFAULT_MIN_REPORTERS,
    FIELD_BY_KEY,
    FIELDS,
    MIN_REPORTERS_FLOOR,
    VERDICT_SHARE,
    YES_NO,
    Answers,
    CycleIntel,
    Field,
    FieldSummary,
    Program,
    ProgramIntel,
    SearchResult,
    cycle_of,
)
from bot.services.intel._store import IntelStore

SIZE_BANDS = ((25, "25 or more"), (10, "10-24"))
#: A band is named only when at least this many reporters gave it.
MIN_BAND_AGREEMENT = 2


def size_band(count: int, min_reporters: int) -> str:
    for floor, label in SIZE_BANDS:
        if count >= floor:
            return label
    return f"{min_reporters}-9"


def summarise(field: Field, answers: Iterable[str | None], min_reporters: int) -> FieldSummary:
    """The field's summary over the reporters' answers (None: the member did not say)."""
    return summarise_counts(field, Counter(a for a in answers if a is not None), min_reporters)


def summarise_counts(field: Field, given: Mapping[str, int], min_reporters: int) -> FieldSummary:
    """The field's summary from how many reporters gave each answer."""
    count = sum(given.values())
    if count < min_reporters:
        return FieldSummary(field, revealed=False)
    size = size_band(count, min_reporters)
    if field.kind == "yes_no":
        if given.get("yes", 0) >= VERDICT_SHARE * count:
            top = "yes"
        elif given.get("no", 0) >= VERDICT_SHARE * count:
            top = "no"
        else:
            top = "mixed"
        return FieldSummary(field, True, (top,), size)
    best = max(given.values())
    if best < MIN_BAND_AGREEMENT:
        # Every reporter gave a different band: naming the "most reported" would list each
        # report's answer, so say only that they differ.
        return FieldSummary(field, True, ("mixed",), size)
    tied = tuple(key for key in field.answers if given.get(key, 0) == best)
    return FieldSummary(field, True, tied, size)


def summarise_cycle(cycle: int, reports: Sequence[Answers], min_reporters: int) -> CycleIntel:
    return CycleIntel(cycle, tuple(
        summarise(field, (r.get(field.key) for r in reports), min_reporters) for field in FIELDS
    ))


class Aggregates:
    """What a server sees: per field, per cycle, the summary of the reports counted there."""

    def __init__(self, store: IntelStore, clock: Clock, guild_settings: GuildSettingsService) -> None:
        self._store = store
        self._clock = clock
        self._settings = guild_settings

    async def min_reporters(self, guild_id: int) -> int:
        value = (await self._settings.get(guild_id)).get("intel_min_reporters")
        return max(MIN_REPORTERS_FLOOR, DEFAULT_MIN_REPORTERS if value is None else int(value))

    async def program(self, guild_id: int, program: Program) -> ProgramIntel:
        """This cycle's and last cycle's summaries of the program's reports in the server."""
        k = await self.min_reporters(guild_id)
        cycle = cycle_of(self._clock.now())
        current, previous = [
            summarise_cycle(c, await self._store.answers_for(guild_id, program.program_id, c), k)
            for c in (cycle, cycle - 1)
        ]
        return ProgramIntel(program, current, previous, k)

    async def search(self, guild_id: int, *, wants: Mapping[str, str],
                     specialty: str | None = None, state: str | None = None,
                     limit: int = 20) -> SearchResult:
        """Programs (of ``specialty`` in ``state``) whose revealed summary this cycle gives
        each yes/no field in ``wants`` its wanted answer ("yes" or "no"). A field below k
        matches nothing, whatever its reports say: a search reveals no more than a view."""
        for key, answer in wants.items():
            if key not in FIELD_BY_KEY or FIELD_BY_KEY[key].kind != "yes_no" or answer not in YES_NO:
                raise InvalidInput(f"Cannot search for {key} = {answer}.")
        if not wants and not specialty and not state:
            raise InvalidInput("Give at least one filter: a sponsorship, a specialty or a state.")
        k = await self.min_reporters(guild_id)
        cycle = cycle_of(self._clock.now())
        if wants:
            # Counted by SQL, summarised here: only programs with reports can qualify.
            qualifying: set[str] | None = None
            for key, answer in wants.items():
                counts = await self._store.answer_counts(guild_id, cycle, key)
                hits = {program_id for program_id, given in counts.items()
                        if summarise_counts(FIELD_BY_KEY[key], given, k).top == (answer,)}
                qualifying = hits if qualifying is None else qualifying & hits
            found = [p for p in (await self._store.programs_by_id(qualifying or ())).values()
                     if (not specialty or p.specialty.lower() == specialty.lower())
                     and (not state or p.state == state.upper())]
            found.sort(key=lambda p: (p.name, p.program_id))
        else:
            found = await self._store.programs_matching(specialty, state)
        return SearchResult(cycle, tuple(found[:limit]), max(0, len(found) - limit), k)
