{#-
    Precision, recall and F1 at every distinct score threshold ("predict a match when
    score >= threshold") of `relation`, per `partition_by` group (a list, may be empty).
    Ties share one threshold, as in sklearn.metrics.precision_recall_curve, so
    average precision = sum over thresholds of (recall step) x precision, exactly
    sklearn.metrics.average_precision_score. `label_column` is 1/0.
    Columns: the groups, threshold, true_positives, predicted_positives, positives,
    precision, recall, recall_step, f1.
-#}
{% macro score_thresholds(relation, score_column, label_column, partition_by=[]) %}
    {%- set groups = partition_by | join(', ') -%}
    {%- set partition = ('partition by ' ~ groups) if partition_by else '' -%}
with

by_threshold as (
    select
        {{ groups ~ ',' if partition_by }}
        {{ score_column }} as threshold,
        sum({{ label_column }}) as positives_at_threshold,
        count(*) as rows_at_threshold
    from {{ relation }}
    group by {{ groups ~ ',' if partition_by }} {{ score_column }}
),

cumulative as (
    select
        *,
        sum(positives_at_threshold) over (
            {{ partition }} order by threshold desc rows between unbounded preceding and current row
        ) as true_positives,
        sum(rows_at_threshold) over (
            {{ partition }} order by threshold desc rows between unbounded preceding and current row
        ) as predicted_positives,
        sum(positives_at_threshold) over ({{ partition }}) as positives
    from by_threshold
)

select
    {{ groups ~ ',' if partition_by }}
    threshold,
    true_positives,
    predicted_positives,
    positives,
    true_positives * 1.0 / predicted_positives as precision,
    true_positives * 1.0 / nullif(positives, 0) as recall,
    positives_at_threshold * 1.0 / nullif(positives, 0) as recall_step,
    2.0 * true_positives / nullif(predicted_positives + positives, 0) as f1
from cumulative
{% endmacro %}


{#-
    False negatives, precision, recall and F1 at a threshold from its confusion counts (column
    expressions; null where a denominator is 0). The one definition the matcher evaluations use.
-#}
{% macro classification_metrics(true_positives, false_positives, positives) -%}
    {{ positives }} - {{ true_positives }} as false_negatives,
    {{ true_positives }} * 1.0 / nullif({{ true_positives }} + {{ false_positives }}, 0) as precision,
    {{ true_positives }} * 1.0 / nullif({{ positives }}, 0) as recall,
    2.0 * {{ true_positives }} / nullif({{ true_positives }} + {{ false_positives }} + {{ positives }}, 0) as f1
{%- endmacro %}
