"""Trains the recommendations ranker (XGBoost rank:ndcg, grouped by user) on the train
cutoff's candidates (int_recs_ranker_training_rows) and appends its registry row
(catalog_ml.ranking): incremental, so the registry keeps every version; an identical version
(same code, params, data) adds nothing. Vars arrive through the YAML config's meta."""

from catalog_ml.portable import read_table, to_output, to_pandas
from catalog_ml.ranking import train_and_register


def model(dbt, session):
    dbt.config(materialized="incremental")
    features = to_pandas(dbt.ref("int_recs_ranker_training_rows"))
    existing = read_table(session, dbt.this) if dbt.is_incremental else None
    margin = float(dbt.config.meta_get("promotion_margin"))
    k = int(dbt.config.meta_get("k"))
    holdout_share = float(dbt.config.meta_get("holdout_share"))
    return to_output(train_and_register(features, existing, margin, k, holdout_share), session)
