select id, email from {{ ref('people_everywhere') }}
