-- Consumer data for the recency test: the newest event is 2026-06-28 12:00:00 (date 2026-06-28).
select event_id, event_at, event_date from {{ ref('data_test_events') }}
