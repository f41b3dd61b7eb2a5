"""Recommendations benchmark on interaction data in the raw contract (issue 14).

    python -m catalog_ml.bench_recs FOLDER [--cutoff TIMESTAMP] [--vars YAML] [--work DIR]
        [--keep] [--json PATH] [--bootstrap 1000] [--seed 14]
    make bench-recs DATA=FOLDER [CUTOFF='2026-01-15 00:00:00']
    python -m catalog_ml.bench_recs.convert RATINGS OUT [--leave-last-out] ...  (public data)

FOLDER holds products, users and events (.csv or .parquet, raw contract:
models/staging/_raw__sources.yml); the other raw tables are optional (header-only in the
work folder's copy). The command
1. runs `dbt build` in files mode on that copy with its own DuckDB file in the work folder,
   with var recs_eval_cutoff = --cutoff when given, timing it and measuring its peak memory;
2. prints, for every method in eval_ranking_user_metrics (the served ranker, its baselines,
   whatever the build evaluates), mean NDCG@K, recall@K and MRR over the evaluated users and
   catalog coverage, each with a 95% percentile bootstrap interval (users resampled once per
   resample, the same resamples for every method: bootstrap.py);
3. prints the served ranker's paired NDCG@K difference against the best baseline (the
   ranker's own lists aside) and every other method, retrieval recall per source, evaluated
   users, the data's counts, wall time and peak memory.

Modules: cli (the command), figures (reads the warehouse), bootstrap, report (the table),
convert (public rating files to a raw folder). Exit codes: 0 done, 1 the dbt build failed
(figures are still printed when the relations they need were built), 2 the folder or an
option cannot be used.
"""
