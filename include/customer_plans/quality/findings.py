"""Findings of the data-quality gate, the error that stops a run, and operator messages.

A finding names the table, the column, the rule and the expectation, how many rows are
affected and a few example keys (customer_id, account_id, ...): never names, phones or
other personal data, so messages can go to logs, alerts and the plans' footers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["blocking", "warning", "quarantine"]

MAX_EXAMPLE_KEYS = 5


@dataclass(frozen=True)
class Finding:
    """One failed check: what was wrong, where, how many rows, which keys for example."""

    table: str
    column: str | None
    rule: str
    expectation: str
    severity: Severity
    message: str
    rows: int | None = None
    key_column: str | None = None
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for operators: table.column, rule, expectation, rows and example keys."""
        where = f"{self.table}.{self.column}" if self.column else self.table
        rows = (
            f"; {self.rows} row{'' if self.rows == 1 else 's'}" if self.rows is not None else ""
        )
        examples = (
            f"; e.g. {self.key_column} {', '.join(self.examples)}" if self.examples else ""
        )
        return f"{where} [{self.rule}, {self.expectation}{rows}]: {self.message}{examples}"


class DataQualityError(RuntimeError):
    """Staging failed a blocking check: the run must stop. ``summary`` has the details.

    The report (JSON, HTML, PDF) has already been written when this is raised.
    """

    def __init__(self, message: str, summary: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.summary = summary or {}


def _line(item: dict[str, Any]) -> str:
    return Finding(**{key: item.get(key) for key in Finding.__dataclass_fields__}).describe()


def format_failure_message(summary: dict[str, Any]) -> str:
    """A plain-text message for operators and notifiers: status, blocking failures, warnings.

    Built only from the summary (table, column, rule, rows, example keys): no personal data.
    """
    business_date = summary.get("business_date", "?")
    blocking = summary.get("blocking", [])
    warnings = summary.get("warnings", [])
    status = summary.get("status", "unknown")
    if blocking:
        head = (
            f"Data quality FAILED for business date {business_date}: {len(blocking)} blocking "
            f"failure{'s' if len(blocking) != 1 else ''}; no plans are built from this staging."
        )
    else:
        head = f"Data quality {status} for business date {business_date}."
    lines = [head]
    if blocking:
        lines.append("Blocking:")
        lines.extend(f"  - {_line(item)}" for item in blocking)
    if warnings:
        lines.append("Warnings (the run continues):")
        lines.extend(f"  - {_line(item)}" for item in warnings)
    if summary.get("volume_note"):
        lines.append(f"Volume: {summary['volume_note']}")
    if summary.get("report_html"):
        lines.append(f"Report: {summary['report_html']} (PDF: {summary.get('report_pdf')})")
    return "\n".join(lines)
