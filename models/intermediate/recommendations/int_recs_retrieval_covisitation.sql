-- Retrieval by time-decayed co-visitation (int_recs_covisitation, computed per cutoff): neighbours
-- of the user's 10 most recent interacted products before the cutoff, scored by neighbour score x
-- the anchor's recency decay; seen items skipped; the best var recs_candidates_per_source.
{{ recs_neighbour_retrieval('int_recs_covisitation', 'covisitation_score', per_cutoff=true) }}
