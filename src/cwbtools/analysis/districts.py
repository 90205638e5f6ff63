"""Where the money went, by postcode district: located spend added up to the supplier's postcode
district and placed at the district's centre, never at a payee's own postcode; individuals and
redacted payees are left out altogether. Pure functions over the spend (CONTRACTS §4), suppliers
(§3) and the reference build's `postcode_districts.parquet` and `outline.parquet` (§2); the map
that draws them is `report.charts.map`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..identifiers import postcode_district
from ..privacy import individual_rows
from ..schema import GEO_ORDER

DISTRICT_COLUMNS = [
    "postcode_district",
    "easting",
    "northing",
    "geo",
    "spend_pence",
    "suppliers",
    "payments",
    "share_of_mapped",
]


def supplier_districts(suppliers: pd.DataFrame) -> pd.Series:
    """Each supplier's postcode district, by `supplier_key`: the outward code of its postcode, else
    the ledger's district (a supplier placed by district alone)."""
    from_postcode = suppliers["postcode"].map(postcode_district, na_action="ignore")
    given = suppliers["postcode_district"] if "postcode_district" in suppliers.columns else None
    district = from_postcode if given is None else from_postcode.fillna(given)
    return pd.Series(district.astype("string").to_numpy(), index=suppliers["supplier_key"].to_numpy())


def spend_by_district(
    spend: pd.DataFrame, suppliers: pd.DataFrame, districts: pd.DataFrame, min_suppliers: int = 1
) -> pd.DataFrame:
    """Located spend by the suppliers' postcode district, largest first, with the district's centre
    (`easting`, `northing`, metres), `geo` (where most of its spend is: place, wider or outside),
    spend, distinct suppliers and payments. Individuals and redacted payees never count; a district
    with fewer than `min_suppliers` suppliers is left out. `attrs` says what the map leaves out:
    `located_pence` (all located spend of organisations), `mapped_pence`, `no_district_pence`
    (located by LAD alone, or a district with no centre) and `few_suppliers_pence`."""
    if min_suppliers < 1:
        raise ValueError("min_suppliers must be at least 1")
    located = spend["lad_code"].notna() & spend["geo"].isin(["place", "wider", "outside"])
    rows = spend.loc[located & ~individual_rows(spend), ["supplier_key", "amount_pence", "geo"]].copy()
    rows["postcode_district"] = rows["supplier_key"].map(supplier_districts(suppliers))
    known = rows["postcode_district"].isin(districts["postcode_district"])
    per = (
        rows[known]
        .groupby("postcode_district", sort=True)
        .agg(
            spend_pence=("amount_pence", "sum"),
            suppliers=("supplier_key", "nunique"),
            payments=("amount_pence", "size"),
        )
        .reset_index()
    )
    by_geo = rows[known].groupby(["postcode_district", "geo"], observed=True)["amount_pence"].sum().reset_index()
    by_geo["_order"] = by_geo["geo"].map({g: i for i, g in enumerate(GEO_ORDER)})
    main_geo = by_geo.sort_values(["postcode_district", "amount_pence", "_order"], ascending=[True, False, True])
    per = per.merge(main_geo.drop_duplicates("postcode_district")[["postcode_district", "geo"]], on="postcode_district")
    per = per.merge(districts[["postcode_district", "easting", "northing"]], on="postcode_district", how="left")
    few = per["suppliers"] < min_suppliers
    out = per[~few].copy()
    out["spend_pence"] = out["spend_pence"].astype("int64")
    mapped = int(out["spend_pence"].sum())
    out["share_of_mapped"] = out["spend_pence"] / mapped if mapped else float("nan")
    out = out.sort_values(["spend_pence", "postcode_district"], ascending=[False, True], kind="mergesort")
    out = out[DISTRICT_COLUMNS].reset_index(drop=True)
    out.attrs = {
        "located_pence": int(rows["amount_pence"].sum()),
        "mapped_pence": mapped,
        "no_district_pence": int(rows.loc[~known, "amount_pence"].sum()),
        "few_suppliers_pence": int(per.loc[few, "spend_pence"].sum()),
    }
    return out


def areas(outline: pd.DataFrame, place_lads: Iterable[str], wider_lads: Iterable[str]) -> pd.DataFrame:
    """`outline.parquet`'s squares with `area`: `place`, `wider` (the rest of the wider area) or `outside`."""
    lad = outline["lad_code"]
    area = np.where(lad.isin(list(place_lads)), "place", np.where(lad.isin(list(wider_lads)), "wider", "outside"))
    return outline.assign(area=area)


def squares(land: pd.DataFrame, of: Iterable[str] | None = None, km: int = 1) -> pd.DataFrame:
    """The grid squares (`easting_km`, `northing_km`, south-west corners, `km` wide) holding
    postcodes of the areas `of` (`place`, `wider`, `outside`; all of Great Britain when None), from
    `areas`."""
    rows = land if of is None else land[land["area"].isin(list(of))]
    cells = pd.DataFrame({"easting_km": rows["easting_km"] // km * km, "northing_km": rows["northing_km"] // km * km})
    out = cells.drop_duplicates().astype("int32").reset_index(drop=True)
    out.attrs["km"] = km
    return out
