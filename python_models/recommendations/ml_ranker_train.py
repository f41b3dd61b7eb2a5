"""Trains the recommendations ranker (XGBoost rank:ndcg, grouped by user) on the train
cutoff's candidates (int_recs_ranker_training_rows) and appends its registry row
(catalog_ml.ranking): incremental, so the registry keeps every version; an identical version
(same code, params, data) adds nothing. Vars arrive through the YAML config's meta."""

from catalog_ml.portable import read_table, to_output, to_pandas
from catalog_ml.ranking import train_and_register


def model(dbt, session):
    dbt.config(materialized="incremental")
    # rows in key order: the trees, validation split and version hash see the same frame
    # on every build (same input, same output)
    keys = ["cutoff_name", "user_id", "product_id"]
    features = to_pandas(dbt.ref("int_recs_ranker_training_rows"), order_by=keys)
    existing = read_table(session, dbt.this) if dbt.is_incremental else None
    margin = float(dbt.config.meta_get("promotion_margin"))
    k = int(dbt.config.meta_get("k"))
    holdout_share = float(dbt.config.meta_get("holdout_share"))
    min_users = int(dbt.config.meta_get("promotion_min_holdout_users"))
    rows = train_and_register(features, existing, margin, k, holdout_share, min_users)
    return to_output(rows, session)
