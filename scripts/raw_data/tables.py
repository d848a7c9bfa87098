"""The seven raw tables and their business columns, in file order (seeds/raw/_raw__seeds.yml is the contract)."""

from __future__ import annotations


DEFAULT_CUSTOMERS = 300
DEFAULT_SEED = 20260630

# Business columns per table, in file order. `_record_id` is written first and `_loaded_at` last, as in
# seeds/raw/_raw__seeds.yml.
TABLES: dict[str, tuple[str, ...]] = {
    "crm_customers": (
        "customer_id", "customer_name", "contact_name", "contact_email", "contact_phone", "account_owner",
        "industry", "segment", "country_code", "status", "created_at",
    ),
    "billing_subscriptions": (
        "subscription_id", "customer_id", "plan_code", "billing_period", "period_amount", "term_months",
        "start_date", "status",
    ),
    "billing_orders": ("order_id", "customer_id", "ordered_at", "order_total", "currency", "status"),
    "billing_payments": ("payment_id", "order_id", "paid_at", "amount", "payment_method", "status"),
    "product_logins": ("login_id", "customer_id", "user_email", "logged_in_at", "device"),
    "support_tickets": (
        "ticket_id", "customer_id", "opened_at", "closed_at", "priority", "status", "subject", "body",
    ),
    "ml_churn_scores": ("customer_id", "churn_risk_score", "scored_at", "model_version"),
}


def header_columns(table: str) -> list[str]:
    return ["_record_id", *TABLES[table], "_loaded_at"]
