"""The synthetic core bank: fills the source contract tables with a realistic, seeded bank.

``generate_bank(url, customers=..., as_of=...)`` is the entry point; the CLI's ``seed``
subcommand calls it. See docs/source-contract.md for what it writes.
"""

from customer_plans.seed.generator import (
    BEHAVIOURS,
    TIER_CODES,
    TRUTH_TABLE,
    SeedReport,
    generate_bank,
    generate_bank_report,
)

__all__ = [
    "BEHAVIOURS",
    "TIER_CODES",
    "TRUTH_TABLE",
    "SeedReport",
    "generate_bank",
    "generate_bank_report",
]
