"""Writes the stand-in notebooks (kept in git; regenerate with this script if the contract changes).

They are shaped like the real notebooks (tests/test_notebook_hygiene.py checks both): a parameters
cell, one import cell, the setup line `r = open_report(...)`, cells of at most 3 lines, and a hidden
summary cell. Their tables are made by hand (no analysis), so they need no ledgers or reference
tables; Standin Beta fails on purpose, for the runner's tests.
"""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

IMPORTS = "import pandas as pd\nfrom cwbtools.report import charts\nfrom cwbtools.report.context import open_report"
FAIL = """if r.defs.slug == "standin-beta":  # the runner's tests need one city that fails
    raise RuntimeError(f"stand-in failure for {r.defs.slug}")"""


def summary_cell(source):
    return new_code_cell(source, metadata={"tags": ["remove-cell"]})


def nb(stem, params, setup, cells):
    cells = [
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell(IMPORTS),
        new_code_cell(setup),
        new_code_cell(FAIL),
    ] + cells
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    book = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(book, f"{stem}.ipynb")


nb(
    "01_baseline",
    'config_path: str = "configs/preston-demo.yml"\nyear: str | None = None\nreport_dir: str | None = None',
    "r = open_report(config_path, year=year, report_dir=report_dir)",
    [
        new_markdown_cell(
            "# Baseline: where the money went\n\nA stand-in for the real notebook, with the same parameters."
        ),
        new_markdown_cell("## Spend by supplier"),
        new_code_cell("""names = ["<script>alert(1)</script> Ltd", "Acme & Sons <Ltd>", "(individual)"]
suppliers = pd.DataFrame({"supplier": names, "geo": ["place", "wider", "outside"],
    "rank": [2, 1, 3], "spend_pence": [150_000, 250_000, 100_000], "cumulative_share": [.8, .5, 1]})"""),
        new_code_cell('r.table(suppliers, "suppliers", f"Spend by supplier, {r.year}", "Three hand-made payments")'),
        new_markdown_cell("## Where it went"),
        new_code_cell('r.chart(charts.top_supplier_curve(suppliers), "suppliers-curve", "Three hand-made payments")'),
        new_code_cell("""top = suppliers.loc[0, "supplier"]
r.note(f"The first supplier listed is **{top}**.")
print(f"Largest supplier: {top}")"""),
        summary_cell("""year = {"total_gbp": 5000.0, "place_share": 0.3, "wider_share": 0.8, "located_share": 1.0}
r.summary({"city": r.defs.name, "slug": r.defs.slug, "synthetic": r.defs.synthetic,
           "years": {r.year: year}})"""),
    ],
)
nb(
    "02_change_over_time",
    'config_path: str = "configs/preston-demo.yml"\nyears: list[str] | None = None\nreport_dir: str | None = None',
    "r = open_report(config_path, years=years, report_dir=report_dir)",
    [
        new_markdown_cell("# Change over time\n\n## Place share by year"),
        new_code_cell("""shares = pd.DataFrame({"financial_year": list(years or r.defs.years)})
shares["place_share"] = 0.3 + 0.05 * shares.index
r.table(shares, "place-share-by-year", "Place share by year", "Stand-in figures")"""),
        summary_cell("""first, last = shares.iloc[0], shares.iloc[-1]
r.summary({"change": {"from": first["financial_year"], "to": last["financial_year"],
                      "place_share_change": float(last["place_share"] - first["place_share"])}})"""),
    ],
)
nb(
    "03_next_steps",
    'config_path: str = "configs/preston-demo.yml"\nyear: str | None = None\nreport_dir: str | None = None',
    'r = open_report(config_path, year=year, report_dir=report_dir, default_year="latest")',
    [
        new_markdown_cell("# Next steps\n\n## Scenarios\n\n### Raise the place share"),
        new_code_cell("""scenarios = pd.DataFrame({"scenario": ["+10 points"], "extra_local_pence": [50_000]})
r.table(scenarios, "scenarios", f"Scenarios, {r.year}", "Stand-in figures")"""),
        summary_cell('r.summary({"next_steps": {"year": r.year}})'),
    ],
)
