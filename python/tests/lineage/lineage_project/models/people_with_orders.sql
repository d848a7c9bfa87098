-- Set operations over listed columns: UNION BY NAME matches branches by name; INTERSECT returns values both
-- branches hold; EXCEPT returns the left branch's rows (the right one only removes some): paying people whose
-- record never changed.
with

everyone as (
    select id as person_id, email from {{ ref('people') }}
    union all by name
    select email, person_id from {{ ref('people_history') }}
),

paying as (
    select orders.person_id, lower(people.email) as email
    from {{ ref('orders') }} as orders
    join {{ ref('people') }} as people on people.id = orders.person_id
    where orders.status = 'paid'
),

superseded as (
    select id as person_id, email from {{ ref('people_snapshot') }} where dbt_valid_to is not null
)

select person_id, email from everyone
intersect
select person_id, email from paying
except
select person_id, email from superseded
