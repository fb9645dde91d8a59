"""Fixed vocabularies for mentor and mentee profiles.

Each vocabulary maps a stable key (stored in the DB) to a label (shown in Discord). Keys never
change once stored; labels may. Order matters: it is the order of select options, and for
``EXAM_STAGES`` it is the order of progress (a later stage is "ahead").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from bot.errors import InvalidInput

# ACGME-accredited core (primary) specialties. 28 entries: a select offers at most 25 options,
# so the cog splits this list in two selects.
SPECIALTIES: Mapping[str, str] = MappingProxyType({
    "anesthesiology": "Anesthesiology",
    "child_neurology": "Child Neurology",
    "dermatology": "Dermatology",
    "diagnostic_radiology": "Diagnostic Radiology",
    "emergency_medicine": "Emergency Medicine",
    "family_medicine": "Family Medicine",
    "internal_medicine": "Internal Medicine",
    "interventional_radiology": "Interventional Radiology",
    "medical_genetics": "Medical Genetics and Genomics",
    "neurological_surgery": "Neurological Surgery",
    "neurology": "Neurology",
    "nuclear_medicine": "Nuclear Medicine",
    "obstetrics_gynecology": "Obstetrics and Gynecology",
    "ophthalmology": "Ophthalmology",
    "orthopaedic_surgery": "Orthopaedic Surgery",
    "osteopathic_nmm": "Osteopathic Neuromusculoskeletal Medicine",
    "otolaryngology": "Otolaryngology",
    "pathology": "Pathology",
    "pediatrics": "Pediatrics",
    "pm_r": "Physical Medicine and Rehabilitation",
    "plastic_surgery": "Plastic Surgery",
    "preventive_medicine": "Preventive Medicine",
    "psychiatry": "Psychiatry",
    "radiation_oncology": "Radiation Oncology",
    "general_surgery": "Surgery (General)",
    "thoracic_surgery": "Thoracic Surgery",
    "urology": "Urology",
    "vascular_surgery": "Vascular Surgery",
})

VISA_ROUTES: Mapping[str, str] = MappingProxyType({
    "j1": "J-1",
    "h1b": "H-1B",
    "gc_citizen": "Green card / US citizen",
    "j1_waiver": "J-1 waiver",
})

# In order of progress. "not_started" exists for mentees who have not sat an exam yet.
EXAM_STAGES: Mapping[str, str] = MappingProxyType({
    "not_started": "Not started",
    "step1": "Step 1",
    "step2ck": "Step 2 CK",
    "oet": "OET",
    "ecfmg_certified": "ECFMG certified",
    "step3": "Step 3",
    "matched": "Matched",
    "resident": "Resident",
    "attending": "Attending",
})
STAGE_RANK: Mapping[str, int] = MappingProxyType({key: i for i, key in enumerate(EXAM_STAGES)})

# 25 languages most spoken among FMGs applying to US programs (English first).
LANGUAGES: Mapping[str, str] = MappingProxyType({
    "en": "English",
    "es": "Spanish",
    "hi": "Hindi",
    "ur": "Urdu",
    "ar": "Arabic",
    "bn": "Bengali",
    "pa": "Punjabi",
    "ta": "Tamil",
    "te": "Telugu",
    "ml": "Malayalam",
    "gu": "Gujarati",
    "mr": "Marathi",
    "ne": "Nepali",
    "zh": "Mandarin",
    "yue": "Cantonese",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ko": "Korean",
    "fa": "Persian",
    "pt": "Portuguese",
    "fr": "French",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "am": "Amharic",
})

# Bit positions for vectorised matching (every vocabulary has < 64 entries).
SPECIALTY_BIT: Mapping[str, int] = MappingProxyType({k: 1 << i for i, k in enumerate(SPECIALTIES)})
VISA_BIT: Mapping[str, int] = MappingProxyType({k: 1 << i for i, k in enumerate(VISA_ROUTES)})
LANGUAGE_BIT: Mapping[str, int] = MappingProxyType({k: 1 << i for i, k in enumerate(LANGUAGES)})


def check_keys(values: Iterable[str], vocabulary: Mapping[str, str], what: str,
               *, at_least: int = 1) -> tuple[str, ...]:
    """Validate keys against a vocabulary; return them de-duplicated in vocabulary order."""
    chosen = set(values)
    unknown = sorted(chosen - set(vocabulary))
    if unknown:
        raise InvalidInput(f"Unknown {what}: {', '.join(unknown)}.")
    if len(chosen) < at_least:
        raise InvalidInput(f"Pick at least {at_least} {what}.")
    return tuple(key for key in vocabulary if key in chosen)


def check_key(value: str, vocabulary: Mapping[str, str], what: str) -> str:
    """Validate a single key against a vocabulary."""
    if value not in vocabulary:
        raise InvalidInput(f"Unknown {what}: {value}.")
    return value


def bits(keys: Iterable[str], table: Mapping[str, int]) -> int:
    """OR the bits of the given keys."""
    out = 0
    for key in keys:
        out |= table[key]
    return out


def labels(keys: Iterable[str], vocabulary: Mapping[str, str]) -> str:
    """Human-readable, comma-separated labels."""
    return ", ".join(vocabulary[k] for k in keys)
