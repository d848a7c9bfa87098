select * from {{ ref('test_select_with_rejections') }}
where rejection_reason is null
