"""The Preston demo's calibration: the published totals, the six anchors, what a real anchor's
ledger holds on top of procurement (`ON_TOP`), and the synthetic supplier pools' make-up. Data only;
`city.demo` writes the ledgers from it. See docs/DEMO.md."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_SLUG = "preston-demo"
SEED = 20130331
YEARS = ["2012/13", "2016/17"]
PRESTON = "E07000123"
# Lancashire County Council's twelve districts: CLES's "Lancashire" for Preston.
LANCASHIRE = [
    "E07000117",
    "E07000118",
    "E07000119",
    "E07000120",
    "E07000121",
    "E07000122",
    "E07000123",
    "E07000124",
    "E07000125",
    "E07000126",
    "E07000127",
    "E07000128",
]
# Where leaked spend goes, weighted towards the big cities where national suppliers sit.
OUTSIDE_HUBS = {
    "E09000001": 6,
    "E09000033": 8,
    "E08000003": 8,
    "E08000035": 5,
    "E08000025": 5,
    "E08000012": 4,
    "E06000023": 3,
    "E08000019": 3,
    "E06000008": 3,
    "E06000009": 3,
    "E08000001": 2,
    "E08000010": 2,
    "E06000049": 1,
    "E06000018": 2,
    "E08000021": 2,
    "E07000178": 1,
    "S12000049": 1,
    "W06000015": 1,
}

# Published figures (pence). 2012/13: CLES; 2016/17: Preston City Council / CLES.
PUBLISHED = {
    "2012/13": {"total": 750_000_000_00, "place": 38_300_000_00, "wider": 292_000_000_00},
    "2016/17": {"total": 617_000_000_00, "place": 112_300_000_00, "wider": 488_700_000_00},
}


@dataclass(frozen=True)
class DemoAnchor:
    name: str
    slug: str
    code: str
    total: dict[str, int]  # pence per year (illustrative split of the published total)
    place_weight: dict[str, float]  # share of its spend in Preston, before scaling to the total
    wider_weight: dict[str, float]  # share in the rest of Lancashire, before scaling
    individuals: int = 0  # payments to individuals per year (unlocated, never named)


M = 100_000_000  # £1m in pence
ANCHORS = [
    DemoAnchor(
        "Preston City Council",
        "preston-city-council",
        "PCC",
        {"2012/13": 52 * M, "2016/17": 50 * M},
        {"2012/13": 0.20, "2016/17": 0.35},
        {"2012/13": 0.25, "2016/17": 0.45},
        individuals=5,
    ),
    DemoAnchor(
        "Lancashire County Council",
        "lancashire-county-council",
        "LCC",
        {"2012/13": 560 * M, "2016/17": 447 * M},
        {"2012/13": 0.03, "2016/17": 0.15},
        {"2012/13": 0.36, "2016/17": 0.62},
        individuals=8,
    ),
    DemoAnchor(
        "Lancashire Constabulary",
        "lancashire-constabulary",
        "LC",
        {"2012/13": 72 * M, "2016/17": 64 * M},
        {"2012/13": 0.05, "2016/17": 0.15},
        {"2012/13": 0.30, "2016/17": 0.60},
        individuals=3,
    ),
    DemoAnchor(
        "Preston's College",
        "prestons-college",
        "PRC",
        {"2012/13": 19 * M, "2016/17": 13 * M},
        {"2012/13": 0.12, "2016/17": 0.30},
        {"2012/13": 0.25, "2016/17": 0.50},
    ),
    DemoAnchor(
        "Cardinal Newman College",
        "cardinal-newman-college",
        "CNC",
        {"2012/13": 7 * M, "2016/17": 6 * M},
        {"2012/13": 0.10, "2016/17": 0.25},
        {"2012/13": 0.25, "2016/17": 0.50},
    ),
    DemoAnchor(
        "Community Gateway Association",
        "community-gateway-association",
        "CGA",
        {"2012/13": 40 * M, "2016/17": 37 * M},
        {"2012/13": 0.15, "2016/17": 0.35},
        {"2012/13": 0.35, "2016/17": 0.50},
        individuals=4,
    ),
]


def _m(pounds_m: float) -> int:
    """£m in whole pence."""
    return round(pounds_m * M)


@dataclass(frozen=True)
class OnTop:
    """A line of a real anchor's ledger that is not procurement, added on top of the procurement
    base: a real body under the name the registers give it (`reference/public_bodies.py`), paid
    `payments` times a year. `postcode` only where a register gives it (the gender pay gap
    returns, NHS ODS, GIAS, Co-operatives UK); otherwise the payee is unlocated, as in many real
    creditor files. What sets it aside is the pipeline's business (`analysis.base`), never this
    table's."""

    anchor: str
    payee: str
    expense: str
    pence: dict[str, int]
    payments: int = 12
    postcode: str | None = None


PCC, LCC, LC = "Preston City Council", "Lancashire County Council", "Lancashire Constabulary"
PRC, CNC, CGA = "Preston's College", "Cardinal Newman College", "Community Gateway Association"
HMRC, PENSION_FUND = "HM Revenue & Customs", "Lancashire County Pension Fund"
# Illustrative amounts (£m a year), of the size such lines have in anchors' published ledgers.
ON_TOP = [
    # The city council: recharges between its own accounts, the precepts it collects with council
    # tax and pays over (the police commissioner is, to the police register, the Constabulary
    # anchor), shared services, payroll deductions, housing benefit paid to the housing association.
    OnTop(PCC, PCC, "Internal Recharges", {"2012/13": _m(0.45), "2016/17": _m(0.5)}, 4, "PR1 2RL"),
    OnTop(PCC, LCC, "Precept Payments", {"2012/13": _m(38.6), "2016/17": _m(44.9)}, 12, "PR1 8XJ"),
    OnTop(
        PCC,
        "Police and Crime Commissioner for Lancashire",
        "Precept Payments",
        {"2012/13": _m(5.9), "2016/17": _m(6.8)},
    ),
    OnTop(
        PCC,
        "Lancashire Combined Fire Authority",
        "Precept Payments",
        {"2012/13": _m(2.6), "2016/17": _m(2.9)},
        12,
        "PR2 3LH",
    ),
    OnTop(
        PCC,
        "South Ribble Borough Council",
        "Shared Services",
        {"2012/13": _m(0.8), "2016/17": _m(1.1)},
        4,
        "PR25 1DH",
    ),
    OnTop(PCC, HMRC, "PAYE and National Insurance", {"2012/13": _m(4.3), "2016/17": _m(4.0)}),
    OnTop(PCC, PENSION_FUND, "Pension Contributions", {"2012/13": _m(3.2), "2016/17": _m(3.4)}),
    OnTop(
        PCC,
        "Community Gateway Association Limited",
        "Housing Benefit Payments to Landlords",
        {"2012/13": _m(9.5), "2016/17": _m(8.8)},
        12,
        "PR2 2DW",
    ),
    # The county council: its own accounts, two other anchors, health partners, another council,
    # schools' delegated budgets, payroll deductions, the flood defence levy, and (2016/17) the
    # Better Care Fund pooled budget.
    OnTop(LCC, LCC, "Internal Recharges", {"2012/13": _m(2.1), "2016/17": _m(1.9)}, 4, "PR1 8XJ"),
    OnTop(LCC, PRC, "Training Provision", {"2012/13": _m(0.9), "2016/17": _m(0.7)}, 4, "PR2 8UR"),
    OnTop(LCC, PCC, "Highways Agency Agreement", {"2012/13": _m(1.3), "2016/17": _m(1.2)}, 4, "PR1 2RL"),
    OnTop(
        LCC,
        "Lancashire Teaching Hospitals NHS Foundation Trust",
        "Payments to Health Bodies",
        {"2012/13": _m(7.4), "2016/17": _m(6.2)},
        12,
        "PR2 9HT",
    ),
    OnTop(
        LCC,
        "Blackpool Teaching Hospitals NHS Foundation Trust",
        "Payments to Health Bodies",
        {"2012/13": _m(2.9), "2016/17": _m(2.4)},
        12,
        "FY3 8NR",
    ),
    # Primary care trusts were replaced by clinical commissioning groups on 1 April 2013. Neither is
    # in the registers here (NHS ODS lists today's bodies): the name patterns find them.
    OnTop(LCC, "NHS Central Lancashire", "Payments to Health Bodies", {"2012/13": _m(4.6)}, 12),
    OnTop(
        LCC,
        "NHS Greater Preston CCG",
        "Better Care Fund Pooled Budget",
        {"2016/17": _m(14.2)},
        12,
        "PR26 6TT",
    ),
    OnTop(
        LCC,
        "Blackburn with Darwen Borough Council",
        "Payments to Other Local Authorities",
        {"2012/13": _m(2.2), "2016/17": _m(2.6)},
        4,
        "BB1 7DY",
    ),
    OnTop(
        LCC,
        "Preston Greenlands Community Primary School",
        "Schools Delegated Budget",
        {"2012/13": _m(1.4), "2016/17": _m(1.5)},
        12,
        "PR2 6BB",
    ),
    OnTop(
        LCC,
        "Fishwick Primary School",
        "Schools Delegated Budget",
        {"2012/13": _m(1.1), "2016/17": _m(1.2)},
        12,
        "PR1 4RH",
    ),
    OnTop(
        LCC,
        "Larches High School",
        "Schools Delegated Budget",
        {"2012/13": _m(1.6), "2016/17": _m(1.7)},
        12,
        "PR1 6AA",
    ),
    OnTop(LCC, HMRC, "PAYE and National Insurance", {"2012/13": _m(41.5), "2016/17": _m(36.2)}),
    OnTop(LCC, PENSION_FUND, "Pension Contributions", {"2012/13": _m(28.4), "2016/17": _m(25.1)}),
    OnTop(LCC, "Environment Agency", "Flood Defence Levy", {"2012/13": _m(1.1), "2016/17": _m(1.2)}, 4),
    # The Constabulary: the county council's services, the Home Office, the fire service's estate.
    OnTop(
        LC,
        LCC,
        "Payments to Other Public Bodies",
        {"2012/13": _m(1.4), "2016/17": _m(1.2)},
        4,
        "PR1 8XJ",
    ),
    OnTop(
        LC,
        "Home Office",
        "Payments to Government Departments",
        {"2012/13": _m(0.7), "2016/17": _m(0.9)},
        4,
    ),
    OnTop(
        LC,
        "Lancashire Fire and Rescue Service",
        "Shared Estates Costs",
        {"2012/13": _m(0.3), "2016/17": _m(0.4)},
        4,
        "PR2 3LH",
    ),
    OnTop(LC, HMRC, "PAYE and National Insurance", {"2012/13": _m(9.8), "2016/17": _m(8.9)}),
    OnTop(LC, PENSION_FUND, "Pension Contributions", {"2012/13": _m(4.1), "2016/17": _m(3.8)}),
    # The colleges and the housing association: payroll deductions, the funding agency, the council.
    OnTop(PRC, HMRC, "PAYE and National Insurance", {"2012/13": _m(1.9), "2016/17": _m(1.5)}),
    OnTop(PRC, PENSION_FUND, "Pension Contributions", {"2012/13": _m(0.7), "2016/17": _m(0.6)}),
    OnTop(
        PRC,
        "Education Funding Agency",
        "Payments to Government Departments",
        {"2012/13": _m(0.15), "2016/17": _m(0.1)},
        2,
    ),
    OnTop(
        PRC,
        LCC,
        "Payments to Other Public Bodies",
        {"2012/13": _m(0.2), "2016/17": _m(0.15)},
        4,
        "PR1 8XJ",
    ),
    OnTop(CNC, HMRC, "PAYE and National Insurance", {"2012/13": _m(0.8), "2016/17": _m(0.7)}),
    OnTop(CNC, PENSION_FUND, "Pension Contributions", {"2012/13": _m(0.3), "2016/17": _m(0.25)}),
    OnTop(CGA, HMRC, "PAYE and National Insurance", {"2012/13": _m(1.6), "2016/17": _m(1.5)}),
    OnTop(CGA, PENSION_FUND, "Pension Contributions", {"2012/13": _m(0.7), "2016/17": _m(0.6)}),
    OnTop(
        CGA,
        PCC,
        "Council Tax on Empty Properties",
        {"2012/13": _m(0.35), "2016/17": _m(0.3)},
        12,
        "PR1 2RL",
    ),
]
# The city council, as the housing benefit and billing authority, also pays the Demo landlords
# (`LANDLORD_TRADES`) on their tenants' behalf and refunds business rates to some of the Demo
# firms in Preston it buys from: transfers to firms the base also holds.
HOUSING_BENEFIT = {"2012/13": _m(6.0), "2016/17": _m(5.5)}
RATE_REFUNDS = {"2012/13": _m(0.6), "2016/17": _m(0.5)}
RATE_REFUNDED = 12  # firms a year


# (SIC 2007 code, trade words, expense type). Real codes; the mix is illustrative.
TRADES = [
    ("41201", "Construction", "Capital Works"),
    ("43220", "Plumbing and Heating", "Repairs and Maintenance"),
    ("43210", "Electrical Contractors", "Repairs and Maintenance"),
    ("43390", "Building Finishers", "Repairs and Maintenance"),
    ("43999", "Roofing", "Repairs and Maintenance"),
    ("56290", "Catering", "Catering"),
    ("81210", "Cleaning Services", "Cleaning"),
    ("81300", "Grounds Maintenance", "Grounds Maintenance"),
    ("62020", "IT Services", "ICT"),
    ("69102", "Solicitors", "Legal Fees"),
    ("70229", "Consulting", "Consultancy"),
    ("71111", "Architects", "Professional Fees"),
    ("71122", "Engineering Consultants", "Professional Fees"),
    ("49410", "Haulage", "Transport"),
    ("49390", "Coaches", "Transport"),
    ("38110", "Waste Management", "Waste Disposal"),
    ("18129", "Printers", "Printing and Stationery"),
    ("80100", "Security", "Security"),
    ("81100", "Facilities Management", "Premises"),
    ("45200", "Vehicle Repairs", "Vehicle Maintenance"),
    ("46900", "Wholesale Supplies", "Supplies and Services"),
    ("78200", "Recruitment", "Agency Staff"),
    ("85590", "Training", "Training"),
    ("87900", "Residential Care", "Social Care Placements"),
    ("88100", "Home Care", "Social Care Placements"),
    ("47410", "Office Technology", "ICT Equipment"),
]
VCSE_TRADES = [
    ("88990", "Community Trust", "Voluntary Sector Grants"),
    ("94990", "Community Association", "Voluntary Sector Grants"),
    ("88100", "Care Cooperative", "Social Care Placements"),
    ("85590", "Learning Trust", "Training"),
]
UTILITY_TRADES = [("35140", "Energy Supply", "Utilities - Electricity"), ("36000", "Water Supply", "Utilities - Water")]
# Private landlords in Preston, paid housing benefit on their tenants' behalf (a transfer, `ON_TOP`).
LANDLORD_TRADES = [("68209", "Lettings", "Housing Benefit Payments to Landlords")]

STEMS = """Alder Ashworth Bamber Barton Beacon Birchall Bowland Brindle Brockholes Calder Carrfield
Castleford Cedar Claughton Clayhill Colne Croston Darwen Deepdale Dunsop Eaves Elmridge Fairhaven
Farington Fernlea Fishwick Forton Garstang Gisburn Goosnargh Grimsargh Hambleton Hawthorne Heapey
Hesketh Holme Hoghton Inglewhite Ingol Kirkland Langho Larkhill Lea Longridge Lostock Lune Marsh
Mellor Millbrook Moorside Nateby Newsham Oakenclough Orrell Parbold Pendle Penwortham Pilling
Preesall Quernmore Ribbleton Ribchester Rivington Roach Rufford Salwick Samlesbury Scorton
Silverdale Slaidburn Staining Stonyhurst Sunderland Tarleton Thornley Tockholes Tunstead Ulnes
Walmer Warton Whalley Wharles Whitestake Whittle Winmarleigh Withnell Woodplumpton Wrea Wyre
Yealand""".split()

# Supplier type shares by where the supplier is (illustrative). No public bodies: the base is
# procurement, and the public bodies a ledger pays are real ones, added on top (`ON_TOP`).
SIZE_MIX = {
    "place": {"sme": 0.74, "vcse": 0.17, "large": 0.09},
    "wider": {"sme": 0.62, "vcse": 0.11, "large": 0.27},
    "outside": {"sme": 0.29, "vcse": 0.04, "large": 0.64, "utility": 0.03},
}
POOL_SIZE = {"place": 320, "wider": 560, "outside": 620, "landlord": 12}
# Which of each pool trade in each year: suppliers lost after 2012/13 and gained by 2016/17.
ACTIVE = {
    "place": {"2012/13": (0, 200), "2016/17": (45, 320)},
    "wider": {"2012/13": (0, 430), "2016/17": (60, 560)},
    "outside": {"2012/13": (0, 620), "2016/17": (30, 600)},
}
REDACTED = "Redacted personal data"
STAMP = "generator.json"  # which generator wrote a demo folder (`ensure_demo`)
PAYMENT_SIZE = 80_000_00  # about one payment per £80k of a supplier's year, 1 to 36 a year
