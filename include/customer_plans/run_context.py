"""Where one business date's run reads and writes: the context every stage takes.

Its own module, below ``pipeline`` and ``audit`` alike, so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from customer_plans.settings import Settings, load_settings

if TYPE_CHECKING:
    from customer_plans.rules import Rules


@dataclass(frozen=True)
class RunContext:
    """Where one business date's run reads and writes, and by which rules.

    ``loaded_rules`` is a rules object already in hand (a test's or a benchmark's variant of
    the shipped rules); None, the usual case, reads the settings' ``rules_path``.
    """

    business_date: date
    settings: Settings = field(default_factory=load_settings)
    loaded_rules: Rules | None = field(default=None, repr=False, compare=False)

    def with_rules(self, rules: Rules) -> RunContext:
        """This context, run by ``rules`` instead of the rules file."""
        return replace(self, loaded_rules=rules)

    @property
    def staging_dir(self) -> Path:
        return self.settings.staging_root / self.business_date.isoformat()

    @property
    def quality_dir(self) -> Path:
        return self.settings.quality_root / self.business_date.isoformat()

    @property
    def plans_dir(self) -> Path:
        return self.settings.plans_root / self.business_date.isoformat()

    @property
    def outbox_dir(self) -> Path:
        return self.settings.outbox_root / self.business_date.isoformat()

    @property
    def audit_dir(self) -> Path:
        return self.settings.audit_root / self.business_date.isoformat()

    def rules(self) -> Rules:
        """``loaded_rules`` when given, else the settings' rules file, read now."""
        if self.loaded_rules is not None:
            return self.loaded_rules
        from customer_plans.rules import load_rules

        return load_rules(self.settings.rules_path)

    def calendar(self):
        from customer_plans.workdays import BankCalendar

        return BankCalendar.from_rules(self.rules())

    @property
    def plan_date(self) -> date | None:
        """The working day this business date's run plans; None when it serves none (then
        extract, validate, segment and record run, and nothing is assigned, rendered or sent)."""
        return self.calendar().plan_date(self.business_date)
