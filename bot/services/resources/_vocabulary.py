"""What members mean: FMG abbreviations, synonyms and the words of other languages they mix in.

A *concept* lists the forms catalog texts use and the aliases members type (abbreviations,
Spanish, Portuguese, French, Hindi/Urdu in Latin script). All forms are written folded (no
accents); multi-word forms are phrases; plurals are matched by `light_stem`. Kept as data.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

from bot.services.resources._text import tokenize

# (forms as catalog texts write them, aliases members type). Every form stands for the
# concept, in the catalog and in queries alike; the split only documents intent. Aliases may
# be empty. Changing this table re-indexes the catalog on the next start (see fingerprint).
_CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "certification|certificate|certified",
        "cert|certs|certificacion|certificado|certificacao|certificat|certifie",
    ),
    (
        "personal statement",
        "ps|declaracion personal|carta de motivacion|carta de motivacao|lettre de motivation",
    ),
    (
        "letter of recommendation|recommendation letter|lor",
        "lors|lorp|lors eras|carta de recomendacion|cartas de recomendacion|carta de recomendacao"
        "|cartas de recomendacao|lettre de recommandation|lettres de recommandation|reference letter"
        "|recommendation|recomendacion|recomendacao|recommandation",
    ),
    ("step 2 ck|clinical knowledge", "ck|step 2|step two|s2ck|2ck"),
    ("step 1", "step one|s1"),
    ("step 3", "step three|s3|ccs"),
    (
        "international medical graduate|img|fmg",
        "imgs|fmgs|foreign medical graduate|foreign graduate|medico extranjero|medica extranjera"
        "|medico estrangeiro|medecin etranger|non us img",
    ),
    (
        "clinical experience|usce|hands on",
        "us clinical experience|experiencia clinica|pratica clinica|experience clinique",
    ),
    ("observership|observer", "observerships|observacion|observador|observacao|observation"),
    ("externship|extern", "externado|pasantia|estagio"),
    (
        "visiting rotation|away rotation|visiting student|elective",
        "rotation|rotacion|rotacao|electiva|eletivo|vslo",
    ),
    ("residency", "residencia|residencias|residencia medica|residence|internat|residente"),
    ("visa", "visas|visado|visto|vistos"),
    ("waiver", "waivers|exencion|dispensa|isencao|derogation|exemption"),
    (
        "fee|cost|price|charge",
        "fees|costs|prices|charges|costo|costos|precio|precios|tarifa|tarifas|custo|custos|preco"
        "|taxa|taxas|frais|prix|cout|paisa|paise|kharcha|kharch|how much",
    ),
    (
        "scholarship|grant|financial aid",
        "scholarships|beca|becas|bolsa|bolsas|bolsa de estudos|bourse|bourses|wazifa",
    ),
    ("interview", "interviews|entrevista|entrevistas|entretien|entretiens"),
    ("exam|test", "examen|exame|examenes|exames|prueba|prova|pariksha|imtihan|examination"),
    ("english", "ingles|idioma|anglais|angrezi|language"),
    (
        "mental health|burnout|wellbeing",
        "salud mental|saude mental|sante mentale|stress|estres|estresse|tension|depression|depresion"
        "|depressao|anxiety|ansiedad|ansiedade",
    ),
    ("physician|doctor", "medico|medica|medicos|medecin|doctora|daktar"),
    (
        "license|licensure|licensing",
        "licencia|licenca|licence|medical license|permis d exercer|licencia medica|licenca medica",
    ),
    ("state", "estado|etat|states"),
    ("unmatched|soap", "no match|didn t match|scramble|sin plaza"),
    ("program director", "pd|pds|director del programa|diretor do programa"),
    ("rank order list|rol", "rank list|ranking list|ranking"),
    (
        "application|apply",
        "solicitud|aplicacion|aplicar|candidatura|inscripcion|inscricao|postuler|applying",
    ),
    ("sponsor|sponsorship", "sponsors|sponsored|patrocinio|patrocinador|patrocinar"),
    ("cv|experiences", "resume|curriculum vitae|curriculo|hoja de vida"),
    ("two year|home country|212 e", "2 year rule|two year rule|home residency"),
    ("specialty", "especialidad|especialidade|specialite|speciality|specialties"),
    ("program", "programs|programa|programas|programme|programmes"),
    (
        "self assessment|practice exam|practice test",
        "simulado|simulacro|mock test|mock exam|cbssa|ccssa|nbme practice",
    ),
    ("question bank|qbank", "banco de preguntas|banco de questoes|questions bank"),
    ("forum|community", "foro|forums|grupo|comunidade|comunidad"),
    ("transcript", "expediente|historico escolar|marksheet"),
    ("wait time", "tiempo de espera|tempo de espera|waiting time"),
    (
        "medical school",
        "escuela de medicina|facultad de medicina|faculdade de medicina|faculte de medecine|medical college",
    ),
    ("suicide|crisis", "suicidio|suicidal|suicidal thoughts"),
    ("flashcards", "flash cards|tarjetas|cartoes"),
    # Acronyms and what they stand for, both ways.
    ("eras|electronic residency application service", "myeras"),
    ("nrmp|national resident matching program", "the match"),
    ("ecfmg|educational commission for foreign medical graduates", ""),
    ("usmle|united states medical licensing examination", ""),
    ("acgme|accreditation council for graduate medical education", ""),
    ("fsmb|federation of state medical boards", "state medical boards"),
    ("nbme|national board of medical examiners", ""),
    ("aamc|association of american medical colleges", ""),
    ("soap|supplemental offer and acceptance program", ""),
    ("vslo|visiting student learning opportunities", "vsas"),
    ("fcvs|federation credentials verification service", ""),
    ("wdoms|world directory of medical schools", "world directory"),
    ("evsp|exchange visitor sponsorship program", ""),
    ("echo|certificate holders office", ""),
    ("oet|occupational english test", ""),
    ("lca|labor condition application", ""),
    ("cim|careers in medicine", "career in medicine"),
    ("sdn|student doctor network", "studentdoctor"),
    ("mspe|medical student performance evaluation", "dean s letter|deans letter"),
)

# Words that carry no meaning for search in the languages members mix in. Only dropped when
# they stand alone (never inside a concept phrase such as "letter of recommendation").
STOPWORDS: frozenset[str] = frozenset(
    # English
    "a an the of for to in on at by with and or not is are was be been do does did i im me my we"
    " you your how what whats when where which who why can could should would will get got"
    " getting need needs want it its this that these those there about from as if any some many"
    " now help please pls plz tell know info information find looking look anyone guys does than"
    " then so just also more most best good into our us near"
    # Spanish
    " de del la las el los para por con como que en un una unos unas y o mi mis es son al lo se"
    " su sus cual donde hay sobre quiero necesito puedo"
    # Portuguese
    " da do das dos em no na nos nas um uma e os as meu minha sao onde qual preciso posso quero"
    # French
    " des du le les pour par avec comment quoi une et ou mon ma mes est sont au aux sur je veux"
    " dois puis quel quelle"
    # Hindi / Urdu in Latin script
    " kaise kese kaisay kesy kaisa milega milegi milta milti mile kya hai hain hay ho hota hoti"
    " ke ki ka ko liye lie se mein main mai aur ya kab kahan kaha kyun kyu karna karne krna krne"
    " kare karein karu chahiye chaiye bhai yaar koi batao bataye kitna kitni kitne wala wali".split()
)


def light_stem(word: str) -> str:
    """Plural-insensitive form for concept lookup ("letters" ~ "letter", "visas" ~ "visa")."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _key(form: str) -> tuple[str, ...]:
    return tuple(light_stem(w) for w in tokenize(form))


def concept_token(first_form: str) -> str:
    """The index token standing for a concept: letters then digits, so no stemmer touches it
    and no member input can produce it (our tokenizer splits letters from digits)."""
    return f"zc{zlib.crc32(first_form.encode()):010d}"


class Vocabulary:
    """Lookup tables derived once from the concept data.

    Both sides use them: a catalog text is indexed with the tokens of every concept it
    mentions (`annotate`), and a query asks for those tokens (`match`). So "j1", "J-1",
    "ps" or "carta de recomendacion" cost one index lookup, whatever the catalog's wording.
    """

    def __init__(self, concepts: tuple[tuple[str, str], ...] = _CONCEPTS) -> None:
        self.surfaces: dict[tuple[str, ...], tuple[str, ...]] = {}
        words: set[str] = set()
        for search, aliases in concepts:
            token = concept_token(search.split("|")[0])
            for surface in (*search.split("|"), *aliases.split("|")):
                words.update(tokenize(surface))
                key = _key(surface)
                if key:
                    # A surface shared by two concepts stands for both.
                    self.surfaces[key] = tuple(dict.fromkeys((*self.surfaces.get(key, ()), token)))
        self.max_surface_len = max(len(k) for k in self.surfaces)
        self.words: frozenset[str] = frozenset(words)
        self.fingerprint = hashlib.sha256(repr(concepts).encode()).hexdigest()[:16]

    def match(self, stems: Sequence[str], start: int) -> tuple[int, tuple[str, ...]] | None:
        """The longest concept surface starting at ``start``: (its length, concept tokens)."""
        for size in range(min(self.max_surface_len, len(stems) - start), 0, -1):
            tokens = self.surfaces.get(tuple(stems[start : start + size]))
            if tokens is not None:
                return size, tokens
        return None

    def annotate(self, tokens: Sequence[str]) -> list[str]:
        """Concept tokens of every surface anywhere in ``tokens`` (overlaps included)."""
        stems = [light_stem(t) for t in tokens]
        found: dict[str, None] = {}
        for start in range(len(stems)):
            for size in range(1, min(self.max_surface_len, len(stems) - start) + 1):
                for token in self.surfaces.get(tuple(stems[start : start + size]), ()):
                    found[token] = None
        return list(found)


VOCABULARY = Vocabulary()


def index_text(text: str) -> str:
    """What the FTS index stores for a catalog text: its tokens, then its concept tokens."""
    tokens = tokenize(text)
    return " ".join([*tokens, *VOCABULARY.annotate(tokens)])
