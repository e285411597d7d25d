"""The data-quality gate between extract and segment: one expectation suite per extract.

Public API (importing this package does not import Great Expectations; validation does):

- ``validate_staging(ctx, previous_counts=...)``: validate a run context's staging, write
  the report and the quarantine file, raise ``DataQualityError`` on a blocking failure;
- ``previous_counts(quality_root, business_date)``: the volume baseline;
- ``format_failure_message(summary)``: text for operators and notifiers;
- ``DataQualityError``: what the DAG's validate task lets fail the run.
"""

from customer_plans.quality.findings import DataQualityError, Finding, format_failure_message
from customer_plans.quality.gate import (
    QUARANTINE_COLUMNS,
    QUARANTINE_FILE,
    previous_counts,
    validate_staging,
)

__all__ = [
    "DataQualityError",
    "Finding",
    "QUARANTINE_COLUMNS",
    "QUARANTINE_FILE",
    "format_failure_message",
    "previous_counts",
    "validate_staging",
]
