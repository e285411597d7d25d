"""Display vocabulary of the segments (codes to English and Chinese labels).

Codes are what the segments table stores; labels are for the rendered plans. Tier,
familiarity and grid labels live in the rules file; these are the fixed vocabularies.
"""

from __future__ import annotations

# the order of the lifecycle rules: the first that matches decides the stage
LIFECYCLE_STAGES: tuple[str, ...] = (
    "lost", "new", "dormant", "declining", "growing", "potential", "stable",
)

LIFECYCLE_LABELS: dict[str, dict[str, str]] = {
    "potential": {"en": "Potential", "zh": "潜在客户"},
    "new": {"en": "New", "zh": "新客户"},
    "growing": {"en": "Growing", "zh": "成长期"},
    "stable": {"en": "Stable", "zh": "稳定期"},
    "declining": {"en": "Declining", "zh": "衰退期"},
    "dormant": {"en": "Dormant", "zh": "休眠"},
    "lost": {"en": "Lost", "zh": "流失"},
}

CHURN_LEVELS: tuple[str, ...] = ("low", "medium", "high")

CHURN_LEVEL_LABELS: dict[str, dict[str, str]] = {
    "low": {"en": "Low", "zh": "低"},
    "medium": {"en": "Medium", "zh": "中"},
    "high": {"en": "High", "zh": "高"},
}

TIER_CHANGES: tuple[str, ...] = ("up", "down", "same", "new")

PRODUCT_KIND_LABELS: dict[str, dict[str, str]] = {
    "current": {"en": "current account", "zh": "活期账户"},
    "savings": {"en": "savings account", "zh": "储蓄账户"},
    "time_deposit": {"en": "time deposit", "zh": "定期存款"},
    "wealth": {"en": "wealth product", "zh": "理财产品"},
    "fund": {"en": "fund", "zh": "基金"},
    "insurance": {"en": "insurance policy", "zh": "保险"},
    "loan": {"en": "loan", "zh": "贷款"},
    "credit_card": {"en": "credit card", "zh": "信用卡"},
}
