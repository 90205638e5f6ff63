"""Writes the stand-in notebooks (kept in git; regenerate with this script if the contract changes)."""
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell

COMMON_SETUP = '''import os
from cwbtools import present, summary
from cwbtools.config import load_config

config = load_config(config_path, check_inputs=False, resolve_areas=False)
report_dir = report_dir or f"reports/{config.slug}"
# The runner's tests make one city fail on purpose through this variable.
if os.environ.get("CWB_STANDIN_FAIL") == config.slug:
    raise RuntimeError(f"stand-in failure for {config.slug}")'''

def nb(stem, params, cells):
    cells = [new_code_cell(params, metadata={"tags": ["parameters"]})] + cells
    book = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.write(book, f"{stem}.ipynb")

nb("01_baseline", 'config_path: str = "configs/preston-demo.yml"\nyear: str | None = None\nreport_dir: str | None = None', [
    new_code_cell(COMMON_SETUP + '\nimport pandas as pd\nyear = year or config.baseline_year'),
    new_markdown_cell("# Baseline: where the money went\n\nA stand-in for the real notebook, with the same parameters."),
    new_markdown_cell("## Spend by supplier"),
    new_code_cell('''suppliers = pd.DataFrame({
    "supplier": ["<script>alert(1)</script> Ltd", "Acme & Sons <Ltd>", "(individual)"],
    "geo": ["place", "wider", "outside"],
    "spend_pence": [150_000, 250_000, 100_000],
})
present.table(suppliers, "suppliers", f"Spend by supplier, {year}", "Three hand-made payments", report_dir)'''),
    new_markdown_cell("## Where it went"),
    new_code_cell('''import matplotlib.pyplot as plt
from IPython.display import Markdown, display
by_geo = suppliers.groupby("geo", sort=True)["spend_pence"].sum()
fig, ax = plt.subplots(figsize=(5, 2.5))
ax.barh(by_geo.index, by_geo.to_numpy() / 100)
ax.set_xlabel("£")
plt.show()
present.chart_caption("Spend by area", "Three hand-made payments", "suppliers")'''),
    new_code_cell('''top = suppliers.loc[0, "supplier"]
display(Markdown(f"The first supplier listed is **{top}**."))
print(f"Largest supplier: {top}")'''),
    new_code_cell('''total = int(suppliers["spend_pence"].sum())
_ = summary.update(report_dir, {"city": config.name, "slug": config.slug, "synthetic": config.synthetic,
    "years": {year: {"total_gbp": total / 100, "place_share": 150_000 / total, "wider_share": 400_000 / total,
                     "located_share": 1.0}}})'''),
])
nb("02_change_over_time", 'config_path: str = "configs/preston-demo.yml"\nyears: list[str] | None = None\nreport_dir: str | None = None', [
    new_code_cell(COMMON_SETUP + '\nimport pandas as pd\nyears = years or config.years'),
    new_markdown_cell("# Change over time\n\n## Place share by year"),
    new_code_cell('''shares = pd.DataFrame({"financial_year": years, "place_share": [0.3 + 0.05 * i for i in range(len(years))]})
present.table(shares, "place-share-by-year", "Place share by year", "Stand-in figures", report_dir)'''),
    new_code_cell('''_ = summary.update(report_dir, {"change": {"from": years[0], "to": years[-1],
    "place_share_change": float(shares["place_share"].iloc[-1] - shares["place_share"].iloc[0])}})'''),
])
nb("03_next_steps", 'config_path: str = "configs/preston-demo.yml"\nyear: str | None = None\nreport_dir: str | None = None', [
    new_code_cell(COMMON_SETUP + '\nimport pandas as pd\nyear = year or config.latest_year'),
    new_markdown_cell("# Next steps\n\n## Scenarios\n\n### Raise the place share"),
    new_code_cell('''scenarios = pd.DataFrame({"scenario": ["+10 points"], "extra_local_pence": [50_000]})
present.table(scenarios, "scenarios", f"Scenarios, {year}", "Stand-in figures", report_dir)'''),
    new_code_cell('_ = summary.update(report_dir, {"next_steps": {"year": year}})'),
])
