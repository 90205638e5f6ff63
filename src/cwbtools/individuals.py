"""Is a payee a private person, or a name the publisher withheld?

Payments to individuals are never named in any output, so ingest flags them. The evidence, in
order: a redaction marker (`Redacted personal data`, `*** COMPANY NAME REDACTED ***`,
`THIRD PARTY SUPPLIER`); a personal title (`MR Y ALI`, `Dr J Williams`); or two to four words
that start with a known first name (the `gender-guesser` dictionary of about 40,000 first names)
with no word that marks an organisation (`ltd`, `council`, `services`, `college`, `wine`, ...).

A name flagged wrongly is only hidden in reports (the spend is still counted); a person missed is
named in public, so the rules lean towards flagging. Unfamiliar first names with no title
(`Nattamon Chaoumduang`) are not caught: no evidence, no flag.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Every alternative of _REDACTED holds one of these, in lower case (kept in step with it).
_REDACTION_WORDS = ("redact", "withheld", "personal data", "third party", "individual", "name removed",
                    "disclosed", "confidential", "anonymi", "sensitive data", "restricted")
_REDACTED = re.compile(
    r"(?<![a-z])redact(ed|ion|ions)?(?![a-z])|withheld|personal data|^\W*third party( supplier| payee| payment)?\W*$|"
    r"^\W*(private individual|individual|name removed|not disclosed|undisclosed|"
    r"confidential|anonymi[sz]ed|sensitive data|restricted)\W*$",
    re.IGNORECASE,
)

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "rev", "revd", "sir", "dame", "lady", "lord"}

# Words that mark an organisation or a trade. A name holding any of them is not a private person
# for our purposes (sole traders trading under a trade name are businesses).
_ORG_WORDS = set("""
ltd limited plc llp lp cic inc incorporated co company corp corporation group holdings partnership
partners associates association assoc society trust trustees charity foundation fund council
borough county city district parish town authority nhs hospital hospitals clinic surgery practice
medical health healthcare care homes home services service solutions systems consulting consultancy
consultants school schools academy college university univ institute centre center church chapel
club clubs league union federation federations board committee commission agency agencies network
project projects team community communities housing homeless pathways network international uk gb
england british national regional local limited enterprises enterprise industries industrial
international trading traders supplies supply supplier products product equipment engineering
engineers electrical electrics plumbing heating construction builders building buildings
contractors contracting cleaning catering caterers foods food wine wines motors motor cars car taxis
taxi travel transport logistics haulage hire rentals rental print printing printers press media
design designs studio studios productions events entertainment music arts theatre gallery museum
radio tv television news publishing publications books press software technologies technology tech
digital data computers computing it telecom telecoms communications energy power gas water electric
utilities waste recycling environmental landscapes landscaping gardens garden nurseries nursery
security fire safety training learning education tutors resources recruitment personnel staffing
legal solicitors law lawyers barristers chambers accountants accounting audit insurance bank
banking finance financial capital investments property properties estates estate lettings homes
developments development architects surveyors survey management managers pharmacy opticians dental
dentist vets veterinary kennels cattery garage tyres autos coaches bus buses ltd. ltd, & and of the
for in at on shop stores store market markets cafe restaurant hotel inn pub bar bakery butchers
entertainment entertainments upholstery glass glazing recovery house houses carpets carpet flooring
fencing locks locksmith locksmiths coaching coach mail communication tailors tailor line lines
platforms platform allotment allotments leisure hote hotels trustee trustees photography photographer
photographic exercises exercise kitchen kitchens appliances appliance hygiene direct son sons
daughters brothers bros surgeon surgeons plumber plumbers electrician electricians joinery joiners
roofing roofers decorating decorators decorator removals windows doors tiling interiors scaffolding
skips skip nurses nursing tree trees fitness yoga dance dancing sport sports football cricket
rugby boxing gym swimming tours tour bikes bicycle bicycles cycles cycle transportation garages
mechanics repairs repair maintenance installations installation fabrications fabrication welding
metals steel timber stone paving drives driveways gutters drains drainage pest plants plant hire
consult advisory associates architecture planning surveys valuers auctioneers agents agent lettings
sales supplies wholesale retail distribution imports exports express couriers courier removals
laundry dry cleaners cleaners hairdressing salon beauty florist florists flowers bakers butcher
deli kebab pizza takeaway catering cuisine kitchen cafe coffee tea bar bistro grill tavern arms
lodge court hall halls farm farms estate manor park parks gardens village villa cottage centre
collective cooperative co-op coop ventures venture works workshop studios creative creations
crafts art artworks films film video sound audio lighting stage theatre theatres circus choir
band orchestra singers productions promotions marketing pr advertising signs signage graphics
translation translations interpreting interpreters tuition tutoring academy consultants
primary secondary infant infants junior juniors nursery street road lane minibuses minibus taxis
languages language sundry sundries general artwork artworks made publicity ta buffets buffet suits
roofs roof spa memorials memorial fuels fuel fc afc united rovers athletic wanderers restaurants
command surgery vets kitchens clinic dental optical tyre batteries accounts payroll bookkeeping
""".split()) - {"&", "and", "of", "the", "for", "in", "at", "on"}

# First words that gender-guesser knows as names but that open organisation names far more often.
_NOT_FIRST_NAMES = {"royal", "forest", "one", "red", "king", "mac", "reed", "carter", "campbell",
                    "leigh", "seva", "irvin", "lord", "sterling", "crown", "star", "sky", "summer",
                    "city", "dale", "glen", "vale", "york", "lancaster", "chester", "preston", "bolton",
                    "oxford", "lincoln", "victoria", "jubilee", "hope", "faith", "unity", "grace",
                    "harmony", "liberty", "willow", "ivy", "holly", "rose", "heather", "oak", "ash",
                    "rowan", "hazel", "iris", "pearl", "ruby", "amber", "jade", "crystal", "diamond",
                    "golden", "silver", "north", "south", "east", "west", "central", "premier", "prime",
                    "first", "best", "smart", "bright", "rapid", "swift", "express", "mobile", "media"}

_WORD = re.compile(r"[a-z][a-z'\-]*")


def is_redacted(name: object) -> bool:
    """The published name is a redaction marker, not a payee name."""
    if name is None:
        return False
    s = str(name).strip()
    if not s:
        return False
    if len(s) >= 3 and not s.strip("*#x-X "):  # `***`, `XXXX`, `#-#-#`: a mask, every character of it
        return True
    if s.isascii():  # a substring test first: cheaper than the regex, which every name reaches
        low = s.lower()
        for word in _REDACTION_WORDS:
            if word in low:
                break
        else:
            return False
    return bool(_REDACTED.search(s))


@lru_cache(maxsize=1)
def _first_names():
    try:
        import gender_guesser.detector as gg
    except ImportError:  # pragma: no cover - declared dependency; titles still work without it
        return None
    return gg.Detector(case_sensitive=False)


def _is_first_name(word: str) -> bool:
    det = _first_names()
    if det is None or len(word) < 2:
        return False
    return det.get_gender(word) != "unknown"


def looks_like_individual(name: object) -> bool:
    """True when the evidence says this payee is a private person (or was redacted)."""
    if name is None:
        return False
    s = str(name).strip()
    if not s:
        return False
    if is_redacted(s):
        return True
    return looks_like_person(s)


_DIGIT = re.compile(r"\d")
_JOINT = re.compile(r"[&+()/@]")


def looks_like_person(s: str) -> bool:
    """`looks_like_individual` for a stripped, non-empty name already known not to be redacted."""
    low = s.lower()
    if _DIGIT.search(low) or (not low.isascii() and any(map(str.isdigit, low))):
        return False
    words = _WORD.findall(low.replace(".", " "))
    if not words:
        return False
    if any(w.strip("'-") in _ORG_WORDS for w in words):
        return False
    if words[0] in _TITLES and len(words) >= 2 and words[0] != "lord":
        return True
    # `N LEE & SON`, `S & J Houldsworth`, `The Porch`: partnerships and trade names
    if words[0] == "the" or _JOINT.search(low) or " and " in f" {low} ":
        return False
    if not 2 <= len(words) <= 4:
        return False
    # `J SMITH`, `SMITH J`: initials beside a surname are how ledgers write people
    if len(words) in (2, 3) and (len(words[0]) == 1 or len(words[-1]) == 1) and any(len(w) > 2 for w in words):
        return True
    if words[0] in _NOT_FIRST_NAMES or any(w.endswith(("'s", "`s")) for w in words) or "`" in low:
        return False
    return _is_first_name(words[0])
