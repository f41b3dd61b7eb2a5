"""EASE item-to-item neighbours per cutoff (catalog_ml.collaborative.ease_neighbours): the
collaborative-filtering retrieval source's neighbour table, read by
int_recs_retrieval_collaborative. The filter runs in the warehouse, so only the positive
(user, product) pairs of every cutoff reach Python."""

from catalog_ml.collaborative import ease_neighbours
from catalog_ml.portable import rows_above, to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_recs_user_history")
    positive = rows_above(history, "interaction_count", 0)
    pairs = positive.select("cutoff_name", "user_id", "product_id")
    neighbours = ease_neighbours(
        to_pandas(pairs, order_by=["cutoff_name", "user_id", "product_id"]),
        max_items=int(dbt.config.meta_get("max_items")),
        l2=float(dbt.config.meta_get("l2")),
        neighbours=int(dbt.config.meta_get("neighbours")),
    )
    return to_output(neighbours, session)
