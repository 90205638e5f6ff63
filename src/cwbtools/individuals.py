"""Is a payee a private person, or a name the publisher withheld?

Payments to individuals are never named in any output, so ingest flags them. The evidence, in
order: a redaction marker (`Redacted personal data`, `*** COMPANY NAME REDACTED ***`,
`THIRD PARTY SUPPLIER`); then, in a name with no word that marks an organisation (`ltd`,
`council`, `services`, `college`, `wine`, ...), a personal title (`MR Y ALI`, `Dr J Williams`,
`SMITH JOHN MR`), initials beside a surname (`J SMITH`, `Smith J.`), a surname, comma, first name
(`SMITH, JOHN`), or two to four words that start with a known first name (`data/first_names.txt`,
about 55,000 names from openly licensed lists: see scripts/build_first_names.py). Words are
folded to ASCII first (`Zoë`, `Łukasz`), and a note around the name is set aside
(`Refund - P Smith`, `J SMITH (REFUND)`, `Payment to Ms Jane Smith re damages`).

A name flagged wrongly is only hidden in reports (the spend is still counted); a person missed is
named in public, so the rules lean towards flagging. Unfamiliar first names with no title
(`Nattamon Chaoumduang`) are not caught: no evidence, no flag. The first-name lists are mostly
American and Irish; first names rare there but common in the UK's South Asian, Polish or African
communities are the known gap.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

# Every alternative of _REDACTED and _POOLED holds one of these, in lower case (kept in step with them).
_REDACTION_WORDS = (
    "redact",
    "withheld",
    "personal data",
    "third party",
    "individual",
    "name removed",
    "disclosed",
    "confidential",
    "anonymi",
    "sensitive data",
    "restricted",
    "refunds",
    "overpayments",
    "repayments",
    "tax refund",
    "refund payments",
)
_REDACTED = re.compile(
    r"(?<![a-z])redact(ed|ion|ions)?(?![a-z])|withheld|personal data|^\W*third party( supplier| payee| payment)?\W*$|"
    r"^\W*(?:payments? to (?:an? )?)?(private individuals?|individuals?|name removed|not disclosed|undisclosed|"
    r"confidential|anonymi[sz]ed|sensitive data|restricted)\W*$",
    re.IGNORECASE,
)
# One line for many refunds to members of the public (`RENT REFUNDS`, `COUNCIL TAX REFUND`,
# `HOUSING REFUND PAYMENTS - BSS ONLY`): the names behind it are not published. A company's
# refunds line (`... Limited#HB Refunds`) names the company.
_POOLED = re.compile(r"(?<![a-z])(refunds|overpayments|repayments|tax refund|refund payments)(?![a-z])", re.IGNORECASE)
_COMPANY = re.compile(r"(?<![a-z])(ltd|limited|plc|llp|cic|inc)(?![a-z])", re.IGNORECASE)

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "rev", "revd", "sir", "dame", "lady", "lord"}

# Words that mark an organisation or a trade. A name holding any of them is not a private person
# for our purposes (sole traders trading under a trade name are businesses).
_ORG_WORDS = set(
    """
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
organisation organisations organization organizations comms municipal playgroup preschool pre-school
mosque masjid gurdwara synagogue forum carers business fostering adoption
""".split()
) - {"&", "and", "of", "the", "for", "in", "at", "on"}

# First words that the first-names list holds but that open organisation names far more often.
_NOT_FIRST_NAMES = {
    "royal",
    "forest",
    "one",
    "red",
    "king",
    "mac",
    "reed",
    "carter",
    "campbell",
    "leigh",
    "seva",
    "irvin",
    "lord",
    "sterling",
    "crown",
    "star",
    "sky",
    "summer",
    "city",
    "dale",
    "glen",
    "vale",
    "york",
    "lancaster",
    "chester",
    "preston",
    "bolton",
    "oxford",
    "lincoln",
    "victoria",
    "jubilee",
    "hope",
    "faith",
    "unity",
    "grace",
    "harmony",
    "liberty",
    "willow",
    "ivy",
    "holly",
    "rose",
    "heather",
    "oak",
    "ash",
    "rowan",
    "hazel",
    "iris",
    "pearl",
    "ruby",
    "amber",
    "jade",
    "crystal",
    "diamond",
    "golden",
    "silver",
    "north",
    "south",
    "east",
    "west",
    "central",
    "premier",
    "prime",
    "first",
    "best",
    "smart",
    "bright",
    "rapid",
    "swift",
    "express",
    "mobile",
    "media",
}

_WORD = re.compile(r"[a-z][a-z'\-]*")
# Letters NFKD does not split into a base letter and an accent.
_UNSPLIT = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "’": "'",
        "‘": "'",
        "´": "'",
    }
)


def fold(text: str) -> str:
    """Lower-case text with its accents dropped (`Zoë` -> `zoe`, `Łukasz` -> `lukasz`): the form
    the first-names list is kept in. Characters with no ASCII letter in them are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNSPLIT))
    return decomposed.encode("ascii", "ignore").decode("ascii")


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
    return bool(_REDACTED.search(s)) or (bool(_POOLED.search(s)) and not _COMPANY.search(s))


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The bundled list, lower-case ASCII, without the words that open organisations' names."""
    text = files("cwbtools").joinpath("data", "first_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#")) - _NOT_FIRST_NAMES


def _is_first_name(word: str) -> bool:
    return len(word) >= 2 and word in _first_names()


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
# The titles a ledger also writes after the name (`SMITH JOHN MR`, `CAREY L A E MRS`).
_TRAILING_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr"}
# A note the ledger wrote around the payee's name (`Refund - P Smith`, `J SMITH (REFUND)`,
# `Payment to Ms Jane Smith re damages`), set aside before the name's shape is read. Its words
# still count when looking for an organisation's. A note word that is also a name (`Grant Smith`,
# `Jill Grant`) is a note only with `to`/`for` or a separator beside it; a refund word always is.
_REFUND = r"(?:refund|repayment|reimbursement|overpayment)s?"
_NOTE = rf"(?:{_REFUND}|(?:payment|compensation|damages|grant|deposit|expenses)s?)"
_LEAD_NOTE = re.compile(rf"^\W*(?:{_NOTE}(?:\s+{_NOTE})*(?:\s+(?:to|for)\s+|\s*[-:]\s*)|{_REFUND}\s+)")
_TAIL_NOTE = re.compile(rf"(?:\s*[-:,]\s*{_NOTE}|\s+{_REFUND}|\s+re\s.*)\W*$|\s*[(\[][^()\[\]]*[)\]]\W*$")
# `Jane Smith c/o Smith Psychology`: the payee is the person, whatever the address's name.
_CARE_OF = re.compile(r"\s+c/o\s.*$")


def _without_notes(low: str) -> str:
    for _ in range(3):
        core = _TAIL_NOTE.sub("", _LEAD_NOTE.sub("", low)).strip()
        if core == low:
            break
        low = core
    return low


def _is_org_word(word: str) -> bool:
    word = word.strip("'-")
    # `consultancies`, `charities`: a plural of one (an `-s` plural would take `Banks` for `bank`)
    return word in _ORG_WORDS or (word.endswith("ies") and word[:-3] + "y" in _ORG_WORDS)


def _words(text: str) -> list[str]:
    """`J.P. SMITH` -> j, p, smith; `Sense_a` is one word (a ledger's code, not initials)."""
    return _WORD.findall(text.replace(".", " ").replace("_", ""))


def _surname_comma_first_name(core: str) -> bool:
    """`SMITH, JOHN`, `Smith, Mrs Jane`, `SMITH, J`: a surname, a comma, then a first name, title or initial."""
    head, comma, tail = core.partition(",")
    if not comma or "," in tail:
        return False
    head_words, tail_words = _words(head), _words(tail)
    if not (1 <= len(head_words) <= 2 and 1 <= len(tail_words) <= 3):
        return False
    first = tail_words[0]
    return first in _TITLES or len(first) == 1 or _is_first_name(first)


def looks_like_person(s: str) -> bool:
    """`looks_like_individual` for a stripped, non-empty name already known not to be redacted."""
    low = s.lower()
    if _DIGIT.search(low):
        return False
    if not low.isascii():
        low = fold(low)
    low = _CARE_OF.sub("", low)
    words = _words(low)
    if not words or any(_is_org_word(w) for w in words):
        return False
    core = _without_notes(low)
    words = _words(core)
    if len(words) < 2:
        return False
    if words[0] in _TITLES and words[0] != "lord":
        return True
    if words[-1] in _TRAILING_TITLES and len(words) <= 5:
        return True
    # `N LEE & SON`, `S & J Houldsworth`, `The Porch`: partnerships and trade names
    if words[0] == "the" or _JOINT.search(core) or " and " in f" {core} ":
        return False
    if _surname_comma_first_name(core):
        return True
    if len(words) > 4:
        return False
    # `J SMITH`, `SMITH J`: initials beside a surname are how ledgers write people
    if len(words) in (2, 3) and (len(words[0]) == 1 or len(words[-1]) == 1) and any(len(w) > 2 for w in words):
        return True
    if any(w.endswith(("'s", "`s")) for w in words) or "`" in core:
        return False
    return _is_first_name(words[0])
