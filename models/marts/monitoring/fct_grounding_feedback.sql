{#- One row per feedback: deduplicated by feedback_id (earliest kept), tied to the request it rates. Feedback given by
    request id names its request; feedback given by document hash is tied to the latest request at or before it that
    served that document (several requests may serve the same text). -#}
with feedback as (

    select * from {{ ref('stg_grounding_telemetry__feedback') }}

),

requests as (

    select * from {{ ref('fct_grounding_requests') }}

),

deduplicated as (

    select *
    from (
        select
            feedback.*,
            row_number() over (partition by feedback_id order by rated_at, rating, request_id, document_hash)
                as event_number
        from feedback
    ) numbered
    where event_number = 1

),

by_document as (

    select *
    from (
        select
            deduplicated.feedback_id,
            requests.request_id,
            row_number() over (
                partition by deduplicated.feedback_id
                order by requests.requested_at desc, requests.request_id
            ) as match_number
        from deduplicated
        inner join requests
            on deduplicated.request_id is null
            and requests.document_hash = deduplicated.document_hash
            and requests.requested_at <= deduplicated.rated_at
    ) matches
    where match_number = 1

),

final as (

    select
        -- ids
        deduplicated.feedback_id,
        coalesce(deduplicated.request_id, by_document.request_id) as request_id,
        coalesce(deduplicated.document_hash, requests.document_hash) as document_hash,

        -- strings
        deduplicated.rating,
        deduplicated.comment,
        case
            when deduplicated.request_id is not null then 'request_id'
            when by_document.request_id is not null then 'document_hash'
        end as matched_by,
        requests.role,
        requests.surface,
        requests.tool,
        requests.mart,
        requests.outcome,

        -- flags
        deduplicated.rating = 'down' as is_thumbs_down,

        -- timestamps and dates (UTC)
        deduplicated.rated_at,
        cast(deduplicated.rated_at as date) as feedback_date

    from deduplicated
    left join by_document
        on by_document.feedback_id = deduplicated.feedback_id
    left join requests
        on requests.request_id = coalesce(deduplicated.request_id, by_document.request_id)

)

select * from final
