{#-
    Population stability index (PSI) of a value between two populations, per group.

    `relation` (relation or CTE) has the `group_by` columns, `population` ('reference' or
    'window') and `observed_value` (numeric, may be null). Renders one select statement (no WITH, so it
    can sit in a CTE on any engine) with one row per group present in either population: the
    group columns, reference_rows, window_rows, reference_null_share, window_null_share,
    reference_distinct_values and psi.

    Definition (doc block `psi`):
    - bins are fixed from the reference: its k/bins quantiles, k = 1 .. bins - 1, are the cut
      points (percentile_cont: linear interpolation, numpy.quantile's default); the bins are
      the right-closed intervals between them, (-inf, c1], (c1, c2], .., (c9, +inf) as
      pandas.cut(right=True): a value v falls in bin 1 + (cut points < v). Tied cut points
      (a binary feature, a value most rows share such as a match score of 0) leave empty
      bins that add nothing, and a mass at the lowest value keeps a bin of its own. Nulls
      are one more bin (0), so a feature that turns null is drift too;
    - shares are counts / all rows of the population (nulls included); an empty bin gets
      share `epsilon` instead of 0 (no renormalisation), so the logarithm is defined;
    - psi = sum over bins of (window share - reference share) * ln(window share / reference share).
    psi is null when the reference or the window has no rows (nothing to compare; the caller
    says why). tests/python/test_psi.py recomputes the dbt unit test's expectations with numpy.
-#}
{% macro psi(relation, group_by, bins=10, epsilon=0.0001) -%}
    select
        {%- for column in group_by %}
        totals.{{ column }},
        {%- endfor %}
        totals.reference_rows,
        totals.window_rows,
        totals.reference_nulls * 1.0 / nullif(totals.reference_rows, 0) as reference_null_share,
        totals.window_nulls * 1.0 / nullif(totals.window_rows, 0) as window_null_share,
        coalesce(edges.reference_distinct_values, 0) as reference_distinct_values,
        case when totals.reference_rows > 0 and totals.window_rows > 0 then sums.psi end as psi
    from ({{ _psi_totals(relation, group_by) }}) as totals
    left join ({{ _psi_edges(relation, group_by, bins) }}) as edges
        on {{ _psi_join('totals', 'edges', group_by) }}
    left join (
        select
            {%- for column in group_by %}
            shares.{{ column }},
            {%- endfor %}
            {{ deterministic_sum(
                '(shares.window_share - shares.reference_share) * ln(shares.window_share / shares.reference_share)'
            ) }}
                as psi
        from (
            select
                {%- for column in group_by %}
                grid.{{ column }},
                {%- endfor %}
                case
                    when coalesce(counts.reference_count, 0) = 0 then {{ epsilon }}
                    else counts.reference_count * 1.0 / grid.reference_rows
                end as reference_share,
                case
                    when coalesce(counts.window_count, 0) = 0 then {{ epsilon }}
                    else counts.window_count * 1.0 / grid.window_rows
                end as window_share
            from ({{ _psi_totals(relation, group_by) }}) as grid
            cross join (
                {%- for bin_index in range(bins + 1) %}
                select {{ bin_index }} as bin_index{{ ' union all' if not loop.last }}
                {%- endfor %}
            ) as bin_numbers
            left join (
                select
                    {%- for column in group_by %}
                    binned.{{ column }},
                    {%- endfor %}
                    binned.bin_index,
                    sum(case when binned.population = 'reference' then 1 else 0 end) as reference_count,
                    sum(case when binned.population = 'window' then 1 else 0 end) as window_count
                from ({{ _psi_binned(relation, group_by, bins) }}) as binned
                group by {% for column in group_by %}binned.{{ column }}, {% endfor %}binned.bin_index
            ) as counts
                on {{ _psi_join('grid', 'counts', group_by) }} and bin_numbers.bin_index = counts.bin_index
            where grid.reference_rows > 0 and grid.window_rows > 0
        ) as shares
        group by {% for column in group_by %}shares.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    ) as sums
        on {{ _psi_join('totals', 'sums', group_by) }}
{%- endmacro %}

{#- left.c = right.c and ... for every group column. -#}
{% macro _psi_join(left, right, group_by) -%}
    {%- for column in group_by %}{{ ' and ' if not loop.first }}{{ left }}.{{ column }} = {{ right }}.{{ column }}{% endfor -%}
{%- endmacro %}

{#- Rows and nulls per group and population. -#}
{% macro _psi_totals(relation, group_by) -%}
    select
        {{ group_by | join(', ') }},
        sum(case when population = 'reference' then 1 else 0 end) as reference_rows,
        sum(case when population = 'window' then 1 else 0 end) as window_rows,
        sum(case when population = 'reference' and observed_value is null then 1 else 0 end) as reference_nulls,
        sum(case when population = 'window' and observed_value is null then 1 else 0 end) as window_nulls
    from {{ relation }}
    group by {{ group_by | join(', ') }}
{%- endmacro %}

{#- The reference's cut points per group: edge_k = its k/bins quantile (groups without values have none). -#}
{% macro _psi_edges(relation, group_by, bins) -%}
    {{ return(adapter.dispatch('psi_edges', 'catalog_ml')(relation, group_by, bins)) }}
{%- endmacro %}

{#-
    DuckDB: one quantile_cont over the list of the k/bins fractions sorts each group's values
    once (one percentile_cont per cut point sorts them bins - 1 times: 4x slower on 3M rows);
    the same linear interpolation as percentile_cont.
-#}
{% macro default__psi_edges(relation, group_by, bins) -%}
    select
        {{ group_by | join(', ') }},
        {%- for k in range(1, bins) %}
        cut_points[{{ k }}] as edge_{{ k }},
        {%- endfor %}
        reference_distinct_values
    from (
        select
            {{ group_by | join(', ') }},
            quantile_cont(observed_value, [
                {%- for k in range(1, bins) %}{{ k / bins }}{{ ', ' if not loop.last }}{% endfor -%}
            ]) as cut_points,
            count(distinct observed_value) as reference_distinct_values
        from {{ relation }}
        where population = 'reference' and observed_value is not null
        group by {{ group_by | join(', ') }}
    ) as reference_quantiles
{%- endmacro %}

{% macro snowflake__psi_edges(relation, group_by, bins) -%}
    select
        {{ group_by | join(', ') }},
        {%- for k in range(1, bins) %}
        percentile_cont({{ k / bins }}) within group (order by observed_value) as edge_{{ k }},
        {%- endfor %}
        count(distinct observed_value) as reference_distinct_values
    from {{ relation }}
    where population = 'reference' and observed_value is not null
    group by {{ group_by | join(', ') }}
{%- endmacro %}

{#- Every row with its bin: 0 for null, else 1 + (cut points < value). -#}
{% macro _psi_binned(relation, group_by, bins) -%}
    select
        {%- for column in group_by %}
        observed.{{ column }},
        {%- endfor %}
        observed.population,
        case
            when observed.observed_value is null then 0
            else 1
                {%- for k in range(1, bins) %}
                + case when edges.edge_{{ k }} < observed.observed_value then 1 else 0 end
                {%- endfor %}
        end as bin_index
    from {{ relation }} as observed
    left join ({{ _psi_edges(relation, group_by, bins) }}) as edges
        on {{ _psi_join('observed', 'edges', group_by) }}
{%- endmacro %}
