-- Retrieval by content similarity (int_recs_content_similarity): neighbours of the user's 10 most
-- recent interacted products before the cutoff, scored by neighbour score x the anchor's recency
-- decay; items the user has seen are skipped; the best var recs_candidates_per_source.
{{ recs_neighbour_retrieval('int_recs_content_similarity', 'content_score', per_cutoff=false) }}
