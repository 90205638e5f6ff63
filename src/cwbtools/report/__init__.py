"""Report stage: tables, charts, summary.json, HTML pages and the run engine."""
