"""The automatic checks a member gets at once, before any reviewer sees the document.

Pure functions over the text: the ERAS field's length (data/eras_limits.yaml, with its source),
characters a plain-text field rejects or changes, a personal statement that names another
specialty or a program, and CV entries without dates. Each finding says where: the paragraph
(blocks separated by a blank line) and the line, counted from 1 as an editor shows them.
Findings never quote more of the document than the word they are about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import MappingProxyType

import yaml

from bot.config import PROJECT_ROOT
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation._review_models import FieldLimit, Finding, Limits
from bot.services.text import md

DEFAULT_LIMITS = PROJECT_ROOT / "data" / "eras_limits.yaml"
#: Places a check lists before it says "and N more".
MAX_PLACES = 5

#: Characters a plain-text field may reject or change, by class: (name, what to type instead).
_CHARACTER_CLASSES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("smart quotes", "straight quotes ' and \"",
     re.compile("[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033]")),
    ("long dashes", "a hyphen -", re.compile("[\u2012\u2013\u2014\u2015\u2212]")),
    ("ellipsis characters", "three dots ...", re.compile("\u2026")),
    ("tabs", "spaces", re.compile("\t")),
    ("non-breaking or special spaces", "ordinary spaces",
     re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")),
    ("invisible characters", "nothing (delete them)",
     re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")),
    ("bullets", "a hyphen - at the start of the line", re.compile("[\u2022\u25aa\u25cf\u25e6\u2043\uf0b7]")),
    ("emoji and symbols", "words", re.compile(
        "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u2500-\u27bf\u2900-\u2bff\ufe0f"
        "\U0001f000-\U0001faff]")),
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
_MONTH_YEAR = re.compile(r"\b\d{1,2}\s*/\s*(?:19|20)?\d\d\b")
#: CV sections whose entries carry no dates (languages, skills...).
_UNDATED_SECTION = re.compile(r"language|skill|interest|hobb|reference|contact|summary|profile",
                              re.IGNORECASE)
_PROGRAM = re.compile(
    r"\b(?:(?:[A-Z][\w'.&-]*|of|and|the|at)\s+){0,5}?"
    r"(?:[A-Z][\w'.&-]*\s+)(?:Hospital|Medical Cent(?:er|re)|Health System|Health|Clinic|"
    r"Residency Program|Residency|Program|School of Medicine|College of Medicine)\b"
    r"|\bUniversity of [A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}"
)

#: Other ways a statement names a specialty (lower case) besides its label.
_SPECIALTY_WORDS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "anesthesiology": ("anesthesiology", "anaesthesiology", "anesthesia", "anaesthesia"),
    "dermatology": ("dermatology",),
    "diagnostic_radiology": ("radiology",),
    "emergency_medicine": ("emergency medicine",),
    "family_medicine": ("family medicine", "family practice"),
    "internal_medicine": ("internal medicine",),
    "neurology": ("neurology",),
    "neurological_surgery": ("neurosurgery", "neurological surgery"),
    "obstetrics_gynecology": ("obstetrics", "gynecology", "ob/gyn", "obgyn"),
    "ophthalmology": ("ophthalmology",),
    "orthopaedic_surgery": ("orthopaedic", "orthopedic"),
    "otolaryngology": ("otolaryngology", "ent surgery"),
    "pathology": ("pathology",),
    "pediatrics": ("pediatrics", "paediatrics"),
    "pm_r": ("physical medicine and rehabilitation", "pm&r", "physiatry"),
    "plastic_surgery": ("plastic surgery",),
    "preventive_medicine": ("preventive medicine",),
    "psychiatry": ("psychiatry",),
    "radiation_oncology": ("radiation oncology",),
    "general_surgery": ("general surgery",),
    "thoracic_surgery": ("thoracic surgery", "cardiothoracic surgery"),
    "urology": ("urology",),
    "vascular_surgery": ("vascular surgery",),
    "child_neurology": ("child neurology",),
    "medical_genetics": ("medical genetics",),
    "interventional_radiology": ("interventional radiology",),
    "nuclear_medicine": ("nuclear medicine",),
    "osteopathic_nmm": ("neuromusculoskeletal medicine",),
})
#: Specialties whose words contain another's ("child neurology" holds "neurology").
_CONTAINS = {"child_neurology": {"neurology"}, "interventional_radiology": {"diagnostic_radiology"},
             "neurological_surgery": {"neurology"}}
#: word (lower case) -> specialty; one alternation, longest words first, found in one pass.
_SPECIALTY_OF_WORD = {word: key for key, words in _SPECIALTY_WORDS.items() for word in words}
_SPECIALTY_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(_SPECIALTY_OF_WORD, key=len, reverse=True))
    + r")(?!\w)", re.IGNORECASE)


def read_limits(path: Path = DEFAULT_LIMITS) -> Limits:
    """The field limits file (its shape is checked by a test)."""
    raw = yaml.safe_load(path.read_text("utf-8"))
    checked = raw["checked"]
    fields = {
        kind: FieldLimit(kind, str(f["label"]), f.get("limit"), str(f["source"]),
                         str(f.get("note", "")).strip())
        for kind, f in raw["fields"].items()
    }
    return Limits(checked.isoformat() if isinstance(checked, date) else str(checked),
                  MappingProxyType(fields), str(raw["characters"]["source"]))


def run_checks(kind: str, specialty: str, text: str, limits: Limits) -> list[Finding]:
    """Every check that applies to a ``kind`` of document for ``specialty``."""
    found = [*_length(kind, text, limits), *_characters(text)]
    if kind == "personal_statement":
        found += _other_specialties(specialty, text)
        found += _programs(text)
    if kind == "cv":
        found += _undated_entries(text)
    return found


def _length(kind: str, text: str, limits: Limits) -> list[Finding]:
    field = limits.fields[kind]
    if field.limit is None:
        return [Finding("length", f"{len(text):,} characters. {field.note} (checked "
                        f"{limits.checked}: {field.source})")]
    if len(text) <= field.limit:
        return []
    return [Finding("length", f"{len(text):,} characters: {len(text) - field.limit:,} over "
                    f"the ERAS limit of {field.limit:,} for a {field.label.lower()} (checked "
                    f"{limits.checked}: {field.source}). ERAS will not take it as it is.")]


def _places(text: str) -> Iterator[tuple[int, int, str]]:
    """(paragraph, line, text of the line) for every line; paragraphs are split by blank lines."""
    paragraph, blank = 1, False
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            blank = True
            continue
        if blank and number > 1:
            paragraph += 1
        blank = False
        yield paragraph, number, line


def _where(places: list[str]) -> str:
    more = len(places) - MAX_PLACES
    return ", ".join(places[:MAX_PLACES]) + (f" and {more} more" if more > 0 else "")


def _characters(text: str) -> list[Finding]:
    lines: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for _, number, line in _places(text):
        if line.isascii():
            continue
        for name, _, pattern in _CHARACTER_CLASSES:
            hits = len(pattern.findall(line))
            if hits:
                counts[name] = counts.get(name, 0) + hits
                lines.setdefault(name, []).append(f"line {number}")
    found = [
        Finding("characters", f"{name.capitalize()} ({counts[name]}): ERAS may reject or change them; type "
                f"{instead} instead", _where(lines[name]))
        for name, instead, _ in _CHARACTER_CLASSES if name in counts
    ]
    other = _other_non_ascii(text)
    if other:
        found.append(Finding(
            "characters", f"Other characters outside plain English text, such as accents or "
            f"other alphabets ({other[0]}): check they survive in ERAS's preview", _where(other[1])))
    return found


def _other_non_ascii(text: str) -> tuple[int, list[str]] | None:
    count, where = 0, []
    classes = [pattern for _, _, pattern in _CHARACTER_CLASSES]
    for _, number, line in _places(text):
        if line.isascii():
            continue
        rest = line
        for pattern in classes:
            rest = pattern.sub("", rest)
        odd = [ch for ch in rest if not ch.isascii() and unicodedata.category(ch) != "Mn"]
        if odd:
            count += len(odd)
            where.append(f"line {number}")
    return (count, where) if count else None


def _other_specialties(specialty: str, text: str) -> list[Finding]:
    allowed = {specialty, *_CONTAINS.get(specialty, ())}
    places: dict[str, list[str]] = {}
    for paragraph, number, line in _places(text):
        for match in _SPECIALTY_PATTERN.finditer(line):
            key = _SPECIALTY_OF_WORD[match.group(1).lower()]
            if key not in allowed:
                places.setdefault(key, []).append(f"paragraph {paragraph}, line {number}")
    return [Finding("specialty", f"Names **{SPECIALTIES[key]}**, not {SPECIALTIES[specialty]}: "
                    "make sure this statement is the one for this specialty", _where(where))
            for key, where in places.items()]


def _programs(text: str) -> list[Finding]:
    places: dict[str, list[str]] = {}
    for paragraph, number, line in _places(text):
        for match in _PROGRAM.finditer(line):
            words = match.group(0).split()
            while words and not words[0][0].isupper():  # "at", "the" before the name
                words.pop(0)
            name = " ".join(words)[:80]
            places.setdefault(name, []).append(f"paragraph {paragraph}, line {number}")
    return [Finding("program", f"Names **{md(name)}**: ERAS sends one statement to every program "
                    "you assign it to, so a program's name can reach the wrong program "
                    "(fine if it is your medical school or a hospital you worked at)", _where(where))
            for name, where in places.items()]


def _undated_entries(text: str) -> list[Finding]:
    """CV entries (paragraphs of more than a heading) with no year in them."""
    if not _YEAR.search(text) and not _MONTH_YEAR.search(text):
        return [Finding("dates", "No dates anywhere: programs read a CV by its dates (month "
                        "and year for each position, degree, exam and publication)")]
    paragraphs: dict[int, list[tuple[int, str]]] = {}
    for paragraph, number, line in _places(text):
        paragraphs.setdefault(paragraph, []).append((number, line))
    found = []
    section = ""
    for paragraph, lines in paragraphs.items():
        section = next((line for _, line in lines if _is_heading(line)), section)
        body = [(n, line) for n, line in lines if not _is_heading(line)]
        if not body or _UNDATED_SECTION.search(section) or any(
                _YEAR.search(line) or _MONTH_YEAR.search(line) for _, line in body):
            continue
        found.append(Finding("dates", "An entry without dates: add the month and year it "
                             "started and ended", f"paragraph {paragraph}, line {body[0][0]}"))
    return found


def _is_heading(line: str) -> bool:
    """A section title ("EDUCATION", "## Research", "Work experience:")."""
    words = line.strip().lstrip("#").strip().rstrip(":")
    return bool(words) and len(words) <= 40 and (words.isupper() or line.lstrip().startswith("#")
                                                 or line.rstrip().endswith(":"))
