"""Every code a reader may meet the words of, by kind: what the catalogue must give words for.

The kinds whose codes come from the rules (tiers, familiarity classes, grid groups, holidays,
priority levels, channels, the currency) are read from the rules in force; the others are the
fixed vocabularies of the stages. The start-up check (``words.check``) walks this registry
for every configured language, and ``words.extract`` hands it to ``pybabel extract`` so the
catalogue template lists every code.
"""

from __future__ import annotations

from customer_plans.rules import PRODUCT_KINDS, Rules

# codes whose words a bank's data may extend (a new complaint category shows as written)
OPEN_KINDS = frozenset({"complaint category"})
# the complaint categories the catalogue words: the source contract's, and two a core system
# commonly adds (docs/source-contract.md, complaints.category)
COMPLAINT_CATEGORIES = ("service", "fees", "product", "staff", "system", "digital", "other")
# the words 万 and 亿 and the unit of the currency: languages whose amounts read "myriad"
AMOUNT_UNIT = "amount unit"


def code_kinds(rules: Rules) -> dict[str, tuple[str, ...]]:
    """``{kind: codes}`` for every code kind rendered from the catalogue (reasons, lifecycle
    rules and churn signals are checked with their facts by their own modules)."""
    from customer_plans.assign.channels import NO_CHANNEL
    from customer_plans.assign.exclusions import EXCLUSION_ORDER
    from customer_plans.assign.takeover import HOW_CODES, WHY_CODES
    from customer_plans.explain import DEFERRAL_CODES, EXCLUSION_DETAIL_CODES
    from customer_plans.quality.suites import MANAGER_STATUSES
    from customer_plans.render.quality_audience import WARNING_AUDIENCES, Audience
    from customer_plans.segment.labels import CHURN_LEVELS, LIFECYCLE_STAGES

    assignment = rules.assignment
    channels = (*assignment.call_channels, *assignment.message_channels,
                *assignment.visit_channels, NO_CHANNEL)
    levels = sorted({reason.level for reason in assignment.reasons.values()})
    return {
        "tier": tuple(level.code for level in rules.tiers.levels),
        "familiarity": tuple(c.code for c in rules.familiarity.classes),
        "grid strategy": tuple(g.code for g in rules.grid.groups),
        "holiday": tuple(dict.fromkeys(h.code for h in assignment.holidays)),
        "priority level": tuple(str(level) for level in levels),
        "channel": tuple(dict.fromkeys(channels)),
        "churn level": CHURN_LEVELS,
        "lifecycle stage": LIFECYCLE_STAGES,
        "exclusion": (*EXCLUSION_ORDER, "carry_over_expired", "capacity", "none"),
        # explain: an exclusion's facts and a contact's deferral for capacity, said
        "exclusion detail": EXCLUSION_DETAIL_CODES,
        "deferral": DEFERRAL_CODES,
        "manager status": (*MANAGER_STATUSES, "pool"),
        "product kind": PRODUCT_KINDS,
        "previous status": ("deferred", "not_reached"),
        "pool why": WHY_CODES,
        "pool how": HOW_CODES,
        "takeover from": WHY_CODES,
        "takeover how": ("backup", "least_loaded"),
        "quality warning": tuple(WARNING_AUDIENCES),
        "quality own": tuple(rule for rule, audience in WARNING_AUDIENCES.items()
                             if audience is Audience.MANAGER),
        "separator": ("; ",),
        "complaint category": COMPLAINT_CATEGORIES,
        # explain: a contact's status, its list's delivery (ledger status, transport, reader)
        "contact status": ("planned", "deferred"),
        "delivery status": ("accepted", "sending", "deferred", "refused", "withheld"),
        "transport": ("smtp", "outbox"),
        "recipient": ("manager", "branch_head"),
    }


def amount_units(rules: Rules) -> tuple[str, ...]:
    """The ``amount unit`` codes a language that counts in 万 needs (the currency's own unit,
    such as 元 for CNY, is optional: CLDR names any other currency)."""
    return ("wan", "yi")
