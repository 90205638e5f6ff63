"""Public bodies, and the organisations that look like them, from the registers in the shared data
(CONTRACTS §2 `public_bodies.parquet`).

One row per name of a body: its official name, and each alternative name a register gives
(`name_type`). `kind` is one of `schema.PUBLIC_KINDS`; which kinds are public is the config's
decision table (`definitions.public_bodies`), not this table's. What each register says:

- `la_mysociety`: every UK local authority, current and former, and the combined authorities, with
  their alternative names. Bare place names (`Salford`) are not names of a body and are left out;
  the usual spellings of a council (`Bolton Council`, `Bolton Metropolitan Borough Council`) are
  added. Parish and town councils have no register here: name patterns find them
  (`suppliers/public.py`).
- `ons_pscg`: the ONS Public Sector Classification Guide (June 2017), by ESA10 sector. Local
  government bodies that are not councils (transport executives, joint authorities, council-run
  non-market bodies) are `local_government`; central government is `central_government`; public
  corporations are `council_company` when a council owns them (`almo` for its housing company),
  else `public_corporation`. The guide still lists housing associations as public corporations
  (reclassified in 2017): they are `housing_association` here, as the RSH register says. Former
  bodies are left out. The "(En Bloc)" headings classify a family of bodies the guide does not
  list one by one (`Groundwork Trusts`, `National Parks Authorities`): each is a `family` row whose
  `name_norm` is `public_frames.family_key` of the heading (words singular), matched as words in
  order (`suppliers/public.py`); one-word headings (`Academies`) say too little and are left out.
- `govuk`: GOV.UK organisations (2017): departments, agencies, NDPBs, courts (`central_government`)
  and public corporations, those not closed, and the departments and agencies closed on a recorded
  date (`closed`: merged into others, still paid under the old name); abbreviations of four
  letters or more (`HMRC`) are alternative names.
- `police_forces`: every force, also as its Police and Crime Commissioner.
- `fire`: no register of fire and rescue authorities is here. Their names are derived from the
  police force areas and the counties (`Lancashire Fire and Rescue Service`, `... Combined Fire
  Authority`); other fire authorities are left to the name patterns.
- `rsh`: registered providers of social housing (2017 and 2023 lists) with company and charity
  numbers: `housing_association` (non-profit and for-profit alike). Councils that hold housing
  stock are in the lists too, and left to `la_mysociety`.
- `nhs_ods`: NHS trusts (`nhs_trust`), CCGs (`ccg`) and ICB sub-locations (`icb`) by ODS code.
- `nhs_sites`: hospital sites by ODS site code: NHS sites are their trust's (`nhs_trust`),
  independent-sector sites `independent_hospital`.
- `epraccur`: GP practices (prescribing setting 4) `gp_practice`, care homes (setting 14) `care_home`.
- `gias`: every school and college in Get Information About Schools (2022, all; 2025, open), by URN.
  The files carry no establishment type: an establishment is `independent_school` when the
  independent schools list has its URN, `university` when it is a higher education institution
  (the university lists, the block of URNs GIAS gave them, or `university` in its name),
  `fe_college` when its name is a college's and no school's, else `school` (maintained schools and
  academies). Only names that say they are an education establishment are matched by name.
- `academy_trusts`: academy trusts with company numbers (WGA 2016-17).
- `universities`: universities by charity number or royal charter.
- `care_homes`: care homes in Greater Manchester (2019) and Trafford (2026, with CQC ids).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from ..identifiers import charity_number, company_numbers
from . import public_services as svc
from ._common import require_columns
from .public_frames import PUBLIC_BODY_COLUMNS, explode_names, family_key, frame, public_name, read_csv

__all__ = ["PUBLIC_BODY_COLUMNS", "build_public_bodies", "input_paths", "provenance", "public_name"]

LA_FILE = "la_mysociety/uk_local_authorities_future.csv"
LA_NAMES = "la_mysociety/lookup_name_to_registry.csv"
PSCG_FILE = "ons_pscg_2017/publicsectorclassificationguidelatest_2017-06.xls"
GOVUK_FILE = "govuk_organisations_2017/govuk_organisations_api.jsonl"
POLICE_FILE = "police_forces_2018/police-force.tsv"
RSH_2017 = "rsh_registered_providers/openregister_2018/social-housing-provider-eng.tsv"
RSH_2023 = "rsh_registered_providers/hse_bsr_2023/social-housing-organisation-names.ts"
RSH_NUMBERS = "rsh_registered_providers/drkane_rsp_company_charity/rsp-charity-number.csv"


# -- local authorities -------------------------------------------------------------------------------

# A name of a council says it is a body, not a place.
_BODY_WORD = re.compile(
    r"\b(council|borough|district|county|city of|authority|corporation|combined|\bca\b|mayor)", re.I
)
_COUNCIL_FORMS = {
    "MD": [
        "{} council",
        "{} metropolitan borough council",
        "{} metropolitan district council",
        "{} borough council",
        "{} city council",
    ],
    "NMD": ["{} council", "{} borough council", "{} district council", "{} city council"],
    "UA": ["{} council", "{} borough council", "{} city council", "{} county council", "{} unitary authority"],
    "CTY": ["{} council", "{} county council"],
    "LBO": ["{} council", "london borough of {}", "royal borough of {}"],
    "SCO": ["{} council", "{} city council"],
    "WPA": ["{} council", "{} county borough council", "{} county council", "{} city council"],
    "NID": ["{} council", "{} borough council", "{} district council", "{} city council"],
    "COMB": ["{} combined authority"],
}


def local_authorities(ref: Path) -> pd.DataFrame:
    d = read_csv(ref / LA_FILE)
    require_columns(
        d, ["local-authority-code", "official-name", "nice-name", "alt-names", "local-authority-type"], LA_FILE
    )
    lookup = read_csv(ref / LA_NAMES)
    by_code = lookup.groupby("local-authority-code")["la-name"].agg(list).to_dict()
    alts = []
    for row in d.itertuples(index=False):
        names = [a.strip() for a in str(row[d.columns.get_loc("alt-names")] or "").split(",")]
        names += by_code.get(row[0], [])
        names = [n for n in names if n and n != "nan" and _BODY_WORD.search(n)]
        nice = row[d.columns.get_loc("nice-name")]
        forms = _COUNCIL_FORMS.get(row[d.columns.get_loc("local-authority-type")], [])
        alts.append(names + [f.format(nice) for f in forms])
    kind = d["local-authority-type"].map(lambda t: "combined_authority" if t == "COMB" else "council")
    current = d["current-authority"].str.lower().eq("true")
    out = pd.DataFrame(
        {
            "body_id": "la:" + d["local-authority-code"],
            "kind": kind,
            "name": d["official-name"],
            "other_id": "GSS-" + d["gss-code"].fillna(""),
            "status": current.map({True: "active", False: "former"}),
            "note": d["local-authority-type-name"],
        }
    )
    out["other_id"] = out["other_id"].where(out["other_id"] != "GSS-", None)
    return frame(explode_names(out, pd.Series(alts, index=out.index)), "la_mysociety")


# -- the ONS Public Sector Classification Guide ------------------------------------------------------

_HOUSING_NOTE = re.compile(r"registered providers|registered social landlords|registered housing associations", re.I)
_ALMO_NAME = re.compile(r"\b(homes?|housing|almo)\b", re.I)
_PSCG_ANNOTATION = re.compile(r"\s*-?\s*\((?:s|s [^)]*|s[A-Z]+)\)\s*$")


def _pscg_kind(sector: str, esa: str, note: str, sponsor: str, name: str) -> str | None:
    s = sector.lower()
    if s.startswith("former") or "(en bloc)" in name.lower():
        return None
    if "local government" in s or s.startswith("lg "):
        return "local_government"
    if "central government" in s or s.startswith("cg "):
        return "central_government"
    if _HOUSING_NOTE.search(note):
        return "housing_association"
    if sponsor.strip() == "LA":
        return "almo" if _ALMO_NAME.search(name) else "council_company"
    if esa.startswith("S.1") and ("corporation" in s or "pension" in s or "fund" in s):
        return "public_corporation"
    return None


def ons_pscg(ref: Path) -> pd.DataFrame:
    path = ref / PSCG_FILE
    index = pd.read_excel(path, sheet_name="Index", header=4, usecols=range(6), dtype=str)
    index.columns = ["name", "sector", "esa", "applies_from", "classified_on", "notes"]
    nfc = pd.read_excel(path, sheet_name="Non-Financial Corporations", header=4, usecols=range(6), dtype=str)
    nfc.columns = ["name", "parent", "parent2", "sponsor", "subcategory", "notes"]
    nfc = nfc.dropna(subset=["name"]).drop_duplicates("name").set_index("name")
    index = index.dropna(subset=["name", "sector"]).reset_index(drop=True)
    sponsor = index["name"].map(nfc["sponsor"]).fillna("")
    parent = index["name"].map(nfc["parent"])
    kinds = [
        _pscg_kind(str(s), str(e), str(n) if isinstance(n, str) else "", str(sp), str(nm))
        for s, e, n, sp, nm in zip(index["sector"], index["esa"], index["notes"], sponsor, index["name"])
    ]
    out = pd.DataFrame(
        {
            "body_id": "pscg:" + index.index.astype(str),
            "kind": kinds,
            "name": index["name"].str.replace(_PSCG_ANNOTATION, "", regex=True),
            "note": "ESA10 "
            + index["esa"].fillna("?").str.strip()
            + " "
            + index["sector"].str.strip()
            + parent.map(lambda p: f"; owned by {p}" if isinstance(p, str) else ""),
        }
    )
    return pd.concat([frame(out.dropna(subset=["kind"]), "ons_pscg"), _pscg_families(index)], ignore_index=True)


_ESA_KIND = {"S.1311": "central_government", "S.1313": "local_government", "S.11001": "public_corporation"}


def _pscg_families(index: pd.DataFrame) -> pd.DataFrame:
    """The guide's "(En Bloc)" headings as `family` rows (see the module's docstring)."""
    heads = index[index["name"].str.contains(r"\(en bloc\)", case=False, regex=True)]
    kind = heads["esa"].fillna("").str.strip().map(_ESA_KIND)
    keys = heads["name"].map(family_key)
    d = pd.DataFrame(
        {
            "body_id": "pscg:" + heads.index.astype(str),
            "source": "ons_pscg",
            "kind": kind,
            "name": heads["name"].str.strip(),
            "name_norm": keys,
            "name_type": "family",
            "note": "ESA10 " + heads["esa"].fillna("?").str.strip() + " " + heads["sector"].str.strip() + "; en bloc",
        }
    )
    d = d[d["kind"].notna() & keys.str.contains(" ", regex=False)]
    for col in PUBLIC_BODY_COLUMNS:
        if col not in d.columns:
            d[col] = None
    return d.assign(status="active")[PUBLIC_BODY_COLUMNS].astype("string").reset_index(drop=True)


# -- GOV.UK organisations, police forces and fire authorities ---------------------------------------

_GOVUK_CORPORATION = {"Public corporation"}
_GOVUK_MERGED = {"Executive agency", "Ministerial department", "Non-ministerial department"}


def govuk_organisations(ref: Path) -> pd.DataFrame:
    rows = [json.loads(line) for line in (ref / GOVUK_FILE).read_text(encoding="utf-8").splitlines() if line.strip()]
    d = pd.DataFrame(
        {
            "body_id": ["govuk:" + (r.get("analytics_identifier") or r["id"].rsplit("/", 1)[-1]) for r in rows],
            "name": [r["title"] for r in rows],
            "kind": [
                "public_corporation" if r.get("format") in _GOVUK_CORPORATION else "central_government" for r in rows
            ],
            "status": [(r.get("details") or {}).get("govuk_status") or "live" for r in rows],
            "closed_at": [((r.get("details") or {}).get("closed_at") or "")[:10] for r in rows],
            "note": [r.get("format") for r in rows],
        }
    )
    abbr = [(r.get("details") or {}).get("abbreviation") or "" for r in rows]
    # Abbreviations of three letters or fewer (`EA`, `SCC`, `DfE`) are also firms' names (SCC is an IT
    # company): only longer ones (`HMRC`, `DVLA`) stand for the body.
    alt = pd.Series(
        [[a] if len(a.replace(" ", "")) >= 4 and a != t else [] for a, t in zip(abbr, d["name"])], index=d.index
    )
    # Closed organisations are left out: GOV.UK closes a body when it is abolished, merged or sold
    # (the Building Research Establishment, privatised in 1997, is a firm today). Except the
    # departments and agencies it closed on a recorded date (2010 on): their work passed to other
    # departments and agencies (VOSA and the Driving Standards Agency to DVSA in 2014), and ledgers
    # keep paying them under the old name. They stay, `closed`, as central government: the guide's
    # sector for them describes the body while it traded (VOSA, a trading fund, a public corporation).
    merged = (d["status"] == "closed") & d["closed_at"].ne("") & d["note"].isin(_GOVUK_MERGED)
    live = d["status"] != "closed"
    keep = live | merged
    d = d.assign(
        status=merged.map({True: "closed", False: "active"}),
        note=d["note"].where(~merged, d["note"] + ", closed " + d["closed_at"]),
    ).drop(columns="closed_at")
    return frame(explode_names(d[keep], alt[keep]), "govuk")


_FORCE_WORDS = re.compile(r"\s+(police service|police|constabulary)$", re.I)
_METRO_COUNTIES = [
    "Greater Manchester",
    "Merseyside",
    "South Yorkshire",
    "Tyne and Wear",
    "West Midlands",
    "West Yorkshire",
]
_FIRE_FORMS = [
    "{} fire and rescue service",
    "{} fire and rescue authority",
    "{} fire and rescue",
    "{} fire authority",
    "{} combined fire authority",
    "{} fire and civil defence authority",
]


def _police_areas(ref: Path) -> pd.DataFrame:
    d = read_csv(ref / POLICE_FILE, sep="\t")
    require_columns(d, ["police-force", "name"], POLICE_FILE)
    area = d["name"].str.replace(_FORCE_WORDS, "", regex=True).str.replace("Police Service of ", "", regex=False)
    return d.assign(area=area)


def police_forces(ref: Path) -> pd.DataFrame:
    d = _police_areas(ref)
    forms = [
        "{} police",
        "{} constabulary",
        "{} police and crime commissioner",
        "police and crime commissioner for {}",
        "office of the police and crime commissioner for {}",
        "chief constable of {}",
        "{} police authority",
    ]
    out = pd.DataFrame({"body_id": "police:" + d["police-force"], "kind": "police", "name": d["name"]})
    alt = pd.Series([[f.format(a) for f in forms] for a in d["area"]], index=out.index)
    return frame(explode_names(out, alt), "police_forces")


def fire_authorities(ref: Path) -> pd.DataFrame:
    """Derived, not read: every police force area, county and metropolitan county, in the forms
    fire and rescue authorities are named."""
    la = read_csv(ref / LA_FILE)
    counties = la.loc[la["local-authority-type"].eq("CTY"), "nice-name"].tolist()
    areas = sorted(set(_police_areas(ref)["area"]) | set(counties) | set(_METRO_COUNTIES))
    slug = [re.sub(r"[^a-z0-9]+", "-", a.lower()).strip("-") for a in areas]
    out = pd.DataFrame(
        {
            "body_id": [f"fire:{s}" for s in slug],
            "kind": "fire",
            "name": [_FIRE_FORMS[0].format(a).title() for a in areas],
        }
    )
    out["note"] = "name derived from a police force area or county"
    alt = pd.Series([[f.format(a) for f in _FIRE_FORMS[1:]] for a in areas], index=out.index)
    return frame(explode_names(out, alt), "fire")


# -- housing providers -------------------------------------------------------------------------------


def housing_providers(ref: Path) -> pd.DataFrame:
    old = read_csv(ref / RSH_2017, sep="\t")
    require_columns(old, ["social-housing-provider-eng", "name", "social-housing-provider-designation-eng"], RSH_2017)
    old = pd.DataFrame(
        {
            "reg": old["social-housing-provider-eng"],
            "name": old["name"],
            "designation": old["social-housing-provider-designation-eng"].map(
                {"1": "Non-profit", "2": "Local authority", "3": "Profit"}
            ),
        }
    )
    text = (ref / RSH_2023).read_text(encoding="utf-8")
    new = pd.DataFrame(json.loads(text[text.index("= [") + 2 : text.rindex("]") + 1]))
    new = new.rename(columns={"registration_number": "reg", "organisation_name": "name"})[
        ["reg", "name", "designation"]
    ]
    both = pd.concat([new, old], ignore_index=True)
    # Councils that hold stock are registered providers too: they are councils (la_mysociety).
    both = both[~both["designation"].fillna("").str.lower().str.startswith("local authority")]
    nums = pd.read_csv(ref / RSH_NUMBERS, dtype=str, header=None, skiprows=1, usecols=[0, 1, 2], encoding="utf-8-sig")
    nums.columns = ["org", "company_number", "charity_number"]
    nums["reg"] = nums["org"].str.replace("GB-SHPE-", "", regex=False)
    nums = nums.drop_duplicates("reg").set_index("reg")
    both["body_id"] = "rsh:" + both["reg"]
    both["kind"] = "housing_association"
    both["company_number"] = company_numbers(both["reg"].map(nums["company_number"]))
    both["charity_number"] = both["reg"].map(nums["charity_number"]).map(charity_number)
    both["note"] = "registered provider " + both["reg"] + " (" + both["designation"].fillna("?") + ")"
    first = both.drop_duplicates("body_id")
    names = both.groupby("body_id")["name"].agg(list)
    alt = first["body_id"].map(names)
    return frame(explode_names(first.reset_index(drop=True), alt.reset_index(drop=True)), "rsh")


# -- the table ---------------------------------------------------------------------------------------

# Each builder and the files it reads: a builder whose files are not all there is skipped.
BUILDERS = {
    local_authorities: [LA_FILE, LA_NAMES],
    ons_pscg: [PSCG_FILE],
    govuk_organisations: [GOVUK_FILE],
    police_forces: [POLICE_FILE],
    fire_authorities: [POLICE_FILE, LA_FILE],
    housing_providers: [RSH_2017, RSH_2023, RSH_NUMBERS],
    svc.nhs_bodies: [svc.NHS_TRUSTS, svc.NHS_CCGS],
    svc.gp_practices: [svc.EPRACCUR],
    svc.hospital_sites: [svc.HOSPITALS],
    svc.schools: [svc.GIAS_ALL, svc.GIAS_OPEN, svc.INDEPENDENT_SCHOOLS, svc.EDU_COMPANIES, svc.UNI_CHARTERS],
    svc.academy_trusts: [svc.ACADEMY_TRUSTS],
    svc.universities: [svc.UNI_CHARITIES, svc.UNI_CHARTERS],
    svc.care_homes: [svc.CARE_HOMES_GM, svc.CARE_HOMES_TRAFFORD],
}
INPUT_FILES = sorted({f for files in BUILDERS.values() for f in files})


def build_public_bodies(ref: Path) -> pd.DataFrame:
    """Every register's bodies, one row per name (CONTRACTS §2 `public_bodies.parquet`)."""
    frames = [build(ref) for build, files in BUILDERS.items() if all((ref / f).exists() for f in files)]
    out = pd.concat(frames, ignore_index=True) if frames else frame(pd.DataFrame({"name": []}), "none")
    # Registers write `Name (ABBR)`, `Abbeyfield (Oxford) Society`: the name without its brackets is
    # another spelling, as ledgers write it.
    bracketed = out[out["name"].str.contains("(", regex=False) & ~out["name_type"].isin(["id_only", "family"])]
    if len(bracketed):
        plain = bracketed["name"].str.replace(r"\([^)]*\)", " ", regex=True).str.replace(r"\s+", " ", regex=True)
        extra = bracketed.assign(name=plain.str.strip(), name_type="alternative")
        extra["name_norm"] = extra["name"].map(public_name)
        out = pd.concat([out, extra[extra["name_norm"] != ""]], ignore_index=True)
    out = out.drop_duplicates(["body_id", "name_norm"]).reset_index(drop=True)
    # GOV.UK's type of organisation is not a sector: where the ONS guide lists a body of the same
    # name, its sector decides (the Royal Mint is GOV.UK's "Other", the guide's public corporation).
    pscg = out[out["source"] == "ons_pscg"].drop_duplicates("name_norm", keep=False).set_index("name_norm")["kind"]
    govuk = (out["source"] == "govuk") & (out["status"] != "closed")
    out.loc[govuk, "kind"] = out.loc[govuk, "name_norm"].map(pscg).fillna(out.loc[govuk, "kind"])
    return out


def input_paths(ref: Path) -> list[Path]:
    return [ref / f for f in INPUT_FILES]


_ODBL = "ODbL 1.0 (share-alike for derived databases)"
_OGL = "Open Government Licence v3.0"
# source: (what, folder, date, licence, attribution, note)
PROVENANCE = {
    "la_mysociety": (
        "UK local authorities and combined authorities, with alternative names (mySociety)",
        "la_mysociety",
        "2025-07-10",
        "CC-BY-4.0",
        "mySociety, UK local authority names and codes (CC-BY-4.0), built from OGL registers",
        "parish and town councils are not in it: name patterns find them",
    ),
    "ons_pscg": (
        "ONS Public Sector Classification Guide (ESA10 sector of every public body)",
        "ons_pscg_2017",
        "2017-06-29",
        _OGL,
        "Source: Office for National Statistics, OGL v3.0",
        "2017: newer bodies (ICBs, recent council companies) are missing; the housing associations it lists as "
        "public corporations are typed housing associations",
    ),
    "govuk": (
        "GOV.UK organisations: departments, agencies, NDPBs, courts, public corporations",
        "govuk_organisations_2017",
        "2017-04-19",
        _OGL,
        "GOV.UK, OGL v3.0",
        "2017: departments renamed since (DLUHC) are found by name pattern",
    ),
    "police_forces": ("Police forces", "police_forces_2018", "2017-11-08", _OGL, "GOV.UK registers, OGL v3.0", None),
    "fire": (
        "Fire and rescue authorities: names derived from police force areas and counties",
        "police_forces_2018",
        None,
        _OGL,
        "GOV.UK registers and mySociety, as above",
        "no register of fire authorities in the shared data",
    ),
    "rsh": (
        "Registered providers of social housing (2017, 2023) with company and charity numbers",
        "rsh_registered_providers",
        "2017-05 to 2024-01",
        f"{_OGL}; numbers {_ODBL}",
        "Regulator of Social Housing, OGL v3.0; drkane/charity-lookups, ODbL 1.0",
        None,
    ),
    "nhs_ods": (
        "NHS trusts, CCGs and ICB sub-locations (ODS)",
        "nhs-ods",
        None,
        _OGL,
        "NHS Digital ODS, OGL v3.0",
        None,
    ),
    "nhs_sites": (
        "Hospital sites, NHS and independent sector (NHS Choices)",
        "nhs_hospital_sites_nhschoices",
        "c. 2018",
        _OGL,
        "NHS Choices, OGL v3.0",
        None,
    ),
    "epraccur": (
        "GP practices and care-home cost centres (ODS epraccur)",
        "ods_epraccur_2025",
        "2025-04",
        _OGL,
        "NHS England ODS, OGL v3.0",
        None,
    ),
    "gias": (
        "Schools and colleges (Get Information About Schools: all 2022, open 2025)",
        "gias_dfe_subsets",
        "2022-11-02; 2025-07-11",
        _OGL,
        "Department for Education, OGL v3.0",
        "no establishment type in these files: independent schools, colleges and universities are told apart "
        "by the lists beside them, the URN blocks of further and higher education, and names",
    ),
    "academy_trusts": (
        "Academy trusts with company numbers (WGA 2016-17)",
        svc.DRKANE,
        "2016-17",
        _ODBL,
        "drkane/charity-lookups, ODbL 1.0; HM Treasury, OGL v3.0",
        "trusts formed since 2017 are found by name pattern",
    ),
    "universities": (
        "Universities by charity number and royal charter",
        svc.DRKANE,
        None,
        _ODBL,
        "drkane/charity-lookups, ODbL 1.0",
        None,
    ),
    "care_homes": (
        "Care homes in Greater Manchester (2019) and Trafford (2026, with CQC ids)",
        "traffordlab_gm",
        "2019-04; 2026-02",
        _OGL,
        "Care Quality Commission via Trafford Data Lab, OGL v3.0",
        "the CQC directory for the rest of England is not in the shared data",
    ),
}


def provenance(counts: dict, ref: Path) -> list[dict]:
    """`sources.json` entries for the registers of public bodies, with the bodies each gave."""
    return [
        {
            "name": f"Public bodies: {what}",
            "file": str(ref / folder),
            "date": date,
            "licence": licence,
            "attribution": attribution,
            "rows": counts.get(source, 0),
            "note": note,
        }
        for source, (what, folder, date, licence, attribution, note) in PROVENANCE.items()
    ]
