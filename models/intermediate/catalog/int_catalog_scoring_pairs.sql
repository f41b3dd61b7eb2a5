-- The matcher's scoring path: the pairs ml_matcher_scores scores (every blocking candidate and
-- labelled pair, with the features of int_catalog_pair_features). Training reads the same
-- features through int_catalog_training_pairs; mon_training_serving_skew compares the two
-- paths on the pairs they share. The planted_skew var (tests only) perturbs one feature here.
{{ config(materialized='view') }}

select * {{ planted_skew('matcher') }}
from {{ ref('int_catalog_pair_features') }}
