-- Consumer data for the package's generic tests: 0, 0.25, 1, NULL, 1.5, -0.5.
select id, score from {{ ref('data_test_scores') }}
