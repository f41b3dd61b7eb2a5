-- The ranker's scoring path: the candidate rows ml_ranker_scores scores, at every cutoff
-- (eval and serve feed the lists; the train cutoff's rows are scored too, so monitors see the
-- champion's score distribution on its training rows). Training reads the same features
-- through int_recs_ranker_training_rows; mon_training_serving_skew compares the two paths on
-- the rows they share. The planted_skew var (tests only) perturbs one feature here.
{{ config(materialized='view') }}

select * {{ planted_skew('recs_ranker') }}
from {{ ref('int_recs_ranker_features') }}
