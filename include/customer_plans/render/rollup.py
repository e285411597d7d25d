"""What a branch head reads: coverage of the branch on the plan date, one context per branch.

Counts are whole-column pandas operations over the day's plan lines, segments and
exclusions; the per-branch step only picks the branch's rows. A roll-up reads in its
head's language (the branches extract, where the bank's language already stands in for
one not on record), else in the language most of the branch's managers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from customer_plans.render.context import (
    NO_CONTACT_CHANNEL,
    POOL_PREFIX,
    TAKEOVER,
    Book,
    Completion,
    QualityStatus,
    build_book,
    majority_locale,
    parse_reasons,
    plan_date_for,
    pool_how_text,
    pool_why_text,
    tier_labels,
)
from customer_plans.render.data import RollupInputs
from customer_plans.render.masking import scrub_text
from customer_plans.rules import Rules
from customer_plans.words import Words, words_for
from customer_plans.words.format import is_missing
from customer_plans.words.reasons import reason_words

# how many not-planned high churn risk customers a roll-up lists by name (presentation only)
AT_RISK_LIST_LIMIT = 25
# how far back the contact history the plans read goes (include/sql/extract/contact_summary.sql:
# reached contacts of the 90 days ending on the business date)
CONTACT_HISTORY_DAYS = 90


@dataclass(frozen=True)
class ManagerLine:
    manager_id: str
    manager_name: str
    status_key: str
    status_label: str
    covered_by_name: str
    book: int
    planned: int
    levels: tuple[int, int, int]
    calls: int
    call_capacity: int | None
    visits: int
    visit_capacity: int | None
    covering: int
    deferred: int
    completion: Completion
    taken_over: int = 0  # contacts taken over from the branch pool

    @property
    def over_capacity(self) -> bool:
        return (self.call_capacity is not None and self.calls > self.call_capacity) or (
            self.visit_capacity is not None and self.visits > self.visit_capacity
        )


@dataclass(frozen=True)
class AtRiskLine:
    customer_id: str
    customer_name: str
    manager_name: str
    tier_label: str
    churn_score: float | None
    why_not: str


@dataclass(frozen=True)
class PoolLine:
    """A customer of the branch pool today and what happened to them."""

    customer_id: str
    customer_name: str
    why: str  # why on the pool: their manager left, none, away with no backup...
    priority_level: int
    reason: str  # the contact's most urgent reason
    taken_over: bool
    by_backup: bool
    taken_by_name: str
    outcome: str  # taken over by whom, or left on the pool list and why


@dataclass(frozen=True)
class CadenceLine:
    """One tier's contact cadence on the branch: of its customers (closed relationships left
    out), how many their manager reached within the tier's ``cadence_days``, i.e. whose last
    reached manager contact is at most that many days before the business date."""

    tier_code: str
    tier_label: str
    cadence_days: int
    customers: int
    within: int
    # the cadence reaches back further than the contact history (CONTACT_HISTORY_DAYS):
    # contacts before it are not seen, so the share is a lower bound
    partial: bool

    @property
    def share(self) -> float | None:
        return self.within / self.customers if self.customers else None


@dataclass(frozen=True)
class BranchContext:
    """Everything one branch roll-up shows."""

    branch_id: str
    branch_name: str
    locale: str  # the head's on the branches extract, else the branch managers' majority
    words: Words  # the reader's language, chosen from ``locale``
    business_date: date
    plan_date: date
    rules_version: str
    rules_hash: str
    quality: QualityStatus
    document_title: str
    managers: tuple[ManagerLine, ...]
    planned: int
    deferred: int
    top_tier_total: int
    top_tier_planned: int
    at_risk_total: int
    at_risk_planned: int
    at_risk_missing: tuple[AtRiskLine, ...]
    exclusions: tuple[tuple[str, int], ...]
    completion: Completion
    book: Book
    # data gaps: the branch's plan lines (planned or deferred) that no channel reaches
    no_contact_details: int = 0
    # the branch pool's customers and what happened to each, most urgent first
    pool_lines: tuple[PoolLine, ...] = ()
    # contact cadence kept per tier, top tier first (empty without a contact summary)
    cadence: tuple[CadenceLine, ...] = ()

    @property
    def cadence_partial(self) -> bool:
        return any(line.partial for line in self.cadence)

    @property
    def cadence_history_days(self) -> int:
        return CONTACT_HISTORY_DAYS

    @property
    def pool_total(self) -> int:
        return len(self.pool_lines)

    @property
    def pool_taken_over(self) -> int:
        return sum(1 for line in self.pool_lines if line.taken_over)

    @property
    def pool_by_backup(self) -> int:
        return sum(1 for line in self.pool_lines if line.by_backup)

    @property
    def pool_left(self) -> int:
        return self.pool_total - self.pool_taken_over

    @property
    def pool_left_urgent(self) -> int:
        return sum(1 for line in self.pool_lines
                   if not line.taken_over and line.priority_level == 1)

    @property
    def active_managers(self) -> int:
        return sum(1 for m in self.managers if m.status_key == "active")

    @property
    def away_managers(self) -> int:
        return sum(1 for m in self.managers if m.status_key not in ("active", "pool"))

    @property
    def manager_count(self) -> int:
        return self.active_managers + self.away_managers

    @property
    def at_risk_more(self) -> bool:
        return self.at_risk_total - self.at_risk_planned > len(self.at_risk_missing)


def _int_or_none(value) -> int | None:
    return None if is_missing(value) else int(value)


def _manager_counts(inputs: RollupInputs, rules: Rules) -> pd.DataFrame:
    """Per manager: book size, planned by level and channel kind, covering, deferred."""
    contacts = inputs.contacts
    planned = contacts[contacts["status"] == "planned"]
    # visits use the visit capacity; calls and messages alike take the call capacity
    # (plan_contacts.capacity_kind says which; older rows: judged from the channel)
    kinds = pd.Series("call", index=planned.index)
    kinds[planned["channel"].isin(rules.assignment.visit_channels)] = "visit"
    if "capacity_kind" in planned:
        kinds = planned["capacity_kind"].fillna(kinds)
    counts = pd.DataFrame(
        {
            "planned": planned.groupby("manager_id").size(),
            "level_1": planned[planned["priority_level"] == 1].groupby("manager_id").size(),
            "level_2": planned[planned["priority_level"] == 2].groupby("manager_id").size(),
            "level_3": planned[planned["priority_level"] == 3].groupby("manager_id").size(),
            "calls": planned[kinds == "call"].groupby("manager_id").size(),
            "visits": planned[kinds == "visit"].groupby("manager_id").size(),
            "covering": planned[planned["assignment"] == "covered"].groupby("manager_id").size(),
            "taken_over": planned[planned["assignment"] == TAKEOVER].groupby("manager_id").size(),
            "deferred": contacts[contacts["status"] == "deferred"].groupby("manager_id").size(),
            "book": inputs.segments.groupby("manager_id").size(),
        }
    )
    return counts.fillna(0).astype(int)


def _cadence_counts(inputs: RollupInputs, business_date: date, rules: Rules) -> pd.DataFrame:
    """Per (branch, tier): ``customers`` (relationship not lost) and ``within`` (last reached
    manager contact at most the tier's ``cadence_days`` before the business date; no reached
    contact in the contact history = not within)."""
    segments = inputs.segments
    segments = segments[segments["lifecycle_stage"] != "lost"]
    last = inputs.last_contacts.drop_duplicates("customer_id").set_index("customer_id")[
        "last_reached_date"]
    reached = pd.to_datetime(segments["customer_id"].map(last), errors="coerce")
    since = (pd.Timestamp(business_date) - reached).dt.days
    within = since <= segments["tier_code"].map(rules.assignment.cadence_days)
    return pd.DataFrame({"branch_id": segments["branch_id"], "tier_code": segments["tier_code"],
                         "within": within.to_numpy(dtype=bool)}).groupby(
        ["branch_id", "tier_code"])["within"].agg(customers="size", within="sum")


def _cadence_lines(counts: pd.DataFrame | None, branch_id: str, tiers: dict[str, str],
                   rules: Rules) -> tuple[CadenceLine, ...]:
    if counts is None:
        return ()
    lines = []
    for tier_code in rules.tiers.codes_top_first:
        key = (branch_id, tier_code)
        customers, within = (int(counts.at[key, "customers"]), int(counts.at[key, "within"])) \
            if key in counts.index else (0, 0)
        cadence = rules.assignment.cadence_days[tier_code]
        lines.append(CadenceLine(tier_code=tier_code, tier_label=tiers[tier_code],
                                 cadence_days=cadence, customers=customers, within=within,
                                 partial=cadence >= CONTACT_HISTORY_DAYS))
    return tuple(lines)


def _completion_of(feedback: pd.DataFrame) -> Completion:
    if feedback.empty:
        return Completion(None, None, None)
    planned = pd.to_numeric(feedback["planned_yesterday"], errors="coerce").sum()
    completed = pd.to_numeric(feedback["completed_yesterday"], errors="coerce").sum()
    if planned <= 0:
        return Completion(None, None, None)
    return Completion(float(completed / planned), int(planned), int(completed))


def build_branch_contexts(
    inputs: RollupInputs, business_date: date, rules: Rules, branch_ids: Sequence[str] | None = None
) -> list[BranchContext]:
    """One ``BranchContext`` per branch on the roster (or per ``branch_ids``), sorted by id."""
    managers = inputs.managers.drop_duplicates("manager_id")
    names = managers.set_index("manager_id")["manager_name"]
    counts = _manager_counts(inputs, rules)
    cadence_counts = (_cadence_counts(inputs, business_date, rules)
                      if inputs.last_contacts is not None else None)
    contacts = inputs.contacts.copy()
    # the branch of each list: plan_contacts.branch_id, else the manager's or the pool's
    branch_of_manager = managers.set_index("manager_id")["branch_id"]
    list_branch = contacts["manager_id"].map(branch_of_manager)
    pools = contacts["manager_id"].astype(str).str.startswith(POOL_PREFIX)
    list_branch[pools] = contacts.loc[pools, "manager_id"].str.removeprefix(POOL_PREFIX)
    if "branch_id" in contacts:
        list_branch = contacts["branch_id"].fillna(list_branch)
    contacts["list_branch_id"] = list_branch
    planned = contacts[contacts["status"] == "planned"]
    planned_customers = set(planned["customer_id"])
    deferred_customers = set(contacts.loc[contacts["status"] == "deferred", "customer_id"])
    segments = inputs.segments
    # covering: who holds an away manager's customers today
    covering_by_home = (
        planned[planned["assignment"] == "covered"]
        .drop_duplicates("home_manager_id")
        .set_index("home_manager_id")["manager_id"]
    )
    first_exclusion = inputs.exclusions.sort_values(["customer_id", "reason_code"]).drop_duplicates(
        "customer_id"
    ).set_index("customer_id")["reason_code"]
    customer_names = inputs.customers.drop_duplicates("customer_id").set_index("customer_id")[
        "customer_name"
    ]
    feedback = inputs.feedback
    head_locales = inputs.branches.dropna(subset=["locale"]).drop_duplicates("branch_id")
    head_locale = dict(zip(head_locales["branch_id"], head_locales["locale"], strict=True))
    plan_date = plan_date_for(business_date, rules)
    branch_ids = sorted(
        set(managers["branch_id"].dropna()) if branch_ids is None else set(branch_ids)
    )
    contexts = []
    for branch_id in branch_ids:
        branch_managers = managers[managers["branch_id"] == branch_id].sort_values("manager_id")
        locale = str(head_locale.get(branch_id) or majority_locale(branch_managers))
        words = words_for(locale)
        tiers = tier_labels(rules, words)
        branch_name = str(
            branch_managers["branch_name"].dropna().iloc[0]
            if branch_managers["branch_name"].notna().any()
            else branch_id
        )
        pool_lists = sorted(
            m for m in contacts.loc[contacts["list_branch_id"] == branch_id, "manager_id"].unique()
            if str(m).startswith(POOL_PREFIX)
        )
        listed = [
            *branch_managers.to_dict("records"),
            *({"manager_id": pool, "manager_name": words.gettext("Branch pool"),
               "status": "pool"} for pool in pool_lists),
        ]
        lines = []
        for manager in listed:
            manager_id = manager["manager_id"]
            row = counts.loc[manager_id] if manager_id in counts.index else None

            def count(column: str, row=row) -> int:
                return int(row[column]) if row is not None else 0

            covering_id = covering_by_home.get(manager_id)
            manager_feedback = (
                feedback[feedback["manager_id"] == manager_id] if not feedback.empty else feedback
            )
            lines.append(
                ManagerLine(
                    manager_id=manager_id,
                    manager_name=str(manager["manager_name"]),
                    status_key=str(manager["status"]),
                    status_label=words.label_or(
                        "manager status", manager["status"], str(manager["status"])
                    ),
                    covered_by_name=str(names.get(covering_id, covering_id)) if covering_id else "",
                    book=count("book"),
                    planned=count("planned"),
                    levels=(count("level_1"), count("level_2"), count("level_3")),
                    calls=count("calls"),
                    call_capacity=_int_or_none(manager.get("daily_call_capacity")),
                    visits=count("visits"),
                    visit_capacity=_int_or_none(manager.get("daily_visit_capacity")),
                    covering=count("covering"),
                    deferred=count("deferred"),
                    completion=_completion_of(manager_feedback),
                    taken_over=count("taken_over"),
                )
            )
        branch_segments = segments[segments["branch_id"] == branch_id]
        top = branch_segments[branch_segments["tier_code"].isin(rules.assignment.top_tiers)]
        # lost relationships are a win-back matter, not a retention one: not counted at risk
        at_risk = branch_segments[
            (branch_segments["churn_level"] == "high")
            & (branch_segments["lifecycle_stage"] != "lost")
        ]
        missing = at_risk[~at_risk["customer_id"].isin(planned_customers)].sort_values(
            ["churn_score", "customer_id"], ascending=[False, True]
        )
        at_risk_lines = tuple(
            AtRiskLine(
                customer_id=str(row["customer_id"]),
                customer_name=str(customer_names.get(row["customer_id"], row["customer_id"])),
                manager_name=str(names.get(row["manager_id"], row["manager_id"] or "")),
                tier_label=tiers.get(row["tier_code"], str(row["tier_code"])),
                churn_score=None if is_missing(row["churn_score"]) else float(
                    row["churn_score"]
                ),
                why_not=_why_not(row["customer_id"], deferred_customers, first_exclusion, words),
            )
            for row in missing.head(AT_RISK_LIST_LIMIT).to_dict("records")
        )
        branch_manager_ids = set(branch_managers["manager_id"])
        branch_exclusions = inputs.exclusions[
            inputs.exclusions["customer_id"].isin(set(branch_segments["customer_id"]))
        ]
        exclusion_counts = branch_exclusions.groupby("reason_code").size().sort_values(
            ascending=False, kind="stable"
        )
        branch_contacts = contacts[contacts["list_branch_id"] == branch_id]
        contexts.append(
            BranchContext(
                branch_id=str(branch_id),
                branch_name=branch_name,
                locale=locale,
                words=words,
                business_date=business_date,
                plan_date=plan_date,
                rules_version=rules.version,
                rules_hash=rules.content_hash[:12],
                quality=inputs.quality,
                document_title=words.gettext(
                    "Branch coverage for %(plan_date)s: %(branch_name)s",
                    plan_date=words.date(plan_date), branch_name=branch_name,
                ),
                managers=tuple(lines),
                planned=int((branch_contacts["status"] == "planned").sum()),
                deferred=int((branch_contacts["status"] == "deferred").sum()),
                top_tier_total=len(top),
                top_tier_planned=int(top["customer_id"].isin(planned_customers).sum()),
                at_risk_total=len(at_risk),
                at_risk_planned=int(at_risk["customer_id"].isin(planned_customers).sum()),
                at_risk_missing=at_risk_lines,
                exclusions=tuple(
                    (words.label_or("exclusion", code, str(code)), int(n))
                    for code, n in exclusion_counts.items()
                ),
                completion=_completion_of(
                    feedback[feedback["manager_id"].isin(branch_manager_ids)]
                    if not feedback.empty
                    else feedback
                ),
                book=build_book(branch_segments, rules, words),
                pool_lines=_pool_lines(branch_contacts, names, customer_names, words, rules),
                cadence=_cadence_lines(cadence_counts, branch_id, tiers, rules),
                no_contact_details=int(
                    (branch_contacts["channel"] == NO_CONTACT_CHANNEL).sum()),
            )
        )
    return contexts


def _pool_lines(contacts: pd.DataFrame, names: pd.Series, customer_names: pd.Series,
                words: Words, rules: Rules) -> tuple[PoolLine, ...]:
    """The branch pool's customers (left on the pool list or taken over), most urgent first:
    level, then score, then customer id, the order takeover handed them out in."""
    pooled = contacts[contacts["assignment"].isin(["pool", TAKEOVER])]
    if pooled.empty:
        return ()
    score = pooled["score"] if "score" in pooled else pd.Series(0.0, index=pooled.index)
    pooled = pooled.assign(score=pd.to_numeric(score, errors="coerce").fillna(0.0))
    pooled = pooled.sort_values(["priority_level", "score", "customer_id"],
                                ascending=[True, False, True], kind="stable")
    lines = []
    for row in pooled.to_dict("records"):
        codes = row.get("assignment_reason")
        why, _, how = ("" if is_missing(codes) else str(codes)).partition(" ")
        home = row.get("home_manager_id")
        home = None if is_missing(home) or not str(home) else str(home)
        taken = row["assignment"] == TAKEOVER
        taker_name = str(names.get(row["manager_id"], row["manager_id"])) if taken else ""
        if how:
            outcome = pool_how_text(how, taker_name, words)
        elif taken:  # rows written before takeover recorded its reason
            outcome = words.gettext("taken over by %(name)s", name=taker_name)
        else:
            outcome = words.gettext("left on the pool list")
        if not why:
            why = "no_manager" if home is None else "unknown_manager"
        reasons = parse_reasons(row.get("reasons"))
        first = reasons[0] if reasons else {}
        lines.append(PoolLine(
            customer_id=str(row["customer_id"]),
            customer_name=str(customer_names.get(row["customer_id"], row["customer_id"])),
            why=pool_why_text(why, str(names.get(home, home)) if home else "", words),
            priority_level=int(row["priority_level"]),
            reason=scrub_text(reason_words(words, first, currency=rules.currency,
                                           rules=rules).know) if first else "",
            taken_over=bool(taken),
            by_backup=bool(taken and how == "backup"),
            taken_by_name=taker_name,
            outcome=outcome,
        ))
    return tuple(lines)


def _why_not(
    customer_id: str, deferred: set[str], first_exclusion: pd.Series, words: Words
) -> str:
    if customer_id in deferred:
        return words.label("exclusion", "capacity")
    code = first_exclusion.get(customer_id)
    if code is None:
        return words.label("exclusion", "none")
    return words.label_or("exclusion", code, str(code))
