{#-
    Personal data in public marts (README: "Personal data").

    pii_salt() -> the salt of every pseudonym: env var CATALOG_ML_PII_SALT, read through
    dbt's env_var. The default is for the demo only: a build on real data must set its own
    secret salt (anyone who knows the salt can recompute a user's pseudonym). The salt is
    rendered into the compiled SQL (target/compiled, target/run): keep target/ as private as
    the warehouse.

    pseudonymise(column) -> SQL for a salted SHA-256 of `column` as 64 lower-case hex
    characters (varchar); null stays null. The same salt and value give the same pseudonym on
    DuckDB and Snowflake (both hash the UTF-8 bytes of salt || '|' || value), so a consumer
    that knows the salt (the recommendation service, say) can find its user's rows, and
    internal models join a public mart on the pseudonym, never on the raw id.
-#}
{% macro pii_salt() -%}
    {{ return(env_var('CATALOG_ML_PII_SALT', 'catalog-ml-demo-salt')) }}
{%- endmacro %}

{% macro pseudonymise(column) -%}
    {{ return(adapter.dispatch('pseudonymise', 'catalog_ml')(column)) }}
{%- endmacro %}

{#- DuckDB: sha256() returns the digest as lower-case hex text. -#}
{% macro default__pseudonymise(column) -%}
    sha256('{{ (pii_salt() ~ "|") | replace("'", "''") }}' || cast({{ column }} as varchar))
{%- endmacro %}

{#- Snowflake: sha2(..., 256) is the same digest, also lower-case hex (varchar(64)); a
    backslash escapes in its string literals, so it is doubled as well as the quote. -#}
{% macro snowflake__pseudonymise(column) -%}
    sha2('{{ (pii_salt() ~ "|") | replace("\\", "\\\\") | replace("'", "''") }}' || cast({{ column }} as varchar), 256)
{%- endmacro %}
