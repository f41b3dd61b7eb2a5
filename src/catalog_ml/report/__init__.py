"""The HTML report of a build, with its figures: `python -m catalog_ml.report WAREHOUSE --out
target/report/index.html` (`make report`).

data.py reads the warehouse, plots.py draws each figure with matplotlib, page.py writes one
self-contained page (inline SVG, no script or asset from elsewhere) that opens offline.
"""
