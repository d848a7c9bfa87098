{#- The raw telemetry events of one kind ('requests' or 'feedback') as a relation with every field of the contract
    (README, "Monitoring"; the contract the toolkit writes), typed the same way whatever it is read from:
      - JSON lines files through DuckDB's read_json, globbed under the telemetry path (`telemetry_from: files`);
      - the source table grounding_telemetry.<kind> of the profile (`telemetry_from: table`, other engines);
      - nothing yet (no file matches, or the table does not exist): an empty relation of the same columns and types,
        so `dbt build` on a fresh machine builds the monitoring models empty instead of failing. -#}
{% macro telemetry_events(kind) %}
  {{ return(adapter.dispatch('telemetry_events', 'dbt_grounding')(kind)) }}
{% endmacro %}

{% macro default__telemetry_events(kind) %}
  {%- set from = dbt_grounding._telemetry_from() -%}
  {%- if from == 'files' -%}
    {{ exceptions.raise_compiler_error("dbt_grounding: telemetry_from 'files' reads JSON lines with DuckDB's read_json; on "
        ~ target.type ~ " load the telemetry into the source table grounding_telemetry." ~ kind ~ " and set telemetry_from to 'table'") }}
  {%- endif -%}
  {{ return(dbt_grounding._telemetry_from_table(kind)) }}
{% endmacro %}

{% macro duckdb__telemetry_events(kind) %}
  {%- if dbt_grounding._telemetry_from() == 'table' -%}
    {{ return(dbt_grounding._telemetry_from_table(kind)) }}
  {%- endif -%}
  {%- set pattern = dbt_grounding.telemetry_path() ~ '/' ~ kind ~ '-*.jsonl' -%}
  {#- read_json fails on a glob that matches nothing: look first (at run time; parsing only needs the SQL's shape) -#}
  {%- if execute and run_query("select count(*) from glob(" ~ dbt.string_literal(pattern) ~ ")").columns[0].values()[0] == 0 -%}
    {{ return(dbt_grounding._telemetry_empty(kind)) }}
  {%- endif -%}
  {%- set json_types = {'string': 'VARCHAR', 'integer': 'BIGINT', 'float': 'DOUBLE', 'json': 'JSON'} -%}
  {%- set columns = [] -%}
  {%- for name, kind_of_value in dbt_grounding._telemetry_fields(kind) -%}
    {%- do columns.append(dbt.string_literal(name) ~ ': ' ~ dbt.string_literal(json_types[kind_of_value])) -%}
  {%- endfor -%}
  {#- ignore_errors: the live file may end in a line its writer has not finished; that line reads as all NULL and
      the staging models drop rows without an id. Fields the contract does not name are ignored. -#}
  {%- set reader -%}
    read_json({{ dbt.string_literal(pattern) }}, format = 'newline_delimited', ignore_errors = true,
              columns = { {{ columns | join(', ') }} })
  {%- endset -%}
  {{ return(dbt_grounding._telemetry_select(kind, reader)) }}
{% endmacro %}

{#- Where the JSON lines are: the telemetry_path setting, else <target-path>/dbt_grounding/telemetry (the toolkit's
    file sink). A relative path is taken from the project directory, as dbt takes target-path; it is read by the dbt
    process at build time, from the directory dbt runs in (the staging models are tables for that reason). -#}
{% macro telemetry_path() %}
  {%- set configured = (dbt_grounding.get_config('telemetry_path') or '') | string | trim -%}
  {%- set path = configured or ((flags.TARGET_PATH or 'target') ~ '/dbt_grounding/telemetry') -%}
  {%- set project_dir = (invocation_args_dict.get('project_dir') or '.') | string -%}
  {%- if not (path.startswith('/') or path[1:3] == ':\\' or path[1:3] == ':/') and project_dir not in ('', '.') -%}
    {%- set path = project_dir.rstrip('/') ~ '/' ~ path -%}
  {%- endif -%}
  {{ return(path.rstrip('/')) }}
{% endmacro %}

{% macro _telemetry_from() %}
  {%- set setting = dbt_grounding.get_config('telemetry_from') | string | trim | lower -%}
  {%- if setting not in ('auto', 'files', 'table') -%}
    {{ exceptions.raise_compiler_error("dbt_grounding: telemetry_from is '" ~ setting ~ "'; use auto, files or table") }}
  {%- endif -%}
  {%- if setting == 'auto' -%}
    {{ return('files' if target.type == 'duckdb' else 'table') }}
  {%- endif -%}
  {{ return(setting) }}
{% endmacro %}

{% macro _telemetry_from_table(kind) %}
  {%- set table = source('grounding_telemetry', kind) -%}
  {%- if execute and load_relation(table) is none -%}
    {{ return(dbt_grounding._telemetry_empty(kind)) }}
  {%- endif -%}
  {{ return(dbt_grounding._telemetry_select(kind, table)) }}
{% endmacro %}

{#- Every field of the contract's event, in its order, with the kind of value it holds. -#}
{% macro _telemetry_fields(kind) %}
  {%- if kind == 'requests' -%}
    {{ return([
        ('event', 'string'), ('schema_version', 'integer'), ('request_id', 'string'), ('ts', 'string'),
        ('role', 'string'), ('surface', 'string'), ('tool', 'string'), ('question_hash', 'string'),
        ('question', 'string'), ('mart', 'string'), ('key_hash', 'string'), ('candidates', 'json'),
        ('confidence', 'float'), ('outcome', 'string'), ('error_type', 'string'), ('document_hash', 'string'),
        ('tokens', 'integer'), ('latency_ms', 'float'), ('latency_artifacts_ms', 'float'),
        ('latency_warehouse_ms', 'float'), ('latency_render_ms', 'float'), ('freshness_age_s', 'float'),
        ('invocation_id', 'string'),
    ]) }}
  {%- elif kind == 'feedback' -%}
    {{ return([
        ('event', 'string'), ('schema_version', 'integer'), ('feedback_id', 'string'), ('ts', 'string'),
        ('request_id', 'string'), ('document_hash', 'string'), ('rating', 'string'), ('comment', 'string'),
    ]) }}
  {%- endif -%}
  {{ exceptions.raise_compiler_error("dbt_grounding: no telemetry of kind '" ~ kind ~ "' (requests or feedback)") }}
{% endmacro %}

{% macro _telemetry_sql_type(kind_of_value) %}
  {%- if kind_of_value == 'integer' -%}{{ return(dbt.type_bigint()) }}
  {#- double: dbt.type_float() is a 4-byte FLOAT on DuckDB -#}
  {%- elif kind_of_value == 'float' -%}{{ return('double' if target.type in ('spark', 'databricks') else 'double precision') }}
  {%- else -%}{{ return(dbt.type_string()) }}{#- candidates: the JSON array as text -#}
  {%- endif -%}
{% endmacro %}

{% macro _telemetry_select(kind, relation) %}
  {%- set casts = [] -%}
  {%- for name, kind_of_value in dbt_grounding._telemetry_fields(kind) -%}
    {%- do casts.append('cast(' ~ adapter.quote(name) ~ ' as ' ~ dbt_grounding._telemetry_sql_type(kind_of_value) ~ ') as ' ~ adapter.quote(name)) -%}
  {%- endfor -%}
  {{ return('select ' ~ casts | join(', ') ~ ' from ' ~ relation) }}
{% endmacro %}

{% macro _telemetry_empty(kind) %}
  {%- set casts = [] -%}
  {%- for name, kind_of_value in dbt_grounding._telemetry_fields(kind) -%}
    {%- do casts.append('cast(null as ' ~ dbt_grounding._telemetry_sql_type(kind_of_value) ~ ') as ' ~ adapter.quote(name)) -%}
  {%- endfor -%}
  {{ return('select ' ~ casts | join(', ') ~ ' where 1 = 0') }}
{% endmacro %}
