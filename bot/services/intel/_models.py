"""Program intel's vocabulary (the fixed fields of a report and their answers) and its data.

A report has fixed fields only: a member picks answers, never types text that could identify
them. Each field's answers are keys (stored) with labels (shown); "I don't know" is not an
answer: it is stored as nothing, and does not count towards the field's reporters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

YES_NO = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    #: answer key -> label, in the order the form offers them
    answers: dict[str, str]
    kind: Literal["yes_no", "band"]
    #: names the field on a chosen answer (a menu shows its answer, not its placeholder)
    short: str


FIELDS: tuple[Field, ...] = (
    Field("j1", "Sponsored J-1 this cycle", YES_NO, "yes_no", "J-1"),
    Field("h1b", "Sponsored H-1B this cycle", YES_NO, "yes_no", "H-1B"),
    Field("non_us_img", "Interviewed non-US IMGs", YES_NO, "yes_no", "Non-US IMGs"),
    Field("yog", "Year-of-graduation cutoff", {
        "none": "No cutoff",
        "le10": "10 years or less since graduation",
        "le5": "5 years or less",
        "le3": "3 years or less",
        "le1": "1 year or less",
    }, "band", "YOG cutoff"),
    Field("step2", "Step 2 CK of invitees", {
        "lt230": "Below 230",
        "230": "230-239",
        "240": "240-249",
        "250": "250-259",
        "260": "260 or more",
    }, "band", "Step 2 CK"),
    Field("invites", "Month of first invites", {
        "jul": "July", "aug": "August", "sep": "September", "oct": "October",
        "nov": "November", "dec": "December", "jan": "January", "feb": "February",
    }, "band", "First invites"),
)
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
FIELD_BY_KEY = {f.key: f for f in FIELDS}

#: k: distinct members who must have reported a field before anything about it is shown.
DEFAULT_MIN_REPORTERS = 5
MIN_REPORTERS_FLOOR = 3
#: Days a member must have been in the server before they may report.
DEFAULT_MIN_DAYS = 7
#: A yes/no field reads "yes" (or "no") once this share of its reporters said so; else "mixed".
VERDICT_SHARE = 2 / 3

Answers = dict[str, str | None]


def cycle_of(instant: datetime) -> int:
    """The Match cycle an instant falls in, named by its Match year: a season opens with ERAS
    in June, so June 2026 to May 2027 is the 2027 cycle."""
    return instant.year + 1 if instant.month >= 6 else instant.year


@dataclass(frozen=True, slots=True)
class Program:
    program_id: str
    name: str
    specialty: str
    city: str
    state: str


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """What may be shown about one field: nothing (``revealed`` false) below k reporters; else
    the answer most reporters gave (``top``: one key, or several tied) and a coarse size."""

    field: Field
    revealed: bool
    #: yes/no fields: "yes", "no" or "mixed"; bands: the most reported answer keys, or
    #: "mixed" when no two reporters gave the same one
    top: tuple[str, ...] = ()
    #: "5-9", "10-24" or "25 or more" (never an exact count)
    size: str = ""

    def text(self) -> str:
        if not self.revealed:
            return "not enough reports yet"
        if self.field.kind == "yes_no":
            verdict = {"yes": "Yes", "no": "No", "mixed": "Mixed (no clear majority)"}[self.top[0]]
            return f"{verdict} ({self.size} reports)"
        if self.top == ("mixed",):
            return f"Mixed: no answer given by two reporters ({self.size} reports)"
        labels = " / ".join(self.field.answers[key] for key in self.top)
        return f"Most reported: {labels} ({self.size} reports)"


@dataclass(frozen=True, slots=True)
class CycleIntel:
    cycle: int
    fields: tuple[FieldSummary, ...]

    @property
    def anything(self) -> bool:
        return any(f.revealed for f in self.fields)


@dataclass(frozen=True, slots=True)
class ProgramIntel:
    program: Program
    current: CycleIntel
    previous: CycleIntel
    min_reporters: int


@dataclass(frozen=True, slots=True)
class MyReport:
    program: Program
    cycle: int
    answers: Answers
    #: the report was counted in another server until now (it moves to this one)
    moved: bool = False


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    cycle: int
    programs: tuple[Program, ...]
    #: more matched than returned
    more: int
    min_reporters: int
