-- Retrieval by collaborative filtering (EASE item-to-item weights, int_recs_ease_neighbours,
-- computed per cutoff): neighbours of the user's 10 most recent interacted products before the
-- cutoff, scored by the sum of EASE weight x the anchor's recency decay; seen items skipped;
-- the best var recs_candidates_per_source.
{{ recs_neighbour_retrieval('int_recs_ease_neighbours', 'ease_score', per_cutoff=true) }}
