"""Registers of the bodies that provide public services, public or not: NHS trusts, CCGs and ICBs,
GP practices, hospital sites, schools, colleges, universities, academy trusts, care homes (read into
the shape of `reference.public_frames`; what each says: `reference.public_bodies`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..identifiers import charity_number, company_numbers, postcodes
from ..organisations import has_organisation_evidence
from ._common import require_columns
from .public_frames import drop_scheme, frame, one_name_each, read_csv

NHS_TRUSTS = "nhs-ods/etr.csv"
NHS_CCGS = "nhs-ods/eccg.csv"
EPRACCUR = "ods_epraccur_2025/epraccur.csv"
HOSPITALS = "nhs_hospital_sites_nhschoices/Hospital.csv"
GIAS_ALL = "gias_dfe_subsets/schools_all_20221102.csv"
GIAS_OPEN = "gias_dfe_subsets/schools_gias_open_20250711.csv"
DRKANE = "drkane_charity_lookups"
ACADEMY_TRUSTS = f"{DRKANE}/academy-trusts-company-number.csv"
INDEPENDENT_SCHOOLS = f"{DRKANE}/independent-schools-ew.csv"
EDU_COMPANIES = f"{DRKANE}/relationships_organisation-company-numbers.csv"
UNI_CHARITIES = f"{DRKANE}/relationships_university-charity-number.csv"
UNI_CHARTERS = f"{DRKANE}/relationships_university-royal-charters.csv"
CARE_HOMES_GM = "traffordlab_gm/care_homes_gm_care_homes_2019.csv"
CARE_HOMES_TRAFFORD = "traffordlab_gm/care_homes_trafford_care_homes.csv"


# -- NHS -------------------------------------------------------------------------------------------


def _ods(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_values=[""])
    if raw.shape[1] < 12:
        raise ValueError(f"{path}: expected the 27-column NHS ODS layout, found {raw.shape[1]} columns")
    return raw


def nhs_bodies(ref: Path) -> pd.DataFrame:
    frames = []
    for file in (NHS_TRUSTS, NHS_CCGS):
        raw = _ods(ref / file)
        name = raw[1].str.replace(r"\s+-\s+[A-Z0-9]{3,5}$", "", regex=True)
        if file == NHS_TRUSTS:
            kind = pd.Series("nhs_trust", index=raw.index)
        else:
            kind = name.str.contains(r"\bICB\b|INTEGRATED CARE BOARD", regex=True).map({True: "icb", False: "ccg"})
        frames.append(
            pd.DataFrame(
                {
                    "body_id": "ods:" + raw[0],
                    "kind": kind,
                    "name": name,
                    "other_id": "NHS-" + raw[0].str.strip(),
                    "postcode": postcodes(raw[9]),
                    "status": raw[11].isna().map({True: "active", False: "closed"}),
                    "note": "ODS " + raw[0],
                }
            )
        )
    return frame(pd.concat(frames, ignore_index=True), "nhs_ods")


# epraccur's prescribing setting (column 26): what the cost centre is.
_SETTINGS = {"4": "gp_practice", "14": "care_home"}


def gp_practices(ref: Path) -> pd.DataFrame:
    raw = _ods(ref / EPRACCUR)
    raw = raw[raw[25].isin(list(_SETTINGS))]
    out = pd.DataFrame(
        {
            "body_id": "ods:" + raw[0],
            "kind": raw[25].map(_SETTINGS),
            "name": raw[1],
            "other_id": "NHS-" + raw[0],
            "postcode": postcodes(raw[9]),
            "status": raw[11].isna().map({True: "active", False: "closed"}),
            "note": "ODS " + raw[0],
        }
    )
    return frame(out, "epraccur")


def hospital_sites(ref: Path) -> pd.DataFrame:
    d = pd.read_csv(
        ref / HOSPITALS, sep="¬", engine="python", encoding="latin-1", dtype=str, keep_default_na=False, na_values=[""]
    )
    require_columns(d, ["OrganisationCode", "OrganisationName", "Sector", "Postcode", "ParentODSCode"], HOSPITALS)
    nhs = d["Sector"].str.contains("NHS", case=False, na=False)
    out = pd.DataFrame(
        {
            "body_id": "ods:" + d["OrganisationCode"],
            "kind": nhs.map({True: "nhs_trust", False: "independent_hospital"}),
            "name": d["OrganisationName"],
            "other_id": "NHS-" + d["OrganisationCode"],
            "postcode": postcodes(d["Postcode"]),
            "note": "hospital site of " + d["ParentODSCode"].fillna("?"),
        }
    )
    # A site named like a house (`Berkeley House`) is matched by its code only: care homes share such names.
    out["name_type"] = out["name"].str.contains(HEALTH_NAME).map({True: "official", False: "id_only"})
    return frame(out, "nhs_sites")


HEALTH_NAME = re.compile(
    r"\b(?:hospitals?|infirmary|clinic|health|medical|nhs|hospice|surgery|treatment|maternity|rehabilitation|"
    r"mental|psychiatric|unit|centre)\b",
    re.I,
)


# -- schools, colleges, universities, academy trusts -------------------------------------------------

# An establishment's name that says it is one; other names (`The Hub`, `Park Centre`) match by URN only.
EDUCATION_NAME = re.compile(
    r"\b(?:school|academy|college|colleges|nursery|infants?|juniors?|primary|secondary|high|grammar|pupil referral|"
    r"pru|sixth form|education|educational|learning|tuition|university|montessori|prep|kindergarten|"
    r"conservatoire|institute|ysgol|utc)\b",
    re.I,
)
_UNIVERSITY_NAME = re.compile(
    r"\buniversit(?:y|ies)\b(?!.*\b(?:school|academy|primary|technical college|utc|partnership|centre)\b)", re.I
)
_FE_NAME = re.compile(
    r"sixth form college|tertiary college|further education|\bfe college|colleges? group|"
    r"college of (?:further|higher|adult|technology|agriculture|art|arts|building|food)",
    re.I,
)
_PRIMARY_WORDS = re.compile(r"\b(?:primary|infants?|juniors?|nursery)\b", re.I)
_SCHOOL_WORDS = re.compile(r"\b(?:school|academy|primary|infants?|juniors?|nursery)\b", re.I)
_DESIGNATION = re.compile(
    r"\b(?:c\.? ?of\.? ?e\.?|cofe|ce|church of england|r\.?c\.?|roman catholic|catholic|methodist|"
    r"voluntary aided|voluntary controlled|v\.?a\.?|v\.?c\.?|c\.?p\.?)\b|\((?:aided|controlled|va|vc)\)",
    re.I,
)
# GIAS numbered the further and the higher education institutions in a block each when it added them.
FE_URNS = range(130400, 130870)
HEI_URNS = range(133783, 133915)


def schools(ref: Path) -> pd.DataFrame:
    all_ = read_csv(ref / GIAS_ALL)
    open_ = read_csv(ref / GIAS_OPEN)
    require_columns(all_, ["urn", "name", "postcode", "close_date"], GIAS_ALL)
    every = pd.concat([open_.assign(close_date=None), all_], ignore_index=True)
    d = every.drop_duplicates("urn").reset_index(drop=True)
    indep = read_csv(ref / INDEPENDENT_SCHOOLS).drop_duplicates("URN").set_index("URN")
    charters = read_csv(ref / UNI_CHARTERS)
    charter_no = dict(zip(drop_scheme(charters["org_id_a"]), drop_scheme(charters["org_id_b"])))
    edu = read_csv(ref / EDU_COMPANIES)
    edu_co = dict(zip(drop_scheme(edu["org_id_a"]), drop_scheme(edu["org_id_b"])))
    urn = pd.to_numeric(d["urn"], errors="coerce")
    name = d["name"]
    university = (
        d["urn"].isin(list(charter_no))
        | (urn.isin(list(HEI_URNS)) & ~name.str.contains(_PRIMARY_WORDS))
        | name.str.contains(_UNIVERSITY_NAME)
    )
    college = name.str.contains(_FE_NAME) | (urn.isin(list(FE_URNS)) & ~name.str.contains(_SCHOOL_WORDS))
    kind = pd.Series("school", index=d.index).mask(college, "fe_college").mask(university, "university")
    kind = kind.mask(d["urn"].isin(indep.index), "independent_school")
    # A company number stands for the establishment only where the company is its proprietor
    # (independent schools, universities); an academy's company is its trust, listed apart.
    company = d["urn"].map(indep["company_number"]).fillna(d["urn"].map(charter_no)).fillna(d["urn"].map(edu_co))
    company = company.where(kind.isin(["independent_school", "university"]))
    facts = pd.DataFrame(
        {
            "urn": d["urn"],
            "body_id": "urn:" + d["urn"],
            "kind": kind,
            "company_number": company_numbers(company),
            "charity_number": d["urn"].map(indep["charity_number"]).map(charity_number),
            "other_id": "URN-" + d["urn"],
            "postcode": postcodes(d["postcode"]),
            "status": d["close_date"].fillna("").str.strip().ne("").map({True: "closed", False: "active"}),
            "note": "GIAS URN " + d["urn"],
        }
    )
    # Renamed establishments: the 2025 name first, the 2022 one as an alternative; each also without
    # its religious or governance designation, which ledgers write or leave out (`Crompton House CofE
    # School` is paid as `Crompton House School`).
    names = every[["urn", "name"]].drop_duplicates()
    plain = names.assign(
        name=names["name"].str.replace(_DESIGNATION, " ", regex=True).str.replace(r"\s+", " ", regex=True)
    )
    names = pd.concat([names, plain], ignore_index=True).drop_duplicates().sort_values("urn", kind="stable")
    out = one_name_each(names.merge(facts, on="urn", how="left"))
    # Names that do not say what they are stay in the table (for the URN) but are not matched by name.
    out.loc[~out["name"].str.contains(EDUCATION_NAME), "name_type"] = "id_only"
    return frame(out, "gias")


def academy_trusts(ref: Path) -> pd.DataFrame:
    d = read_csv(ref / ACADEMY_TRUSTS)
    require_columns(d, ["Entity", "Company Number"], ACADEMY_TRUSTS)
    number = company_numbers(d["Company Number"])
    out = pd.DataFrame(
        {
            "body_id": "trust:" + number.fillna(d["Entity"]),
            "kind": "academy_trust",
            "name": d["Entity"],
            "company_number": number,
            "note": "academy trust (WGA 2016-17 CPID " + d["OSCAR CPID"].fillna("?") + ")",
        }
    )
    return frame(out.drop_duplicates(["body_id", "name"]), "academy_trusts")


def universities(ref: Path) -> pd.DataFrame:
    ch = read_csv(ref / UNI_CHARITIES, encoding="utf-8-sig")
    rc = read_csv(ref / UNI_CHARTERS)
    ch_ids = ch["org_id_b"].fillna("")
    a = pd.DataFrame(
        {
            "body_id": "uni:" + ch["org_id_a"],
            "name": ch["org_name"],
            "charity_number": ch_ids.where(ch_ids.str.startswith("GB-CHC-")).str.replace("GB-CHC-", "", regex=False),
            "note": "university " + ch["org_id_a"],
        }
    )
    b = pd.DataFrame(
        {
            "body_id": "uni:" + rc["org_id_a"],
            "name": rc["org_name"],
            "company_number": company_numbers(rc["org_id_b"].str.replace("GB-COH-", "", regex=False)),
            "note": "university, royal charter " + rc["org_id_b"].str.replace("GB-COH-", "", regex=False),
        }
    )
    return frame(pd.concat([a, b], ignore_index=True).assign(kind="university"), "universities")


# -- care homes --------------------------------------------------------------------------------------


def care_homes(ref: Path) -> pd.DataFrame:
    gm = read_csv(ref / CARE_HOMES_GM)
    tr = read_csv(ref / CARE_HOMES_TRAFFORD)
    require_columns(tr, ["name", "cqc_id", "postcode", "provider"], CARE_HOMES_TRAFFORD)
    a = pd.DataFrame(
        {"body_id": "care:gm:" + gm.index.astype(str), "name": gm["name"], "postcode": postcodes(gm["postcode"])}
    )
    b = pd.DataFrame(
        {
            "body_id": "care:" + tr["cqc_id"],
            "name": tr["name"],
            "other_id": "CQC-" + tr["cqc_id"],
            "postcode": postcodes(tr["postcode"]),
        }
    )
    # A provider's name only with evidence it is an organisation's (a person may run a care home).
    prov = tr[tr["provider"].map(has_organisation_evidence)]
    prov = prov.drop_duplicates("provider").reset_index(drop=True)
    c = pd.DataFrame({"body_id": "care:provider:" + prov.index.astype(str), "name": prov["provider"]})
    out = pd.concat([a, b, c], ignore_index=True).assign(kind="care_home", note="care home (CQC)")
    return frame(out, "care_homes")
