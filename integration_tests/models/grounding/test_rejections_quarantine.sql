select loader_record_id, record_key, rejection_reason, rejection_detail, loaded_at
from {{ ref('test_select_with_rejections') }}
where rejection_reason is not null
