"""What members mean: FMG abbreviations, synonyms and the words of other languages they mix in.

A *concept* lists the forms catalog texts use and the aliases members type (abbreviations,
misspelled names, form numbers, Spanish, Portuguese, French, Arabic, Hindi/Urdu in Latin
script). Forms are written folded (no accents; Arabic as typed, `tokenize` normalizes it);
multi-word forms are phrases; plurals are matched by `light_stem`. Kept as data, in this one
place, and reviewed like the catalog.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

from bot.services.resources._text import tokenize

# (forms as catalog texts write them, aliases members type). Every form stands for the
# concept, in the catalog and in queries alike; the split only documents intent. Aliases may
# be empty. Changing this table re-indexes the catalog on the next start (see fingerprint).
# Arabic forms are written as members type them; tokenize() normalizes both sides alike.
_CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "certification|certificate|certified",
        "cert|certs|certificacion|certificado|certificacao|certificat|certifie|شهادة|شهاده",
    ),
    (
        "personal statement",
        "ps|declaracion personal|carta de motivacion|carta de motivacao|lettre de motivation",
    ),
    (
        "letter of recommendation|recommendation letter|lor",
        "lors|lorp|lors eras|carta de recomendacion|cartas de recomendacion|carta de recomendacao"
        "|cartas de recomendacao|lettre de recommandation|lettres de recommandation|reference letter"
        "|recommendation|recomendacion|recomendacao|recommandation|letter writer|letter writers"
        "|rec letter|rec letters"
        "|sifarish|رسالة توصية|خطاب توصية|توصية",
    ),
    ("step 2 ck|clinical knowledge", "ck|step 2|step two|s2ck|2ck|step2"),
    ("step 1", "step one|s1"),
    ("step 3", "step three|s3|ccs"),
    (
        "international medical graduate|img|fmg",
        "imgs|fmgs|foreign medical graduate|foreign graduate|medico extranjero|medica extranjera"
        "|medico estrangeiro|medecin etranger|non us img|extranjero|extranjeros|estrangeiro"
        "|etranger|international student|international students|foreign doctor|foreign doctors",
    ),
    (
        "clinical experience|usce|hands on",
        "us clinical experience|experiencia clinica|pratica clinica|experience clinique"
        "|clinical rotation|clinicals|us experience",
    ),
    (
        "observership|observer",
        "observerships|observacion|observador|observacao|observation|obsi|observer ship",
    ),
    ("externship|extern", "externado|pasantia|estagio"),
    (
        "visiting rotation|away rotation|visiting student|elective",
        "rotation|rotacion|rotacao|electiva|eletivo|vslo|electives",
    ),
    (
        "residency|resident",
        "residencia|residencias|residencia medica|residence|internat|residente|residents"
        "|pgy1|pgy 1|pgy|اقامة|إقامة|الاقامة|زمالة",
    ),
    ("visa", "visas|visado|visto|vistos|تأشيرة|تاشيرة|فيزا"),
    (
        "waiver",
        "waivers|exencion|dispensa|isencao|derogation|exemption|staying after j 1"
        "|stay after j 1|avoid going back|not go back home|avoid going home|go back home",
    ),
    (
        "fee|cost|price|charge",
        "fees|costs|prices|charges|costo|costos|precio|precios|tarifa|tarifas|custo|custos|preco"
        "|taxa|taxas|frais|prix|cout|paisa|paise|kharcha|kharch|how much|cuanto cuesta|cuesta"
        "|quanto custa|custa|combien|rusoom|رسوم|تكلفة|سعر",
    ),
    (
        "scholarship|grant|financial aid",
        "scholarships|beca|becas|bolsa|bolsas|bolsa de estudos|bourse|bourses|wazifa"
        "|funding|منحة",
    ),
    ("interview", "interviews|entrevista|entrevistas|entretien|entretiens|مقابلة"),
    (
        "exam|test",
        "examen|exame|examenes|exames|prueba|prova|pariksha|imtihan|examination|امتحان|اختبار",
    ),
    ("english", "ingles|idioma|anglais|angrezi|language|انجليزية|انجليزي|لغة"),
    (
        "mental health|burnout|wellbeing",
        "salud mental|saude mental|sante mentale|stress|estres|estresse|tension|depression|depresion"
        "|depressao|anxiety|ansiedad|ansiedade|burn out|burned out|burnt out|exhausted|struggling"
        "|depressed|anxious|epuisement|agotado|esgotado|pareshan|pareshani|احتراق|اكتئاب|قلق",
    ),
    ("physician|doctor", "medico|medica|medicos|medecin|doctora|daktar|doctors|طبيب"),
    (
        "license|licensure|licensing",
        "licencia|licenca|licence|medical license|permis d exercer|licencia medica|licenca medica"
        "|licensed|ترخيص|رخصة",
    ),
    ("state", "estado|etat|states"),
    (
        "unmatched|soap",
        "no match|didn t match|scramble|sin plaza|did not match|didnt match|not matching"
        "|not matched|failed to match|went unmatched|no interviews|no interview|zero interviews"
        "|0 interviews|no quede|no quede en el match|nao passei no match|match nahi|match nahi hua"
        "|pas de match|لم اتطابق",
    ),
    ("program director", "pd|pds|director del programa|diretor do programa|program directors"),
    ("rank order list|rol", "rank list|ranking list|rank my programs"),
    (
        "application|apply",
        "solicitud|aplicacion|aplicar|candidatura|inscripcion|inscricao|postuler|applying|applied",
    ),
    ("sponsor|sponsorship", "sponsors|sponsored|patrocinio|patrocinador|patrocinar"),
    ("cv|experiences", "resume|curriculum vitae|curriculo|hoja de vida"),
    ("two year|home country|212 e", "2 year rule|two year rule|home residency|two year home rule"),
    ("specialty", "especialidad|especialidade|specialite|speciality|specialties"),
    ("program", "programs|programa|programas|programme|programmes|hospital|hospitals"),
    (
        "self assessment|practice exam|practice test|score predictor",
        "simulado|simulacro|mock test|mock exam|cbssa|ccssa|nbme practice|predict my score"
        "|predict score|predictor",
    ),
    ("question bank|qbank", "banco de preguntas|banco de questoes|questions bank"),
    ("forum|community", "foro|forums|grupo|comunidade|comunidad|share experiences"),
    ("transcript", "expediente|historico escolar|marksheet"),
    (
        "wait time|appointment",
        "tiempo de espera|tempo de espera|waiting time|wait|waiting|appointments|cita|rendez vous"
        "|visa slot|visa slots|slot|slots|موعد",
    ),
    (
        "medical school",
        "escuela de medicina|facultad de medicina|faculdade de medicina|faculte de medecine"
        "|medical college|med school|faculdade|facultad|universidad|university|كلية الطب",
    ),
    # Distress in every supported language: DISTRESS below puts the crisis lines first.
    (
        "suicide|crisis",
        "suicidio|suicidal|suicidal thoughts|suicidaire|kill myself|killing myself|want to die"
        "|wanna die|end my life|end it all|don t want to live|dont want to live|no reason to live"
        "|self harm|hurt myself|harm myself|can t go on|cant go on|hopeless|tired of living"
        "|tired of life|give up on life|no point in living|better off dead|quiero morir"
        "|me quiero morir|matarme|no quiero vivir|quitarme la vida|quero morrer|me matar"
        "|nao quero viver|tirar minha vida|envie de mourir|veux mourir|me tuer|me suicider"
        "|marna chahta|marna chahti|mar jaunga|mar jaun|jeena nahi|jina nahi|khudkushi|khud kushi"
        "|aatmahatya|atmahatya|انتحار|اريد ان اموت|اموت|اقتل نفسي",
    ),
    ("flashcards", "flash cards|tarjetas|cartoes|flashcard app"),
    ("pass fail", "p f|pass or fail|aprobado reprobado|aprovado reprovado"),
    (
        "attempt limits|attempts",
        "how many times|how many attempts|retake|retakes|retaking|number of attempts|intentos"
        "|tentativas|tentatives",
    ),
    (
        "underserved area|underserved",
        "sous desservie|zona desatendida|area carente|shortage area|hpsa|rural area|rural",
    ),
    (
        "requirements|eligibility",
        "requirement|requisitos|requisito|exigences|conditions|eligible|criteria|متطلبات|شروط",
    ),
    ("statistics|numbers", "how many|number of|stats|estadisticas|estatisticas|kitne log"),
    ("img friendly", "img friendly programs|friendly to imgs|take imgs|accept imgs|imgs friendly"),
    ("interview scheduling", "schedule interviews|schedule my interviews|interview invites|invites"),
    ("green card", "permanent residence|permanent resident|gc"),
    # Forms members name by number; the catalog writes them with a hyphen.
    ("ds 2019", "form ds 2019|ds2019"),
    ("ds 160", "form ds 160"),
    ("ds 3035", "form ds 3035|waiver review application"),
    ("i 129", "form i 129|petition"),
    ("i 94", "form i 94|arrival record"),
    # Acronyms and what they stand for, both ways.
    ("eras|electronic residency application service", "myeras|eras application"),
    ("nrmp|national resident matching program", "the match"),
    ("ecfmg|educational commission for foreign medical graduates", ""),
    ("usmle|united states medical licensing examination", ""),
    ("acgme|accreditation council for graduate medical education", ""),
    ("fsmb|federation of state medical boards", "state medical boards"),
    ("nbme|national board of medical examiners", ""),
    ("aamc|association of american medical colleges", ""),
    ("soap|supplemental offer and acceptance program", "soap week"),
    ("vslo|visiting student learning opportunities", "vsas"),
    ("fcvs|federation credentials verification service", ""),
    ("wdoms|world directory of medical schools", "world directory|recognized by ecfmg"),
    ("evsp|exchange visitor sponsorship program", ""),
    ("echo|certificate holders office", "after certification|after my ecfmg certificate"),
    ("oet|occupational english test", ""),
    ("lca|labor condition application", ""),
    ("cim|careers in medicine", "career in medicine"),
    ("sdn|student doctor network", "studentdoctor"),
    ("mspe|medical student performance evaluation", "dean s letter|deans letter"),
)

# Misspellings members type that fuzzy matching cannot repair (short names, letters swapped
# or dropped): typed -> meant. Corrected before anything else, and shown as corrected.
MISSPELLINGS: dict[str, str] = {
    typed: meant
    for meant, typos in (
        ("ecfmg", "ecmfg ecfgm efcmg ecfg ecfm ecmg ecgmf ecfmgs"),
        ("nrmp", "nrpm nmrp rnmp nrmb nrm"),
        ("usmle", "usmel usmile umsle usml usmlee"),
        ("fsmb", "fsbm fmsb sfmb fsm"),
        ("intealth", "inthealth intelth intealt intehealth intelhealth"),
        ("acgme", "acgm agcme acmge"),
        ("nbme", "nmbe nbem nbmes"),
        ("aamc", "amac aamcs"),
        ("eras", "erass eraz"),
        ("freida", "frieda freda fryda"),
        ("thalamus", "thalmus thalamos thalumus"),
        ("conrad", "conard conrod"),
        ("waiver", "waver wavier waiwer"),
        ("sponsorship", "sponsership sponsorhip"),
        ("sponsor", "sponser sponsar"),
        ("fees", "fess feez"),
        ("recommendation", "recomendation reccomendation recomendations"),
        ("interview", "intervew interveiw inteview"),
        ("scholarship", "scolarship scholership"),
        ("residency", "residensy recidency residancy"),
        ("observership", "obsevership observorship obervership"),
    )
    for typed in typos.split()
}

# Words that carry no meaning for search in the languages members write in: question words,
# pronouns and filler. Only dropped when they stand alone (never inside a concept phrase such as
# "letter of recommendation"). Written as members type them; tokenize() normalizes them.
_STOPWORDS = (
    # English
    "a an the of for to in on at by with and or not no is are was were be been being do does did"
    " doing done i im me my mine myself we you your yours he she his her him they them their it"
    " its this that these those there here how what whats when where which who whom whose why"
    " can could should would will shall may might must get gets got getting need needs want"
    " wanna gonna about from as if any some many much now help please pls plz tell know info"
    " information find looking look anyone someone something anything everyone guys bro sir"
    " than then so just also more most best good into our us near actually really still exactly"
    " already yet even very too only ever like one way ways thing things stuff etc kindly hi"
    " hello hey thanks thank ok okay u ur r y t s m ve ll d re don doesn didn isn aren won cant"
    " cannot dont doesnt didnt isnt am let lets go going make take taking give see say ask put"
    " while after before during since until again other options option right there whether"
    " worth idk anybody somebody possible kind sort type types"
    # Spanish
    " de del la las el los para por con como que en un una unos unas y o mi mis es son al lo se"
    " su sus cual cuales donde hay sobre quiero necesito puedo hago hacer tengo tiene tienen"
    " cuanto cuanta cuando quien quienes porque esta estan este esto eso si no ya muy mas pero"
    " ayuda alguien algo consigo conseguir obtener suben sube debo deberia"
    # Portuguese
    " da do das dos em no na nos nas um uma e os as meu minha sao onde qual quais preciso posso"
    " quero como estou esta sou tenho ajuda alguem quanto quando quem voce para pra com"
    " nao mais muito devo fazer consigo conseguir obter listada listado"
    # French
    " des du le les pour par avec comment quoi une et ou mon ma mes est sont au aux sur je veux"
    " dois puis quel quelle quels quelles combien qui que est ce cette ces il elle nous vous ils"
    " dans pas ne aide obtenir faire avoir peux pourquoi quand travailler l d j qu c n s"
    # Hindi / Urdu in Latin script
    " kaise kese kaisay kesy kaisa milega milegi milta milti mile kya hai hain hay ho hota hoti"
    " ke ki ka ko liye lie se mein main mai aur ya kab kahan kaha kyun kyu karna karne krna krne"
    " kare karein karu karun chahiye chaiye bhai yaar koi batao bataye kitna kitni kitne wala wali"
    " konse kaunsa kaun kon konsa dete deta deti ab mujhe mujhko mera meri mere hum hamara apna"
    " tha thi the raha rahi rahe hua hui kuch bhi sab please plz agar lekin toh to nahi na"
    # Arabic
    " ما ماذا هي هو هل كيف اين أين متى لماذا من في على الى إلى عن مع انا أنا لي لا كم التي الذي"
    " هذا هذه او أو ثم احصل أحصل اريد أريد يمكن يجب عند كل بعد قبل"
)

# Places members name that no entry holds. Known words, so they are never "corrected" into a
# catalog word ("york" -> "your"); ranking lets the words that do match decide.
_PLACES = (
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia"
    " hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts"
    " michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york"
    " carolina dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont"
    " virginia washington wisconsin wyoming nyc chicago boston houston dallas miami atlanta"
    " detroit philadelphia seattle baltimore brooklyn bronx queens cleveland pittsburgh phoenix"
    " angeles francisco diego india pakistan egypt nigeria philippines bangladesh nepal brazil"
    " colombia venezuela peru argentina cuba syria jordan lebanon iraq iran saudi sudan morocco"
    " algeria tunisia mumbai delhi karachi lahore islamabad cairo lagos manila dhaka kathmandu"
    " bogota caracas lima havana beirut amman baghdad tehran riyadh casablanca chennai kolkata"
    " bangalore hyderabad abroad usa america canada uk ireland australia"
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
STOPWORDS: frozenset[str] = frozenset(tokenize(_STOPWORDS))
PLACES: frozenset[str] = frozenset(tokenize(_PLACES))
DISTRESS: str = concept_token("suicide")
"""The concept token of distress and self-harm: queries carrying it see the crisis lines first."""


def index_text(text: str) -> str:
    """What the FTS index stores for a catalog text: its tokens, then its concept tokens."""
    tokens = tokenize(text)
    return " ".join([*tokens, *VOCABULARY.annotate(tokens)])
