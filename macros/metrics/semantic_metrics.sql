{#-
    The semantic layer (models/marts/analytics/_semantic_layer.yml) is the one place a
    metric's formula is written. These macros read it from the dbt graph so SQL models
    (eval_catalog_health, the experiment readout) compute the same numbers MetricFlow
    serves, instead of re-typing them.

    semantic_ratio(metric_name) -> {name, meta, semantic_model, numerator, denominator}
    where numerator and denominator are the measures ({name, agg, expr}) behind the
    ratio's two simple metrics. Only at execution: at parse time the graph is empty.
-#}
{% macro semantic_ratio(metric_name) %}
    {%- set metric = graph.metrics.get('metric.' ~ project_name ~ '.' ~ metric_name) -%}
    {%- if metric is none or metric.type != 'ratio' -%}
        {{ exceptions.raise_compiler_error(
            "semantic_ratio: '" ~ metric_name ~ "' is not a ratio metric of the semantic layer "
            ~ "(models/marts/analytics/_semantic_layer.yml)") }}
    {%- endif -%}
    {%- set parts = {} -%}
    {%- for side in ['numerator', 'denominator'] -%}
        {%- set input = graph.metrics.get('metric.' ~ project_name ~ '.' ~ metric.type_params[side].name) -%}
        {%- if input is none or input.type != 'simple' -%}
            {{ exceptions.raise_compiler_error(
                "semantic_ratio: the " ~ side ~ " of '" ~ metric_name ~ "' must be a simple metric") }}
        {%- endif -%}
        {%- set measure_name = input.type_params.measure.name -%}
        {%- for semantic_model in graph.semantic_models.values() -%}
            {%- for measure in semantic_model.measures if measure.name == measure_name -%}
                {%- do parts.update({side: {
                    'name': measure.name, 'agg': measure.agg, 'expr': measure.expr or measure.name,
                    'semantic_model': semantic_model.name}}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if parts.numerator.semantic_model != parts.denominator.semantic_model -%}
        {{ exceptions.raise_compiler_error(
            "semantic_ratio: '" ~ metric_name ~ "' mixes semantic models "
            ~ parts.numerator.semantic_model ~ " and " ~ parts.denominator.semantic_model) }}
    {%- endif -%}
    {{ return({
        'name': metric_name, 'meta': metric.config.meta, 'semantic_model': parts.numerator.semantic_model,
        'numerator': parts.numerator, 'denominator': parts.denominator}) }}
{% endmacro %}

{#- SQL aggregate of a measure (sum, count, count_distinct, min, max, average), optionally
    counting only rows where `when` holds. -#}
{% macro measure_aggregate(measure, when=none) %}
    {%- set value = measure.expr if when is none else 'case when ' ~ when ~ ' then ' ~ measure.expr ~ ' end' -%}
    {%- if measure.agg == 'sum' -%} coalesce(sum({{ value }}), 0)
    {%- elif measure.agg == 'count' -%} count({{ value }})
    {%- elif measure.agg == 'count_distinct' -%} count(distinct {{ value }})
    {%- elif measure.agg in ['min', 'max'] -%} {{ measure.agg }}({{ value }})
    {%- elif measure.agg == 'average' -%} avg({{ value }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("measure_aggregate: agg '" ~ measure.agg ~ "' of measure "
            ~ measure.name ~ " is not supported") }}
    {%- endif -%}
{% endmacro %}

{#- The value of a ratio metric over the rows in scope: SQL for numerator / denominator. -#}
{% macro semantic_metric_value(metric_name) %}
    {%- if not execute -%}{{ return('null') }}{%- endif -%}
    {%- set metric = semantic_ratio(metric_name) -%}
    {{ measure_aggregate(metric.numerator) }} * 1.0 / nullif({{ measure_aggregate(metric.denominator) }}, 0)
{%- endmacro %}

{#- Every ratio metric flagged config.meta.experiment_metric (with its desired_direction), by name. -#}
{% macro experiment_metrics() %}
    {%- set found = [] -%}
    {%- for metric in graph.metrics.values() | sort(attribute='name') -%}
        {%- if metric.type == 'ratio' and metric.config.meta.get('experiment_metric') -%}
            {%- if metric.config.meta.get('desired_direction') not in ['increase', 'decrease'] -%}
                {{ exceptions.raise_compiler_error(
                    "experiment metric '" ~ metric.name ~ "' needs config.meta.desired_direction: "
                    ~ "increase or decrease (models/marts/analytics/_semantic_layer.yml)") }}
            {%- endif -%}
            {%- do found.append(semantic_ratio(metric.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}
