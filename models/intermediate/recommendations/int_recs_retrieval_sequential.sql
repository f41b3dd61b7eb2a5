-- Retrieval by what comes next (int_recs_transitions, per cutoff): the likeliest next
-- products after the user's 5 latest interacted products before the cutoff, the latest
-- weighing most (1, 1/2, 1/4, ...); seen items skipped; the best var recs_candidates_per_source.
{{ recs_neighbour_retrieval(
    'int_recs_transitions', 'transition_score', per_cutoff=true, anchor_weight='position', anchors=5
) }}
