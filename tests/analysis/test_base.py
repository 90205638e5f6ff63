"""The procurement base (issue 18) on hand-made frames whose answers were worked out by hand: each
exclusion, the anchor paying itself and another anchor, the order the rules meet a payment in,
where every pound went (to the penny), summary.json's keys as docs/SUMMARY.md lists them, figures
that are not given when net spend is not above zero, and published figures beside ours."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from cwbtools.analysis import base, baseline, change, headlines
from cwbtools.config import parse_config
from cwbtools.paths import repo_root
from cwbtools.report import summary

P, W, E = "E08000006", "E08000003", "E09000001"


def _spend(rows: list[tuple]) -> pd.DataFrame:
    """(anchor, payee, supplier_type, geo, expense_category, pence[, extra columns]) per payment."""
    out = []
    for r in rows:
        anchor, name, stype, geo, expense, pence, *extra = r
        located = geo != "unlocated"
        out.append(
            {
                "anchor": anchor,
                "anchor_kind": "council",
                "financial_year": "2019/20",
                "payment_date": pd.Timestamp("2019-06-01"),
                "amount_pence": pence,
                "supplier_key": name.lower(),
                "supplier_name": name,
                "supplier_type": stype,
                "individual": stype == "individual",
                "lad_code": {"place": P, "wider": W, "outside": E}.get(geo),
                "imd_decile": None,
                "sic_division": None,
                "expense_category": expense,
                "description": None,
                "located": located,
                "geo": geo,
                "in_place": geo == "place",
                "in_wider": geo in ("place", "wider"),
                **(extra[0] if extra else {}),
            }
        )
    df = pd.DataFrame(out)
    df["amount_pence"] = df["amount_pence"].astype("int64")
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    return df


def _defs(anchors=("Salford City Council",), **definitions):
    config = parse_config(
        {
            "name": "Test",
            "slug": "test",
            "place": {"name": "Salford", "lad_codes": [P]},
            "wider_area": {"name": "GM", "lad_codes": [W]},
            "years": ["2019/20"],
            "anchors": [{"name": a, "kind": "council", "ledgers": ["x.csv"]} for a in anchors],
            "definitions": definitions,
        },
        resolve_areas=False,
    )
    return config.analysis_definitions()


# A hand register of public bodies: one council with its other names (as `la_mysociety` gives them).
BODIES = pd.DataFrame(
    {
        "body_id": ["la:SLF", "la:SLF", "la:SLF", "la:MAN"],
        "name_norm": [
            "salford city council",
            "salford metropolitan borough council",
            "salford council",
            "manchester city council",
        ],
    }
)

# By hand: all kept spend 2_000_000 + the rows below.
ROWS = [
    ("Salford City Council", "Salford Metropolitan Borough Council", "public", "place", "Rates", 100_000),
    ("Salford City Council", "Bolton Council", "public", "wider", "Recharges", 200_000),
    ("Salford City Council", "(individual)", "individual", "unlocated", "Foster care", 30_000),
    ("Salford City Council", "H M REVENUE & CUSTOMS", "public", "outside", None, 400_000),
    ("Salford City Council", "Lancashire County Pension Fund", "unknown", "wider", None, 50_000),
    ("Salford City Council", "Some Landlord Ltd", "unknown", "place", "Housing Benefit payments", 70_000),
    ("Salford City Council", "Acme Taxis Ltd", "sme", "place", "Taxi fares", 60_000),
    ("Salford City Council", "Benefit Software Ltd", "large", "outside", "Benefits software licence", 90_000),
    ("Salford City Council", "Local Youth Trust", "vcse", "place", "Grants to voluntary bodies", 40_000),
    ("Salford City Council", "Salford Homes Ltd", "public_corporation", "place", "Repairs", 80_000),
    ("Salford City Council", "Unrecognised Payee", "unknown", "unlocated", "Misc", 25_000),
    ("Salford City Council", "Big Firm Plc", "large", "outside", "IT", 500_000),
    ("Salford City Council", "Power Co", "large", "outside", "Energy", 45_000, {"sic_division": "35"}),
    (
        "Salford City Council",
        "NHS Salford CCG",
        "unknown",
        "place",
        None,
        310_000,
        {"public_class": "general_government"},
    ),
]


@pytest.fixture()
def classified():
    defs = _defs()
    return base.classify(_spend(ROWS), base.exclusion_rules(defs, BODIES))


def _by(classified: pd.DataFrame) -> dict[str, str | None]:
    return {n: (None if pd.isna(c) else c) for n, c in zip(classified["supplier_name"], classified["excluded_as"])}


def test_each_exclusion_by_hand(classified):
    got = _by(classified)
    # The council paying itself under another of its names (the register's), before it is a public body.
    assert got["Salford Metropolitan Borough Council"] == "self"
    assert got["Bolton Council"] == "public_body"
    assert got["(individual)"] == "individual"
    # HMRC is a transfer (tax), found by payee words with `&` read as `and`; so is a pension fund.
    assert got["H M REVENUE & CUSTOMS"] == "transfer" and got["Lancashire County Pension Fund"] == "transfer"
    # Housing benefit paid to a landlord is a transfer, by the expense category.
    assert got["Some Landlord Ltd"] == "transfer"
    # Whole words only: taxis are no tax, and benefits software is a purchase.
    assert got["Acme Taxis Ltd"] is None and got["Benefit Software Ltd"] is None
    # Grants to voluntary bodies stay in the base, flagged; public corporations are kept by default.
    assert got["Local Youth Trust"] is None and got["Salford Homes Ltd"] is None
    assert classified.set_index("supplier_name").loc["Local Youth Trust", "grant"]
    # Unrecognised payees stay in the base (positive evidence of a person only).
    assert got["Unrecognised Payee"] is None
    # The registers' decision (`public_class`) counts whatever the supplier type says.
    assert got["NHS Salford CCG"] == "public_body"
    # Utilities are procurement: in the base, out of influenceable spend only.
    power = classified.set_index("supplier_name").loc["Power Co"]
    assert power["excluded_as"] == "utility" and power["in_base"] and not power["influenceable"]


def test_base_and_influenceable_pence_by_hand(classified):
    amount = classified["amount_pence"]
    assert amount.sum() == 2_000_000
    assert base.excluded_pence(classified) == {
        "public_body": 510_000,
        "public_corporation": 0,
        "individual": 30_000,
        "transfer": 520_000,
        "self": 100_000,
        "inter_anchor": 0,
    }
    assert amount[classified["in_base"]].sum() == 840_000
    assert amount[classified["influenceable"]].sum() == 795_000  # less the utility's 45_000
    assert base.analysed(classified, "all") is classified


def test_without_the_register_an_anchor_is_known_by_its_own_name_only():
    rules = base.exclusion_rules(_defs(), None)
    got = _by(base.classify(_spend(ROWS), rules))
    # Not known as itself: still out of the base, by the next rule it meets (business rates).
    assert got["Salford Metropolitan Borough Council"] == "transfer"
    own = _spend([("Salford City Council", "SALFORD CITY COUNCIL (Direct Debit)", "unknown", "place", None, 5)])
    assert _by(base.classify(own, rules))["SALFORD CITY COUNCIL (Direct Debit)"] == "self"


def test_payment_to_another_anchor_of_the_config():
    defs = _defs(anchors=("Salford City Council", "Manchester City Council"))
    rows = [
        ("Salford City Council", "Manchester City Council", "public", "wider", None, 700),
        ("Manchester City Council", "Salford Council", "public", "place", None, 300),
        ("Manchester City Council", "Manchester City Council", "public", "wider", None, 50),
        ("Manchester City Council", "Stockport MBC", "public", "wider", None, 20),
    ]
    got = base.classify(_spend(rows), base.exclusion_rules(defs, BODIES))
    assert got["excluded_as"].tolist() == ["inter_anchor", "inter_anchor", "self", "public_body"]
    assert base.excluded_pence(got)["inter_anchor"] == 1000 and base.excluded_pence(got)["self"] == 50


def test_public_corporations_as_the_config_says():
    rows = [("Salford City Council", "Salford Homes Ltd", "public_corporation", "place", "Repairs", 80_000)]
    for setting, in_base, influenceable in (
        ("keep", True, True),
        ("base", False, False),
        ("influenceable", True, False),
    ):
        defs = _defs(exclusions={"public_corporations": setting})
        got = base.classify(_spend(rows), base.exclusion_rules(defs, BODIES)).iloc[0]
        assert (got["in_base"], got["influenceable"]) == (in_base, influenceable), setting
    got = base.classify(_spend(rows), base.exclusion_rules(_defs(exclusions={"public_corporations": "base"}), BODIES))
    assert base.excluded_pence(got)["public_corporation"] == 80_000


def test_transfer_words_are_definitions():
    """The config's words replace the defaults: a payee the defaults call a transfer stays when left out."""
    rows = [("Salford City Council", "Lancashire County Pension Fund", "unknown", "wider", None, 50_000)]
    defs = _defs(exclusions={"transfers": {"payees": ["hmrc"], "expenses": []}})
    assert base.classify(_spend(rows), base.exclusion_rules(defs, BODIES))["in_base"].all()
    rx = base.words_regex(["precept", "levy", "rates"])
    assert rx.search("LCC Ctax Precept Apr 24") and rx.search("Flood levies") and rx.search("Rates")
    assert rx.search("Learning Pool subscriptions") is None and base.words_regex([]) is None


def test_where_every_pound_went_reconciles_to_the_penny(classified):
    rules = base.exclusion_rules(_defs(), BODIES)
    t = base.where_every_pound(classified, rules).set_index("line")
    assert t.loc["All kept spend", "spend_pence"] == 2_000_000
    steps = t[t["scope"] == "base"]["spend_pence"]
    assert (steps <= 0).all() and len(steps) == 6  # every base rule listed, in order, even at zero
    assert (
        t.loc["All kept spend", "spend_pence"] + steps.sum() == t.loc[base.PROCUREMENT_LINE, "spend_pence"] == 840_000
    )
    after = t[t["scope"] == "influenceable"]["spend_pence"].sum()
    assert t.loc[base.PROCUREMENT_LINE, "spend_pence"] + after == t.loc[base.INFLUENCEABLE_LINE, "spend_pence"]
    assert t.loc["of which grants (the ledger says so)", "spend_pence"] == 40_000
    assert t.loc["of which public corporations (kept, shown apart)", "spend_pence"] == 80_000
    assert t.loc["Transfers (by payee)", "spend_pence"] == -450_000
    assert t.loc[base.PROCUREMENT_LINE, "share_of_total"] == pytest.approx(0.42)
    by = base.where_every_pound(classified, rules, by_anchor=True)
    assert by[by["anchor"] == "All anchors"].drop(columns="anchor").equals(t.reset_index()[by.columns[1:]])


def test_the_ledgers_influenceable_flag_sets_payments_outside_influenceable_spend_only():
    """`ledger_influenceable` false: out of influenceable spend, never the base; true, null or no
    column: nothing; a line in 'where every pound went' only when a ledger gives the flag."""
    rules = base.exclusion_rules(_defs(), BODIES)
    rows = [
        ("Salford City Council", "Acme Ltd", "sme", "place", "Repairs", 10_000, {"ledger_influenceable": False}),
        ("Salford City Council", "Bravo Ltd", "sme", "place", "Repairs", 20_000, {"ledger_influenceable": True}),
        ("Salford City Council", "Charlie Ltd", "sme", "place", "Repairs", 30_000, {"ledger_influenceable": None}),
        # a base rule meets it first: the flag does not move it back into the base
        ("Salford City Council", "HMRC", "unknown", "outside", None, 40_000, {"ledger_influenceable": False}),
    ]
    got = base.classify(_spend(rows), rules).set_index("supplier_name")
    assert got["excluded_as"].isna().tolist() == [False, True, True, False]
    assert got.loc["Acme Ltd", "excluded_as"] == "published" and got.loc["Acme Ltd", "in_base"]
    assert not got.loc["Acme Ltd", "influenceable"] and got.loc["HMRC", "excluded_as"] == "transfer"
    assert got["in_base"].tolist() == [True, True, True, False]
    t = base.where_every_pound(got.reset_index(), rules).set_index("line")
    flag_line = "Published as not influenceable (the ledger's flag)"
    assert t.loc[flag_line, "spend_pence"] == -10_000 and t.loc[flag_line, "scope"] == "influenceable"
    assert t.loc[base.PROCUREMENT_LINE, "spend_pence"] == 60_000
    assert t.loc[base.INFLUENCEABLE_LINE, "spend_pence"] == 50_000


def test_no_influenceable_flag_changes_nothing(classified):
    rules = base.exclusion_rules(_defs(), BODIES)
    with_nulls = base.classify(_spend(ROWS).assign(ledger_influenceable=None), rules)
    cols = base.CLASSIFIED_COLUMNS
    pd.testing.assert_frame_equal(with_nulls[cols], classified[cols])
    plain = base.where_every_pound(classified, rules)
    assert "Published as not influenceable (the ledger's flag)" not in set(plain["line"])
    pd.testing.assert_frame_equal(base.where_every_pound(with_nulls, rules), plain)


# -- summary.json -----------------------------------------------------------------------------------

SUMMARY_MD = (repo_root() / "docs" / "SUMMARY.md").read_text(encoding="utf-8")
YEAR_KEYS = {
    "base",
    "total_gbp",
    "place_gbp",
    "place_share",
    "place_share_bounds",
    "wider_gbp",
    "wider_share",
    "wider_share_bounds",
    "outside_gbp",
    "unlocated_gbp",
    "located_share",
    "sme_share",
    "sme_share_bounds",
    "vcse_share",
    "vcse_share_bounds",
    "deprived_share",
    "deprived_share_bounds",
    "note",
    "office_placed_gbp",
    "office_placed_share",
    "branch_unknown_gbp",
    "central_note",
    "located_by_basis_gbp",
    "all_spend",
    "excluded_gbp",
    "months_covered",
    "partial",
    "top_supplier_share",
    "anchors",
}


def test_summary_keys_are_those_documented(classified, tmp_path):
    defs = _defs()
    summary.update(tmp_path, headlines.baseline_summary(defs, classified, "2019/20", BODIES))
    s = json.loads((tmp_path / "summary.json").read_text())
    y = s["years"]["2019/20"]
    assert set(y) == YEAR_KEYS
    documented = set(re.findall(r"`([a-z_]+)`", SUMMARY_MD))
    assert YEAR_KEYS | {"schema_version", "anchor_kinds", "base"} <= documented, "docs/SUMMARY.md names every key"
    assert s["schema_version"] == summary.SCHEMA_VERSION == 2
    assert s["anchor_kinds"] == {"Salford City Council": "council"} and y["base"] == "procurement"
    assert set(y["excluded_gbp"]) == set(base.BASE_CATEGORIES)
    assert set(y["all_spend"]) == YEAR_KEYS - {"base", "all_spend", "excluded_gbp", "months_covered", "partial"} - {
        "top_supplier_share",
        "anchors",
        "located_by_basis_gbp",
    }
    # The identities docs/SUMMARY.md states.
    assert y["all_spend"]["total_gbp"] == pytest.approx(y["total_gbp"] + sum(y["excluded_gbp"].values()))
    assert y["total_gbp"] == 8_400.0 and y["all_spend"]["total_gbp"] == 20_000.0
    assert y["months_covered"] == 1 and y["partial"] is True
    assert y["top_supplier_share"] == pytest.approx(500_000 / 840_000)
    assert set(y["anchors"]["Salford City Council"]) == YEAR_KEYS - {"anchors"}
    assert y["note"] is None and all(v is not None for v in y["place_share_bounds"])


def test_summary_of_a_net_negative_year_gives_no_share_and_says_why():
    rows = [
        ("Salford City Council", "Big Firm Plc", "large", "place", "IT", 1_000),
        ("Salford City Council", "Other Firm Ltd", "large", "outside", "IT", -5_000),
        ("Salford City Council", "Bolton Council", "public", "wider", None, 9_000),
    ]
    y = headlines.year_summary(_defs(), _spend(rows))
    assert y["all_spend"]["total_gbp"] == 50.0 and y["all_spend"]["place_share"] == pytest.approx(0.2)
    assert y["total_gbp"] == -40.0 and y["place_share"] is None or pd.isna(y["place_share"])
    assert "zero or negative" in y["note"] and not any(pd.isna(v) for v in y["place_share_bounds"])
    assert not pd.isna(y["located_share"]) and pd.isna(y["top_supplier_share"])


def test_base_all_measures_every_kept_payment(classified):
    y = headlines.year_summary(_defs(base="all"), classified)
    assert y["base"] == "all" and y["total_gbp"] == y["all_spend"]["total_gbp"] == 20_000.0
    assert y["excluded_gbp"]["transfer"] == 5_200.0  # still told: what procurement would set aside


def test_change_summary_is_on_the_base(classified):
    later = classified.assign(financial_year="2020/21", payment_date=pd.Timestamp("2020-06-01"))
    every = pd.concat([classified, later], ignore_index=True)
    defs = dataclasses.replace(_defs(), years=("2019/20", "2020/21"))
    part = change.change_summary(defs, every)
    assert part["change"]["total_gbp_change"] == 0
    assert part["years"]["2020/21"]["total_gbp"] == 8_400.0
    assert set(part["years"]["2020/21"]) == YEAR_KEYS


def test_published_figures_beside_ours(classified):
    from cwbtools.definitions import PublishedFigure

    defs = dataclasses.replace(
        _defs(),
        published=(
            PublishedFigure(
                "2019/20", "place_share", 0.3, "The council (2020)", "suppliers based or branched in Salford"
            ),
            PublishedFigure("2019/20", "total", 20_000.0, "The council (2020)", None),
            PublishedFigure("2012/13", "place", 1.0, "Nobody", None),
        ),
    )
    t = headlines.published_beside(defs, classified, BODIES).set_index(["year", "measure"])
    row = t.loc[("2019/20", "place_share")]
    m = baseline.measures(base.analysed(classified), (1, 2))
    assert row["published"] == 0.3 and row["their_definition"] == "suppliers based or branched in Salford"
    assert (row["ours"], row["ours_lo"], row["ours_hi"]) == pytest.approx(
        (m["place_share"], m["place_share_lo"], m["place_share_hi"])
    )
    assert t.loc[("2019/20", "total"), "ours"] == 8_400.0 and t.loc[("2019/20", "total"), "ours_all_spend"] == 20_000.0
    assert t.loc[("2012/13", "place"), "note"] == "no kept spend in 2012/13"


PUBLISHED_KEYS = {
    "year",
    "measure",
    "unit",
    "value",
    "definition",
    "source",
    "base",
    "ours",
    "ours_bounds",
    "ours_all_spend",
    "note",
}


def test_published_figures_in_summary_json(classified, tmp_path):
    from cwbtools.definitions import PublishedFigure

    defs = dataclasses.replace(
        _defs(),
        published=(
            PublishedFigure("2019/20", "place_share", 0.3, "The council (2020)", "based or branched in Salford"),
            PublishedFigure("2019/20", "total", 20_000.0, "The council (2020)", None),
            PublishedFigure("2012/13", "place", 1.0, "Nobody", None),
        ),
    )
    summary.update(tmp_path, headlines.baseline_summary(defs, classified, "2019/20", BODIES))
    s = json.loads((tmp_path / "summary.json").read_text())
    share, total, absent = s["published"]  # the config's order
    assert all(set(e) == PUBLISHED_KEYS for e in s["published"])
    assert PUBLISHED_KEYS | {"published"} <= set(re.findall(r"`([a-z_]+)`", SUMMARY_MD)), "docs/SUMMARY.md"
    m = baseline.measures(base.analysed(classified), (1, 2))
    assert (share["value"], share["unit"], share["definition"]) == (0.3, "share", "based or branched in Salford")
    assert share["base"] == "procurement" and share["source"] == "The council (2020)"
    assert share["ours"] == pytest.approx(m["place_share"])
    assert share["ours_bounds"] == pytest.approx([m["place_share_lo"], m["place_share_hi"]])
    # Ours on the base (8,400) beside theirs; on all kept spend (20,000) too.
    assert (total["unit"], total["definition"]) == ("gbp", None)
    assert (total["ours"], total["ours_all_spend"]) == (8_400.0, 20_000.0)
    assert total["ours_bounds"] == [8_400.0, 8_400.0] and total["note"] is None
    assert absent["ours"] is None and absent["ours_bounds"] == [None, None]
    assert absent["note"] == "no kept spend in 2012/13"
    assert headlines.baseline_summary(_defs(), classified, "2019/20", BODIES)["published"] == []


# -- the real register ------------------------------------------------------------------------------


def test_anchor_names_from_the_real_register(public_bodies):
    names = base.anchor_names(["Salford City Council", "Lancashire Police and Crime Commissioner"], public_bodies)
    assert "salford metropolitan borough council" in names["Salford City Council"]
    assert "lancashire constabulary" in names["Lancashire Police and Crime Commissioner"]
    assert not names["Salford City Council"] & names["Lancashire Police and Crime Commissioner"]
    assert base.name_keys("Salford M.B.C.") & names["Salford City Council"]


def test_published_note_says_when_there_are_none():
    assert "no published figures" in headlines.published_note(_defs())


def test_classifying_part_of_the_spend_gives_that_part_of_the_whole():
    """Each payment is classified alone (each distinct payee once): a year's or an anchor's payments
    get what they get in all the spend (notebooks classify a year again for the influenceable rules)."""
    other = [("Manchester City Council", "Salford City Council", "public", "wider", "Recharges", 5_000)]
    spend = _spend(ROWS + other + [("Manchester City Council", *r[1:]) for r in ROWS[:4]])
    rules = base.exclusion_rules(_defs(["Salford City Council", "Manchester City Council"]), BODIES)
    whole = base.classify(spend, rules)
    assert set(whole["excluded_as"].dropna()) >= {"self", "inter_anchor", "individual", "transfer", "public_body"}
    for part in (spend.iloc[3:9], spend.iloc[[0, 5, len(spend) - 1]], spend.iloc[:0]):
        pd.testing.assert_frame_equal(base.classify(part, rules), whole.loc[part.index])
