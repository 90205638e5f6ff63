"""The stage contracts of docs/CONTRACTS.md as data: column names in file order, the values a coded
column may take, and the labels that stand in for private individuals.

Each lives here once; stages import them, and tests/base/test_schema.py reads CONTRACTS.md and checks it
against this module both ways. Data only: this module imports nothing from the package, so any
stage (ingest and reference included) can import it. Column orders are lists because pandas reads a
tuple as one key; never mutate them.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# §1 Transactions (ingest)

# The contract table: column -> type ("?": may be null), in file order.
TRANSACTION_CONTRACT = {
    "anchor": "string",
    "source_file": "string",
    "sheet": "string",
    "row_number": "int64",
    "payment_date": "date32?",
    "financial_year": "string",
    "amount_pence": "int64",
    "supplier_name": "string?",
    "supplier_id": "string?",
    "company_number": "string?",
    "charity_number": "string?",
    "other_id": "string?",
    "vat_number": "string?",
    "postcode": "string?",
    "expense_category": "string?",
    "service_area": "string?",
    "description": "string?",
    "transaction_ref": "string?",
    "individual": "bool",
    "redacted": "bool",
    "payment_id": "string",
}
# Ledger columns ingest keeps as published, beyond the contract (added, never renamed).
LEDGER_EXTRA_COLUMNS = [
    "directorate",
    "ledger_sic_code",
    "ledger_company_name",
    "ledger_match_method",
    "supplier_classification",
    "line_number",
    "expense_code",
    "capital_revenue",
    "body_name",
    "body_code",
    "postcode_district",
]
# The ledger's own yes/no flags, read as booleans (Y/N, Yes/No, True/False, 1/0; anything else null,
# with a note in the column map): a published VCSE flag, and whether the publisher counts the
# payment as influenceable spend (a `Non-influenceable` column is read inverted into it).
LEDGER_FLAG_COLUMNS = ["ledger_vcse", "ledger_influenceable"]
TRANSACTION_ADDED = {
    "date_source": "string",
    "row_repair": "string?",
    **dict.fromkeys(LEDGER_EXTRA_COLUMNS, "string?"),
    **dict.fromkeys(LEDGER_FLAG_COLUMNS, "bool?"),
}
TRANSACTION_COLUMNS = [*TRANSACTION_CONTRACT, *TRANSACTION_ADDED]
DATE_SOURCES = ["ledger", "ledger_month", "file_period"]

RECONCILIATION_COLUMNS = [
    "source_file",
    "sheet",
    "rows_read",
    "rows_kept",
    "rows_set_aside",
    "pence_read",
    "pence_kept",
    "pence_set_aside",
]  # then reason_<reason> per reason
QUARANTINE_COLUMNS = ["source_file", "sheet", "row_number", "reason", "amount_pence", "raw", "duplicate_of"]
# What was read: one row per field of each table's column map (`DIR/column_maps.csv`).
COLUMN_MAP_COLUMNS = ["source_file", "sheet", "header_row", "field", "column", "column_number", "read_from", "note"]
COLUMN_MAP_SOURCES = ["header", "content", "override", "earlier_file"]

# An entry of a ledger folder that is not read: one set-aside row each (`ingest.folders`).
FILE_UNSUPPORTED, FILE_UNREADABLE, FILE_HIDDEN = "file_unsupported", "file_unreadable", "file_hidden"
# A ledger sheet a workbook holds beside the ones read: its rows counted, its payments set aside (`ingest.sheets`).
SHEET_HIDDEN, SHEET_SUMMARY, SHEET_REPEATS_OTHERS = "sheet_hidden", "sheet_summary", "sheet_repeats_others"
# Why a row was set aside. Ingest's reasons, in the order of its reconciliation columns...
INGEST_REASONS = [
    "blank",
    "total_row",
    "repeated_header",
    "no_amount",
    "unreadable_amount",
    "implausible_amount",
    "no_date",
    "unreadable_date",
    "date_time_only",
    "no_supplier",
    "duplicate_of_other_file",
    "sheet_not_a_ledger",
    SHEET_HIDDEN,
    SHEET_SUMMARY,
    SHEET_REPEATS_OTHERS,
    FILE_UNSUPPORTED,
    FILE_UNREADABLE,
    FILE_HIDDEN,
]
# ...and the city pipeline's: payments dated outside the config's years, and supplier-sheet rows
# whose amount does not read (ingest calls that `unreadable_amount`; kept apart so outputs stay as they were).
OUTSIDE_YEARS = "outside_years"
BAD_AMOUNT = "bad_amount"
CITY_REASONS = [OUTSIDE_YEARS, BAD_AMOUNT]
SET_ASIDE_REASONS = [*INGEST_REASONS, *CITY_REASONS]

# --------------------------------------------------------------------------------------------
# §3 Suppliers (resolution)

SUPPLIER_CONTRACT_COLUMNS = [
    "supplier_key",
    "supplier_name",
    "company_number",
    "charity_number",
    "other_id",
    "postcode",
    "lad_code",
    "ward_code",
    "lsoa_code",
    "imd_decile",
    "sic_code",
    "sic_section",
    "sic_division",
    "sic_inferred",
    "supplier_type",
    "public_kind",
    "public_class",
    "public_evidence",
    "resolved_by",
    "match_score",
    "registered_name",
    "location_basis",
]
SUPPLIER_EVIDENCE_COLUMNS = [
    "matched_by",
    "register_source",
    "postcode_source",
    "postcode_district",
    "sic_source",
    "ledger_type",
    "payments",
    "spend_pence",
    # an officer's address check (`suppliers.address_check`): who placed the supplier, and when
    "checked_by",
    "checked_on",
]
SUPPLIER_COLUMNS = [*SUPPLIER_CONTRACT_COLUMNS, *SUPPLIER_EVIDENCE_COLUMNS]
# Also the order supplier types are shown in.
SUPPLIER_TYPES = ["sme", "large", "vcse", "public", "public_corporation", "individual", "unknown"]
# What a public body (or a lookalike) is, from the registers (`reference/public_bodies.py`), and the
# class the config's decision table gives each kind (`definitions.public_bodies`). `public` above is
# general government; `public_corporation` is kept in the base and shown apart.
PUBLIC_KINDS = [
    "council",
    "parish_council",
    "combined_authority",
    "local_government",
    "nhs_trust",
    "ccg",
    "icb",
    "police",
    "fire",
    "central_government",
    "school",
    "academy_trust",
    "fe_college",
    "council_company",
    "almo",
    "public_corporation",
    "housing_association",
    "university",
    "gp_practice",
    "care_home",
    "independent_school",
    "independent_hospital",
]
PUBLIC_CLASSES = ["general_government", "public_corporation", "not_public"]
# Resolution layers, first hit wins, then `unresolved`.
RESOLVED_BY = [
    "officer_checked",
    "crosswalk",
    "ledger_postcode",
    "identifier",
    "exact_name",
    "fuzzy_name",
    "unresolved",
]
# Which address placed a supplier (`suppliers.resolve.location_basis`), from the surest to none.
# A head or registered office says where a firm is based, not where it trades: a large firm so placed
# outside the place may serve it from a branch (`analysis.baseline.may_branch`).
LOCATION_BASES = [
    "ledger_postcode",
    "officer_checked",
    "trading_site",
    "registered_office",
    "head_office",
    "register_address",
    "postcode_district",
    "none",
]
OFFICE_BASES = ["registered_office", "head_office"]

# --------------------------------------------------------------------------------------------
# §4 Spend (city pipeline)

SPEND_COLUMNS = [
    "anchor",
    "anchor_kind",
    "financial_year",
    "payment_date",
    "amount_pence",
    "supplier_key",
    "supplier_name",
    "supplier_type",
    "individual",
    "lad_code",
    "ward_code",
    "lsoa_code",
    "imd_decile",
    "sic_code",
    "sic_section",
    "sic_division",
    "sic_inferred",
    "expense_category",
    "resolved_by",
    "location_basis",
    "located",
    "geo",
    "deprived",
    "in_place",
    "in_wider",
    "name_shown",
]
# Beyond the contract: the way back to the ledger row, written when the transactions have them.
# (Influenceable is not a column: `nextsteps.influenceable.classify` decides it from the config's
# rules, so there is one definition.)
SPEND_TRACE_COLUMNS = [
    "service_area",
    "description",
    "supplier_id",
    "payment_id",
    "source_file",
    "sheet",
    "row_number",
    "ledger_influenceable",
]
# `geo` values, in the order tables and charts show them.
GEO_ORDER = ["place", "wider", "outside", "unlocated"]

# Coded columns and their values, as CONTRACTS lists them ("one of ...").
VALUES = {
    "date_source": DATE_SOURCES,
    "supplier_type": SUPPLIER_TYPES,
    "public_kind": PUBLIC_KINDS,
    "public_class": PUBLIC_CLASSES,
    "resolved_by": RESOLVED_BY,
    "location_basis": LOCATION_BASES,
    "geo": GEO_ORDER,
}

# --------------------------------------------------------------------------------------------
# Individuals: never named in any output.

# Every individual and redacted payee shares one supplier_key, so no key leads to a person.
INDIVIDUAL_KEY = "individual"
# Two labels because they say different things. In processed data, a payee ingest flagged as a
# person keeps its rows with its name replaced by INDIVIDUAL_LABEL. Readers see one label only,
# INDIVIDUALS_LABEL: every payee without positive evidence of an organisation (individuals, and
# payees the tool cannot show to be organisations) is one line in a table that adds suppliers up,
# keyed INDIVIDUALS_KEY so it cannot collide with a real supplier_key, and a row-level table shows
# that label in place of the name (`cwbtools.privacy.for_readers`).
INDIVIDUAL_LABEL = "(individual)"
INDIVIDUALS_LABEL = "(payees not named)"
# Readers see a payee's name only with positive evidence of an organisation (`cwbtools.organisations`):
# this bool column says so, per supplier, in the suppliers and spend tables.
NAME_SHOWN = "name_shown"
INDIVIDUALS_KEY = "(individuals)"
