"""The definitions block of a city's config: every one has a documented default (docs/ASSUMPTIONS.md),
echoed by `CityConfig.definitions_table()` in every report. Keys that moved or stopped being settings are
refused with where they went or why. (`CityConfig.analysis_definitions()` turns these into the
analysis side's `cwbtools.definitions.AnalysisDefinitions`.)

`_Strict` lives here, the lowest of the config's model modules: every config model forbids unknown keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..definitions import CONFIRM_FUZZY_ABOVE_GBP, OFFICE_SHARE_LIMIT, PublicBodyRules


class _Strict(BaseModel):
    # A field's docstring is its description, read by config/docs.py when it writes docs/CONFIG.md:
    # not pydantic's `use_attribute_docstrings`, which reads every model's source at each import.
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False)


class Deprived(_Strict):
    """A supplier is in a deprived area when its LSOA's IMD 2019 decile (national) is one of these."""

    deciles: list[int] = Field(default_factory=lambda: [1, 2])
    """IMD deciles (1 = most deprived tenth of neighbourhoods in England) that count as deprived."""
    index: Literal["imd2019"] = "imd2019"
    """The deprivation index: the English Indices of Deprivation 2019, the only one supported."""

    @field_validator("deciles")
    @classmethod
    def _deciles(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 10 for d in value):
            raise ValueError("deciles must be a non-empty list of numbers 1 to 10")
        return sorted(set(value))


# The UK definition of an SME (fewer staff than this); the registers tell only this boundary.
SME_EMPLOYEES = 250


class SmeRule(_Strict):
    """Who counts as an SME: fewer than `SME_EMPLOYEES` (250) staff (the UK definition), as the registers tell it by
    supplier resolution; spend with suppliers of unknown size is counted as `unknown_as`:
    `unknown` (apart: the SME share is measured on spend of known type, with bounds), `sme` or
    `large` (see `analysis.baseline.count_unknown_size`)."""

    unknown_as: Literal["unknown", "sme", "large"] = "unknown"
    """How spend with suppliers of unknown size counts: apart (`unknown`), as SME or as large."""

    @model_validator(mode="before")
    @classmethod
    def _no_threshold(cls, value: Any) -> Any:
        if isinstance(value, dict) and "max_employees" in value:
            raise ValueError(
                f"max_employees is no longer a setting: the registers only tell fewer than "
                f"{SME_EMPLOYEES} staff from more (Gender Pay Gap reporting, Companies House "
                f"accounts categories), so an SME is always fewer than {SME_EMPLOYEES} "
                "employees; remove the key"
            )
        return value


# Whole words (a plural allowed) in a payee's name that say a payment is a transfer, not a purchase.
TRANSFER_PAYEES = [
    "hmrc",
    "revenue and customs",
    "inland revenue",
    "pension fund",
    "pension scheme",
    "pensions",
    "refund",
    "housing benefit",
    "business rates",
    "non domestic rates",
    "council tax",
]
# ... and in a payment's expense category or description (not its service area, which names the
# department that bought: `Housing Benefit Administration` buys software).
TRANSFER_EXPENSES = [
    "hmrc",
    "national insurance",
    "paye",
    "income tax",
    "employee tax",
    "vehicle tax",
    "landfill tax",
    "council tax",
    "business rates",
    "non domestic rates",
    "nndr",
    "rates",
    "central share",
    "precept",
    "levy",
    "pension contribution",
    "pension deficit",
    "pensions deficit",
    "pension strain",
    "pension increase",
    "lgps",
    "superannuation",
    "pooled budget",
    "pooled fund",
    "section 75",
    "better care fund",
    "housing benefit",
    "benefit payment",
    "benefit overpayment",
    "rent allowance",
    "discretionary housing payment",
    "refund",
    "pass through",
    "pass-through",
]


class Transfers(_Strict):
    """Payments that are not purchases, excluded from the procurement base: tax and national
    insurance, pension contributions, precepts and levies, pooled budgets, benefits (housing
    benefit paid to landlords included), business-rate and council-tax payments and refunds.
    Matched case-insensitively as whole words (a plural allowed: `levy` finds `levies`, `tax`
    never finds `taxi`)."""

    payees: list[str] = Field(default_factory=lambda: list(TRANSFER_PAYEES))
    """Words in a payee's name (`&` read as `and`): HMRC, pension funds, refund and benefit accounts."""
    expenses: list[str] = Field(default_factory=lambda: list(TRANSFER_EXPENSES))
    """Words in a payment's expense category or description (a grant is not one: grants stay in the base)."""


class NotInfluenceable(_Strict):
    """Procurement an anchor cannot redirect to local suppliers: kept in the procurement base (and so
    in every headline share), set aside from influenceable spend only (the next steps)."""

    supplier_types: list[Literal["public_corporation", "vcse", "sme", "large", "unknown"]] = Field(default_factory=list)
    """Supplier types whose spend is not influenceable (public bodies and individuals have already left the base)."""
    sic_divisions: list[str] = Field(default_factory=lambda: ["35", "36"])
    """SIC 2007 divisions not influenceable: 35 (electricity, gas) and 36 (water) are bought where the network is."""
    suppliers: list[str] = Field(default_factory=list)
    """Supplier names not influenceable: national frameworks and contracts let nationally."""
    suppliers_file: str | None = None
    """A file of such supplier names: a CSV (its `supplier_name` column, else the first) or text, one a line."""


class Exclusions(_Strict):
    """The one set of rules that sets spend aside, in the order applied (each payment by the first
    rule it meets; `cwbtools.analysis.base`). From the procurement base: the anchor's payments to
    itself, to another anchor of the config, to individuals, transfers, payments to public bodies
    (general government, `definitions.public_bodies`) and, if set, to public corporations. From
    influenceable spend only: `not_influenceable`."""

    transfers: Transfers = Field(default_factory=Transfers)
    """Transfers, excluded from the procurement base."""
    public_corporations: Literal["keep", "base", "influenceable"] = "keep"
    """Payments to public corporations (council companies, ALMOs): kept (`keep`, shown apart), excluded from the base (`base`) or from influenceable spend only (`influenceable`)."""
    not_influenceable: NotInfluenceable = Field(default_factory=NotInfluenceable)
    """Procurement set aside from influenceable spend only."""

    def definition_rows(self, base: str, default: Definitions) -> list[tuple[str, str, str, str]]:
        """The base and its exclusions as rows of `CityConfig.definitions_table()`."""
        d, ni, dni = default.exclusions, self.not_influenceable, default.exclusions.not_influenceable
        files = [", ".join(ni.suppliers), ni.suppliers_file and f"file {ni.suppliers_file}"]
        return [
            (
                "Base",
                base,
                default.base,
                "`procurement`: kept payments less the anchor's payments to itself and to the other anchors of "
                "this config, to individuals, transfers, public bodies (general government) and public "
                "corporations when excluded below; every headline share and the index are measured on it "
                "(the 'where every pound went' table). `all`: every kept payment.",
            ),
            (
                "Excluded from the base: transfers by payee",
                _list(self.transfers.payees),
                _list(d.transfers.payees),
                "Tax and national insurance to HMRC, pension funds, refund and benefit accounts: whole words "
                "of the payee's name.",
            ),
            (
                "Excluded from the base: transfers by expense",
                _list(self.transfers.expenses),
                _list(d.transfers.expenses),
                "Tax, pensions, precepts and levies, pooled budgets, benefits, rates and refunds: whole words "
                "of the expense category or description. Grants are not transfers: they stay in the base.",
            ),
            (
                "Public corporations",
                self.public_corporations,
                d.public_corporations,
                "Council companies, ALMOs and other public corporations trade like firms: kept in the base and "
                "shown apart (`keep`), or excluded from the base or from influenceable spend.",
            ),
            (
                "Not influenceable: supplier types",
                _list(ni.supplier_types),
                _list(dni.supplier_types),
                "Procurement from these types is kept in the base but set aside from influenceable spend.",
            ),
            (
                "Not influenceable: SIC divisions",
                _list(ni.sic_divisions),
                _list(dni.sic_divisions),
                "Utilities (35 electricity and gas, 36 water) are bought from whoever owns the network: in the "
                "base, not influenceable.",
            ),
            (
                "Not influenceable: named suppliers",
                "; ".join(filter(None, files)) or "none",
                "none",
                "National frameworks and contracts let nationally, listed by supplier: in the base, not influenceable.",
            ),
        ]


PublicClass = Literal["general_government", "public_corporation", "not_public"]


class PublicBodies(_Strict):
    """Who is public: the decision table. Each kind of body the registers (or, last, name patterns)
    recognise is given a class: `general_government` (excluded from the procurement base as a
    public body), `public_corporation` (kept in the base, typed and shown apart) or `not_public`
    (kept, typed by size like any supplier). The defaults follow the ONS sector classification
    (ESA 2010) as CLES counted procurement; docs/ASSUMPTIONS.md says why for each."""

    council: PublicClass = "general_government"
    """Councils of every principal tier (county, district, unitary, metropolitan, London borough, Welsh, Scottish, NI), the GLA and the City of London Corporation."""
    parish_council: PublicClass = "general_government"
    """Parish, town and community councils and parish meetings (no register here: name patterns)."""
    combined_authority: PublicClass = "general_government"
    """Combined (county) authorities."""
    local_government: PublicClass = "general_government"
    """Other local government bodies in the ONS guide: transport executives, joint and waste authorities, council-run non-market bodies."""
    nhs_trust: PublicClass = "general_government"
    """NHS trusts and foundation trusts, and their hospital sites."""
    ccg: PublicClass = "general_government"
    """Clinical commissioning groups (to 2022)."""
    icb: PublicClass = "general_government"
    """Integrated care boards (from 2022) and their sub-ICB locations."""
    police: PublicClass = "general_government"
    """Police forces and Police and Crime Commissioners."""
    fire: PublicClass = "general_government"
    """Fire and rescue authorities and services."""
    central_government: PublicClass = "general_government"
    """Government departments, executive agencies, NDPBs, courts: the ONS guide's central government and GOV.UK's organisations."""
    school: PublicClass = "general_government"
    """Maintained schools and academies (GIAS establishments that are not independent schools, colleges or universities)."""
    academy_trust: PublicClass = "general_government"
    """Academy trusts (single and multi-academy), classified to central government."""
    fe_college: PublicClass = "general_government"
    """Further education and sixth form colleges (central government in the national accounts since November 2022; public in every year here)."""
    council_company: PublicClass = "public_corporation"
    """Companies a council owns that trade (the ONS guide's public corporations sponsored by a local authority)."""
    almo: PublicClass = "public_corporation"
    """Arm's-length management organisations: a council's housing company."""
    public_corporation: PublicClass = "public_corporation"
    """Other public corporations (central government trading bodies: Royal Mint, Channel 4, ...)."""
    housing_association: PublicClass = "not_public"
    """Registered providers of social housing, in every year (private since the ONS reclassification of 2017)."""
    university: PublicClass = "not_public"
    """Universities and their colleges (not public sector in the national accounts)."""
    gp_practice: PublicClass = "not_public"
    """GP practices: independent contractors to the NHS."""
    care_home: PublicClass = "not_public"
    """Care homes (CQC registered), whoever commissions them."""
    independent_school: PublicClass = "not_public"
    """Independent schools (with their companies and charities)."""
    independent_hospital: PublicClass = "not_public"
    """Independent sector hospitals."""
    name_patterns: bool = True
    """Let name patterns (`... Parish Council`, `NHS ...`, `Department for ...`) find bodies no register lists: the last resort, stated in each supplier's evidence."""

    def definition_rows(self, default: PublicBodies) -> list[tuple[str, str, str, str]]:
        """The decision table as rows of `CityConfig.definitions_table()`: the kinds of each class."""

        def kinds(table: PublicBodies, cls: str) -> str:
            return ", ".join(k for k, v in table.rules().classes.items() if v == cls) or "none"

        why = {
            "general_government": "General government in the ONS sector classification: not procurement the anchor "
            "could place locally, so excluded from the procurement base.",
            "public_corporation": "Public corporations trade like firms: kept in the procurement base, typed "
            "`public_corporation` and shown apart.",
            "not_public": "Lookalikes of public bodies that are not public sector: kept in the base as any supplier.",
        }
        rows = [(f"Public bodies: {c.replace('_', ' ')}", kinds(self, c), kinds(default, c), why[c]) for c in why]
        rows.append(
            (
                "Public bodies: name patterns",
                "used" if self.name_patterns else "not used",
                "used" if default.name_patterns else "not used",
                "Registers first (identifiers, then names); patterns such as `... Parish Council` only for bodies "
                "no register lists, stated as such in each supplier's evidence.",
            )
        )
        return rows

    def rules(self) -> PublicBodyRules:
        """The table as the supplier classifier takes it (`cwbtools.suppliers.public`)."""
        return PublicBodyRules(
            classes={k: v for k, v in self.model_dump().items() if k != "name_patterns"},
            name_patterns=self.name_patterns,
        )


def _list(values: list) -> str:
    return ", ".join(str(v) for v in values) if values else "none"


# Benchmark keys that moved to `definitions.respend` (one re-spend setting, per supplier type).
_MOVED_RESPEND = {"respend_local_sme": "definitions.respend.sme", "respend_large": "definitions.respend.large"}


class Benchmark(_Strict):
    """The national shares a place is compared with: CLES/FSB 2013 'Local procurement: making the
    most of small businesses'."""

    local_share: float = 0.311
    """The benchmark share of procurement spend with suppliers in the place (0.311 = 31.1%)."""
    sme_share: float = 0.47
    """The benchmark share of procurement spend with SMEs (0.47 = 47%)."""
    source: str = (
        "CLES and FSB (2013), Local procurement: making the most of small businesses, one "
        "year on: 31.1% of council procurement spend within the authority, 47% with SMEs"
    )
    """Where the benchmark shares come from, quoted beside them in the report."""
    anchor_kinds: list[str] = Field(default_factory=lambda: ["council", "county_council"])
    """The anchor kinds (`anchors[].kind`) these shares are averages of: the CLES/FSB figures are councils' self-reported averages ("local" as each council defined it). A config whose anchors include any other kind (police, fire, NHS, ...) gets no benchmark verdict unless that kind is listed here with shares meant for it."""

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, value: Any) -> Any:
        moved = [k for k in _MOVED_RESPEND if isinstance(value, dict) and k in value]
        if moved:
            raise ValueError(
                "; ".join(f"{k} moved to {_MOVED_RESPEND[k]}" for k in moved)
                + " (re-spend per £1 is set once, per supplier type: sme, large, vcse, public, unknown)"
            )
        return value

    @field_validator("local_share", "sme_share")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("a share must be between 0 and 1")
        return value


class Respend(_Strict):
    """Pence per £1 (as a fraction) a supplier in the place of each type re-spends in the place:
    the third round of LM3 and the re-spend range of the next steps' scenarios."""

    sme: float = 0.63
    """Re-spend in the place per £1 paid to a local SME (0.63 = 63p)."""
    large: float = 0.40
    """Re-spend in the place per £1 paid to a local large firm."""
    vcse: float = 0.63
    """Re-spend in the place per £1 paid to a local voluntary, community or social enterprise."""
    public: float = 0.40
    """Re-spend in the place per £1 paid to a local public body."""
    public_corporation: float = 0.40
    """Re-spend in the place per £1 paid to a local public corporation (a council company, an ALMO)."""
    unknown: float = 0.40
    """Re-spend in the place per £1 paid to a local supplier of unknown type."""
    source: str = (
        "CLES and FSB (2013), Local procurement: making the most of small businesses, one year "
        "on: local SMEs re-spend 63p per £1 locally, large firms 40p; VCSE assumed like SMEs, "
        "public bodies, public corporations and unknown suppliers like large firms (conservative)"
    )
    """Where the re-spend figures come from, quoted beside them in the report."""

    @field_validator("sme", "large", "vcse", "public", "public_corporation", "unknown")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("re-spend must be between 0 and 1 (pence per £1 / 100)")
        return value


class Location(_Strict):
    """Where a supplier is: a head or registered office is where a firm is based, not where it trades
    (CLES counted a supplier as local when based *or branched* in the area)."""

    office_share_limit: float = OFFICE_SHARE_LIMIT
    """No central place or wider share (only its bounds) when more than this part of located procurement spend is placed by a head or registered office."""
    confirm_fuzzy_above_gbp: float = CONFIRM_FUZZY_ABOVE_GBP
    """A fuzzy name match with more spend than this (pounds, all years) places nothing until an officer confirms it; its company number and type are kept."""

    @field_validator("office_share_limit")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("office_share_limit must be between 0 and 1")
        return value

    @field_validator("confirm_fuzzy_above_gbp")
    @classmethod
    def _pounds(cls, value: float) -> float:
        if value < 0:
            raise ValueError("confirm_fuzzy_above_gbp must be zero or more (pounds)")
        return value

    def definition_rows(self, default: Location) -> list[tuple[str, str, str, str]]:
        """The rows `CityConfig.definitions_table()` echoes."""
        return [
            (
                "Central share withheld above",
                f"{self.office_share_limit:.0%} of located spend placed by head or registered office",
                f"{default.office_share_limit:.0%}",
                "Above it the central place and wider shares would say where firms are based, not where they trade: "
                "only the bounds are given.",
            ),
            (
                "Fuzzy matches confirmed above",
                f"£{self.confirm_fuzzy_above_gbp:,.0f}",
                f"£{default.confirm_fuzzy_above_gbp:,.0f}",
                "A fuzzy name match with more spend than this places nothing until an officer confirms it "
                "(the address check); its company number and type are kept.",
            ),
        ]


class Definitions(_Strict):
    """The definitions block: what counts as deprived, SME, influenceable; benchmarks and re-spend.
    Every one has a default (docs/ASSUMPTIONS.md) and every report echoes those in force."""

    deprived: Deprived = Field(default_factory=Deprived)
    """Which neighbourhoods count as deprived."""
    sme: SmeRule = Field(default_factory=SmeRule)
    """Who counts as an SME, and how suppliers of unknown size count."""
    base: Literal["procurement", "all"] = "procurement"
    """What the headline and every baseline share are measured on: `procurement` (kept spend less the `exclusions` that leave the base) or `all` kept spend."""
    exclusions: Exclusions = Field(default_factory=Exclusions)
    """Spend set aside: from the procurement base, and from influenceable spend."""
    public_bodies: PublicBodies = Field(default_factory=PublicBodies)
    """Who is public: the class each kind of public body (and lookalike) is given."""
    benchmark: Benchmark = Field(default_factory=Benchmark)
    """The national shares the place is compared with."""
    respend: Respend = Field(default_factory=Respend)
    """Re-spend per £1 by supplier type (LM3's third round and the scenarios)."""
    supplier_survey: str | None = None
    """A supplier survey (CSV or XLSX) whose measured re-spend replaces the `respend` assumptions."""
    scenario_base: Literal["influenceable", "procurement"] = "influenceable"
    """The spend a scenario's share is measured on and its pounds multiplied by: `influenceable` spend (what anchors could redirect) or the whole procurement base (as CLES stated its Preston target)."""
    displacement: float = 0.0
    """The share (0 to 1) of a scenario's direct uplift that only displaces local activity (a local supplier winning work another local firm loses): the indirect effects apply to the rest, the net additional local spend."""
    flq_delta: float = 0.25
    """Flegg's delta in the FLQ regionalisation of the IOAT 2020 Type I table (0.25, Flegg and Webber's usual value; larger shrinks a small area's multipliers more)."""
    policy_start: dt.date | None = None
    """When a CWB policy began: the trend in the local share then adds a step and a change of slope here."""
    location: Location = Field(default_factory=Location)
    """Where a supplier is placed, and when a central place share is given."""

    @field_validator("displacement", "flq_delta")
    @classmethod
    def _fraction(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("must be between 0 and 1")
        return value

    @model_validator(mode="before")
    @classmethod
    def _moved_exclusions(cls, value: Any) -> Any:
        if isinstance(value, dict) and "not_influenceable" in value:
            raise ValueError(
                "not_influenceable moved into definitions.exclusions, one set of rules: its supplier_types, "
                "sic_divisions, suppliers and suppliers_file to definitions.exclusions.not_influenceable "
                "(public bodies and individuals now leave the procurement base itself), its expense_patterns "
                "to definitions.exclusions.transfers.expenses (docs/ASSUMPTIONS.md)"
            )
        return value
