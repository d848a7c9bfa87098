with

people as (

    select * from {{ ref('people_base') }}

),

orders as (

    select * from {{ ref('orders') }}

),

signed_amounts as (

    select person_id, amount from orders where status = 'paid'
    union all
    select person_id, -1 * amount as amount from orders where status = 'refunded'

),

totals as (

    select
        person_id,
        sum(amount) as net_amount,
        count(*) as order_count
    from signed_amounts
    group by person_id

)

select
    people.person_id,
    upper(people.full_name) as display_name,
    people.email,
    coalesce(totals.net_amount, 0) as net_amount,
    totals.order_count,
    rank() over (partition by people.country order by totals.net_amount desc) as rank_in_country,
    (select max(amount) from orders) as largest_order_amount,
    'v1' as report_version
from people
left join totals on people.person_id = totals.person_id
