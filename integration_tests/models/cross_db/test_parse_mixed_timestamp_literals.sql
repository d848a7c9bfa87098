-- The same macro on constant input: engines fold constants and may evaluate every CASE branch, so no branch may
-- raise on input meant for another (a cast of '' or 'tbd' to integer did, before safe_cast_integer).
select
    {{ dbt_grounding.parse_mixed_timestamp("'2025-03-15'") }} as iso_date,
    {{ dbt_grounding.parse_mixed_timestamp("'03/15/2025'") }} as us_slash,
    {{ dbt_grounding.parse_mixed_timestamp("'15.03.2025'") }} as eu_dot,
    {{ dbt_grounding.parse_mixed_timestamp("'2025-03-15 10:22:00'") }} as iso_timestamp,
    {{ dbt_grounding.parse_mixed_timestamp("'1742034120'") }} as epoch,
    {{ dbt_grounding.parse_mixed_timestamp("'tbd'") }} as garbage,
    {{ dbt_grounding.parse_mixed_timestamp("'99999999999999999999'") }} as too_many_digits
