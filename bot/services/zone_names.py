"""What members type when asked for their time zone, beyond IANA names: data only.

Country names come from tzdata's iso3166.tab and zone.tab (read in timezones.py); this adds the
common names those files lack, the big cities that are not zone names, the abbreviations
people use that tzdata does not print (tzdata writes "+0330" for Iran and "PST" for Manila),
and which zone comes first for countries with several. Keys are lower case.
"""

from __future__ import annotations

#: Common names -> ISO 3166 codes (tzdata's names: "Britain (UK)", "Korea (South)", ...).
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "us": "US", "united states of america": "US", "america": "US",
    "uae": "AE", "emirates": "AE", "ksa": "SA", "saudi": "SA",
    "persia": "IR", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "burma": "MM", "ivory coast": "CI", "holland": "NL", "czech republic": "CZ",
    "trinidad": "TT", "tobago": "TT", "saint lucia": "LC", "saint vincent": "VC",
    "saint kitts": "KN", "st kitts": "KN", "antigua": "AG", "turks and caicos": "TC",
    "palestine": "PS", "gaza": "PS", "west bank": "PS", "vietnam": "VN", "russia": "RU",
    "hong kong": "HK", "macao": "MO", "macau": "MO", "drc": "CD", "congo": "CD",
    "gambia": "GM", "swaziland": "SZ", "eswatini": "SZ", "turkiye": "TR",
    # names in the countries' own languages
    "bharat": "IN", "brasil": "BR", "misr": "EG", "masr": "EG", "deutschland": "DE",
    "espana": "ES", "italia": "IT", "nippon": "JP", "pilipinas": "PH", "suriyah": "SY",
    "iran islamic republic": "IR",
}

#: Regions members name as if countries.
REGIONS: dict[str, tuple[str, ...]] = {
    "caribbean": (
        "America/Jamaica", "America/Port_of_Spain", "America/Barbados", "America/Santo_Domingo",
        "America/Port-au-Prince", "America/Havana", "America/Puerto_Rico", "America/Nassau",
        "America/Grenada", "America/St_Lucia", "America/Antigua", "America/Dominica",
        "America/St_Vincent", "America/St_Kitts", "America/Cayman", "America/Curacao",
        "America/Aruba", "America/Guyana",
    ),
}

#: Cities that are not zone names -> their zones (most likely first).
CITIES: dict[str, tuple[str, ...]] = {
    # India
    "delhi": ("Asia/Kolkata",), "new delhi": ("Asia/Kolkata",), "mumbai": ("Asia/Kolkata",),
    "bombay": ("Asia/Kolkata",), "calcutta": ("Asia/Kolkata",), "chennai": ("Asia/Kolkata",),
    "madras": ("Asia/Kolkata",), "bangalore": ("Asia/Kolkata",), "bengaluru": ("Asia/Kolkata",),
    "hyderabad": ("Asia/Kolkata", "Asia/Karachi"), "ahmedabad": ("Asia/Kolkata",),
    "pune": ("Asia/Kolkata",), "jaipur": ("Asia/Kolkata",), "lucknow": ("Asia/Kolkata",),
    "kerala": ("Asia/Kolkata",), "kochi": ("Asia/Kolkata",), "chandigarh": ("Asia/Kolkata",),
    # Pakistan
    "lahore": ("Asia/Karachi",), "islamabad": ("Asia/Karachi",), "rawalpindi": ("Asia/Karachi",),
    "peshawar": ("Asia/Karachi",), "faisalabad": ("Asia/Karachi",), "multan": ("Asia/Karachi",),
    "quetta": ("Asia/Karachi",),
    # Nigeria, Ghana, Kenya, Ethiopia
    "abuja": ("Africa/Lagos",), "ibadan": ("Africa/Lagos",), "kano": ("Africa/Lagos",),
    "port harcourt": ("Africa/Lagos",), "enugu": ("Africa/Lagos",), "benin city": ("Africa/Lagos",),
    "kumasi": ("Africa/Accra",), "mombasa": ("Africa/Nairobi",),
    # Egypt, Middle East, Iran
    "alexandria": ("Africa/Cairo",), "giza": ("Africa/Cairo",), "mansoura": ("Africa/Cairo",),
    "aleppo": ("Asia/Damascus",), "homs": ("Asia/Damascus",), "latakia": ("Asia/Damascus",),
    "tehran": ("Asia/Tehran",), "mashhad": ("Asia/Tehran",), "isfahan": ("Asia/Tehran",),
    "shiraz": ("Asia/Tehran",), "tabriz": ("Asia/Tehran",), "jeddah": ("Asia/Riyadh",),
    "mecca": ("Asia/Riyadh",), "medina": ("Asia/Riyadh",), "abu dhabi": ("Asia/Dubai",),
    "sharjah": ("Asia/Dubai",), "doha": ("Asia/Qatar",), "mosul": ("Asia/Baghdad",),
    "erbil": ("Asia/Baghdad",), "sanaa": ("Asia/Aden",), "tel aviv": ("Asia/Jerusalem",),
    "ankara": ("Europe/Istanbul",),
    # Bangladesh, Nepal, Sri Lanka, Philippines, Southeast Asia
    "chittagong": ("Asia/Dhaka",), "chattogram": ("Asia/Dhaka",), "sylhet": ("Asia/Dhaka",),
    "pokhara": ("Asia/Kathmandu",), "kandy": ("Asia/Colombo",), "cebu": ("Asia/Manila",),
    "davao": ("Asia/Manila",), "quezon city": ("Asia/Manila",), "makati": ("Asia/Manila",),
    "hanoi": ("Asia/Bangkok",), "saigon": ("Asia/Ho_Chi_Minh",), "beijing": ("Asia/Shanghai",),
    # Latin America and the Caribbean
    "rio de janeiro": ("America/Sao_Paulo",), "rio": ("America/Sao_Paulo",),
    "brasilia": ("America/Sao_Paulo",), "belo horizonte": ("America/Sao_Paulo",),
    "porto alegre": ("America/Sao_Paulo",), "curitiba": ("America/Sao_Paulo",),
    "salvador": ("America/Bahia",), "guadalajara": ("America/Mexico_City",),
    "puebla": ("America/Mexico_City",), "cdmx": ("America/Mexico_City",),
    "kingston": ("America/Jamaica",), "montego bay": ("America/Jamaica",),
    "san juan": ("America/Puerto_Rico",), "bridgetown": ("America/Barbados",),
    "georgetown": ("America/Guyana",), "havana": ("America/Havana",),
    "san fernando": ("America/Port_of_Spain",), "castries": ("America/St_Lucia",),
    "basseterre": ("America/St_Kitts",), "roseau": ("America/Dominica",),
    "bogota": ("America/Bogota",), "medellin": ("America/Bogota",),
    # UK, Europe
    "manchester": ("Europe/London",), "birmingham": ("Europe/London",),
    "liverpool": ("Europe/London",), "leeds": ("Europe/London",), "glasgow": ("Europe/London",),
    "edinburgh": ("Europe/London",), "cardiff": ("Europe/London",),
    "belfast": ("Europe/London",), "cork": ("Europe/Dublin",), "frankfurt": ("Europe/Berlin",),
    "munich": ("Europe/Berlin",), "hamburg": ("Europe/Berlin",), "kiev": ("Europe/Kyiv",),
    # US and Canada
    "boston": ("America/New_York",), "philadelphia": ("America/New_York",),
    "washington": ("America/New_York",), "baltimore": ("America/New_York",),
    "atlanta": ("America/New_York",), "miami": ("America/New_York",),
    "brooklyn": ("America/New_York",), "newark": ("America/New_York",),
    "pittsburgh": ("America/New_York",), "cleveland": ("America/New_York",),
    "houston": ("America/Chicago",), "dallas": ("America/Chicago",),
    "san antonio": ("America/Chicago",), "austin": ("America/Chicago",),
    "minneapolis": ("America/Chicago",), "st louis": ("America/Chicago",),
    "nashville": ("America/Chicago",), "san francisco": ("America/Los_Angeles",),
    "seattle": ("America/Los_Angeles",), "san diego": ("America/Los_Angeles",),
    "las vegas": ("America/Los_Angeles",), "portland": ("America/Los_Angeles",),
    "salt lake city": ("America/Denver",), "montreal": ("America/Toronto",),
    "ottawa": ("America/Toronto",), "calgary": ("America/Edmonton",),
}

#: Abbreviations members type, most likely zone first; tzdata's own ones are added to these
#: (one zone per country that prints them), so only what tzdata lacks or orders badly is here.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "IST": ("Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"),
    "PKT": ("Asia/Karachi",),
    "WAT": ("Africa/Lagos",),
    "EET": ("Africa/Cairo", "Europe/Athens", "Europe/Bucharest", "Europe/Kyiv", "Asia/Beirut"),
    "EEST": ("Africa/Cairo", "Europe/Athens", "Europe/Bucharest", "Europe/Kyiv"),
    "PHT": ("Asia/Manila",), "PHST": ("Asia/Manila",),
    "BST": ("Europe/London", "Asia/Dhaka"), "BDT": ("Asia/Dhaka",),
    "IRST": ("Asia/Tehran",), "IRDT": ("Asia/Tehran",),
    "EST": ("America/New_York",), "EDT": ("America/New_York",), "ET": ("America/New_York",),
    "CST": ("America/Chicago", "America/Mexico_City", "Asia/Shanghai", "America/Havana"),
    "CDT": ("America/Chicago",), "CT": ("America/Chicago",),
    "MST": ("America/Denver", "America/Phoenix"), "MDT": ("America/Denver",),
    "MT": ("America/Denver",),
    "PST": ("America/Los_Angeles", "Asia/Manila"), "PDT": ("America/Los_Angeles",),
    "PT": ("America/Los_Angeles",),
    "AST": ("America/Puerto_Rico", "Asia/Riyadh", "America/Halifax"),
    "GST": ("Asia/Dubai",), "NPT": ("Asia/Kathmandu",), "SLST": ("Asia/Colombo",),
    "BRT": ("America/Sao_Paulo",), "ART": ("America/Argentina/Buenos_Aires",),
    "SYT": ("Asia/Damascus",), "AFT": ("Asia/Kabul",), "MYT": ("Asia/Kuala_Lumpur",),
    "SGT": ("Asia/Singapore",), "ICT": ("Asia/Bangkok", "Asia/Ho_Chi_Minh"),
    "GMT": ("UTC", "Europe/London", "Africa/Accra"), "UTC": ("UTC",), "Z": ("UTC",),
}

#: Spoken names of the US/Canadian zones, in what abbreviations they cover.
GENERIC_NAMES: dict[str, tuple[str, ...]] = {
    "eastern": ("EST", "EDT"), "central": ("CST", "CDT"), "mountain": ("MST", "MDT"),
    "pacific": ("PST", "PDT"),
}

#: The zone to offer first for countries with several.
PRIMARY: dict[str, str] = {
    "US": "America/New_York", "CA": "America/Toronto", "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City", "AU": "Australia/Sydney", "RU": "Europe/Moscow",
    "CN": "Asia/Shanghai", "ID": "Asia/Jakarta", "KZ": "Asia/Almaty", "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago", "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "DE": "Europe/Berlin",
    "UA": "Europe/Kyiv", "CD": "Africa/Kinshasa", "EC": "America/Guayaquil", "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland", "PS": "Asia/Gaza", "CY": "Asia/Nicosia", "MN": "Asia/Ulaanbaatar",
    "UZ": "Asia/Tashkent", "PG": "Pacific/Port_Moresby", "GL": "America/Nuuk",
}

#: The list shown before a member types anything.
POPULAR: tuple[str, ...] = (
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "Europe/London", "Africa/Lagos", "Africa/Cairo", "Asia/Karachi", "Asia/Kolkata",
    "Asia/Dhaka", "Asia/Manila", "Asia/Dubai", "Asia/Riyadh", "Asia/Tehran", "Asia/Damascus",
    "America/Sao_Paulo", "America/Mexico_City", "America/Jamaica", "Australia/Sydney",
)
