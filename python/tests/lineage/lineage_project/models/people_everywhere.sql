-- A UNION whose first branch is `p.*` over a Python model (columns unknown without a catalog): every branch is
-- followed, and the traces say the positions are a guess.
select p.* from {{ ref('people_py') }} as p
union all
select id, full_name, email, country from {{ ref('people') }}
