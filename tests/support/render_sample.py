"""Synthetic render inputs: plan lines, segments and staging frames that follow the contracts.

Used by the render tests and ``benchmarks/bench_render.py`` (and handy for looking
at a plan without running the whole pipeline). Deterministic for a given seed; the
people are invented. ``write_sample_sources`` stores the frames where the render
stage reads them (plans DB tables, staging Parquet files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from customer_plans.db import make_engine
from customer_plans.quality.gate import WARNING_ROWS_COLUMNS, WARNING_ROWS_FILE
from customer_plans.render.context import (
    POOL_PREFIX,
    WEEKLY_AUM_COLUMNS,
    PlanInputs,
    QualityStatus,
)
from customer_plans.render.quality_audience import count_by_list
from customer_plans.staging import write_frame

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
         "明", "超", "秀英", "桂英", "建华", "志强", "海燕", "晓东", "雪梅"]
EN_FIRST = ["Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Yang", "Yan", "Jun", "Jie"]
TIERS = ["private", "diamond", "platinum", "gold", "mass"]
STAGES = ["new", "growing", "stable", "declining", "dormant", "potential"]
CHANNELS = ["phone", "phone", "visit", "wechat", "sms"]


@dataclass(frozen=True)
class SampleBank:
    inputs: PlanInputs
    manager_ids: list[str]
    exclusions: pd.DataFrame
    quality_summary: dict  # summary.json as the validate stage writes it (inputs.quality)
    # warning_rows.parquet of that run: every row its warnings name (inputs.quality_counts)
    warning_rows: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=WARNING_ROWS_COLUMNS))


def _quality_summary(business_date: date, customers_without_manager: list[str]) -> dict:
    """The validate stage's summary for a day whose only finding is customers without a manager.

    Shaped as ``customer_plans.quality`` writes it (a record per warning, not its words), so
    plans word the warning in each manager's language as they do after a real run.
    """
    rows = len(customers_without_manager)
    return {
        "business_date": business_date.isoformat(),
        "status": "warnings",
        "blocking": [],
        "warnings": [{
            "table": "customers", "column": "manager_id", "rule": "not_null",
            "expectation": "expect_column_values_to_not_be_null", "severity": "warning",
            "message": f"{rows} customers without a manager: assigned to the branch pool",
            "rows": rows, "key_column": "customer_id",
            "examples": sorted(customers_without_manager)[:5],
        }],
    }


def _warning_rows(customers_without_manager: list[str]) -> pd.DataFrame:
    """The ``warning_rows.parquet`` of that day: every customer without a manager."""
    return pd.DataFrame({
        "table": "customers", "column": "manager_id", "rule": "not_null",
        "key_column": "customer_id", "key": sorted(customers_without_manager),
    }, columns=WARNING_ROWS_COLUMNS)


def _name(rng: np.random.Generator, english: bool) -> str:
    if english:
        return f"{rng.choice(EN_FIRST)} {rng.choice(['Zhang', 'Wang', 'Li', 'Chen', 'Liu'])}"
    return str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN))


def _reasons(rng: np.random.Generator, business_date: date, level: int, aum: float, trend: float):
    """One to three reasons with facts, like the assign stage writes them."""
    reasons = []
    if level == 1:
        due = business_date + timedelta(days=int(rng.integers(1, 3)))
        principal = float(rng.choice([50_000, 120_000, 305_000, 1_000_000]))
        reasons.append({
            "code": "maturity_due", "level": 1,
            "facts": {"account_id": "6222020200112233445", "product_kind": "time_deposit",
                      "amount_cny": principal, "maturity_date": due.isoformat(),
                      "days_to_maturity": (due - business_date).days, "rate_pct": 1.75},
        })
    if level <= 2 and trend < -20:
        reasons.append({
            "code": "retention", "level": 2,
            "facts": {"tier_code": "platinum", "churn_score": 64.0, "churn_level": "high",
                      "signals": [{"code": "aum_decline", "trend_pct": trend, "weight": 30}]},
        })
    if not reasons or rng.random() < 0.4:
        days = int(rng.integers(31, 200))
        reasons.append({
            "code": "cadence_overdue", "level": 3,
            "facts": {"tier_code": "gold", "cadence_days": 30,
                      "last_reached_date": (business_date - timedelta(days=days)).isoformat(),
                      "days_since_contact": days},
        })
    return reasons


def sample_bank(
    managers: int = 4,
    contacts_per_manager: int = 12,
    business_date: date = date(2026, 11, 19),
    seed: int = 7,
    deferred_per_manager: int = 2,
    book_per_manager: int = 40,
) -> SampleBank:
    """A small bank: ``managers`` active managers (alternating zh_CN / en) and one on leave.

    The manager on leave is covered by the first manager; every manager has
    ``contacts_per_manager`` plan lines, the last ``deferred_per_manager`` deferred.
    """
    rng = np.random.default_rng(seed)
    manager_ids = [f"M{index + 1:04d}" for index in range(managers)]
    away_id = f"M{managers + 1:04d}"
    roster = pd.DataFrame({
        "manager_id": [*manager_ids, away_id],
        "branch_id": [f"B{index % 2 + 1:02d}" for index in range(managers + 1)],
        "branch_name": [
            ["城东支行", "Riverside Branch"][index % 2] for index in range(managers + 1)
        ],
        "city": "上海",
        "manager_name": [
            _name(rng, english=index % 2 == 1) for index in range(managers + 1)
        ],
        "email": [f"rm{index}@bank.example" for index in range(managers + 1)],
        "locale": [["zh_CN", "en"][index % 2] for index in range(managers + 1)],
        "daily_call_capacity": 20,
        "daily_visit_capacity": 3,
        "status": ["active"] * managers + ["on_leave"],
        "leave_start_date": None,
        "leave_end_date": None,
        "left_date": None,
        "backup_manager_id": [None] * managers + [manager_ids[0]],
    })
    # books: every manager (the away one too) owns book_per_manager customers
    owners = np.repeat(roster["manager_id"].to_numpy(), book_per_manager)
    customer_ids = [f"C{index + 1:07d}" for index in range(len(owners))]
    branch_of = dict(zip(roster["manager_id"], roster["branch_id"], strict=True))
    aum = np.round(rng.lognormal(12.5, 1.3, len(owners)), 2)
    trend = np.round(rng.normal(-5, 20, len(owners)), 1)
    churn_score = np.clip(np.round(50 - trend * 1.2 + rng.normal(0, 10, len(owners))), 0, 100)
    segments = pd.DataFrame({
        "business_date": business_date,
        "customer_id": customer_ids,
        "manager_id": owners,
        "branch_id": [branch_of[m] for m in owners],
        "aum_cny": aum,
        "aum_trend_90d_pct": trend,
        "tier_code": rng.choice(TIERS, len(owners), p=[0.05, 0.1, 0.2, 0.3, 0.35]),
        "lifecycle_stage": rng.choice(STAGES, len(owners)),
        "churn_score": churn_score,
        "churn_level": np.where(churn_score >= 60, "high", np.where(churn_score >= 30,
                                                                      "medium", "low")),
    })
    english = dict(zip(roster["manager_id"], roster["locale"] == "en", strict=True))
    customers = pd.DataFrame({
        "customer_id": customer_ids,
        "customer_name": [_name(rng, english=bool(english[m]) and rng.random() < 0.5)
                          for m in owners],
        "mobile_phone": [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}"
                         for _ in owners],
        "national_id": [f"11010119{rng.integers(60, 99)}0{rng.integers(1, 10)}1"
                        f"{rng.integers(0, 10**5):05d}" for _ in owners],
    })
    # weekly AUM, oldest first, drifting by the 90-day trend with some week-to-week noise
    drift = (trend[:, None] / 100) * np.linspace(-1, 0, 14)[None, :]
    weekly = aum[:, None] * (1 + drift + rng.normal(0, 0.03, (len(owners), 14)))
    balances = pd.DataFrame(weekly[:, ::-1], columns=WEEKLY_AUM_COLUMNS[::-1])
    balances.insert(0, "customer_id", customer_ids)
    last_contacts = pd.DataFrame({
        "customer_id": customer_ids,
        "last_reached_date": [
            pd.Timestamp(business_date - timedelta(days=int(d)))
            for d in rng.integers(3, 120, len(owners))
        ],
    })
    rows = []
    segment_of = segments.set_index("customer_id")
    for position, manager_id in enumerate(manager_ids):
        own = segments.loc[segments["manager_id"] == manager_id, "customer_id"].tolist()
        chosen = own[:contacts_per_manager]
        if position == 0:
            # the first manager also covers the away colleague's most urgent customers
            away = segments.loc[segments["manager_id"] == away_id, "customer_id"].tolist()
            chosen = chosen[: max(contacts_per_manager - 3, 0)] + away[:3]
        for rank, customer_id in enumerate(chosen, start=1):
            level = 1 if rank <= 2 else (2 if rank <= 5 else 3)
            seg = segment_of.loc[customer_id]
            reasons = _reasons(rng, business_date, level, float(seg["aum_cny"]),
                               float(seg["aum_trend_90d_pct"]))
            covered = seg["manager_id"] != manager_id
            channel = "visit" if level == 1 and rank == 1 else str(rng.choice(CHANNELS))
            rows.append({
                "business_date": business_date,
                "branch_id": branch_of[manager_id],
                "manager_id": manager_id,
                "rank": rank,
                "status": "deferred" if rank > len(chosen) - deferred_per_manager else "planned",
                "customer_id": customer_id,
                "assignment": "covered" if covered else "own",
                "home_manager_id": seg["manager_id"],
                "priority_level": level,
                "score": round(100 - rank * 1.5, 2),
                "score_value": 0.5, "score_urgency": 0.5, "score_risk": 0.5,
                "score_difficulty": 0.5,
                "reasons": json.dumps(reasons, ensure_ascii=False),
                "channel": channel,
                "capacity_kind": "visit" if channel == "visit" else "call",
                "rules_hash": "sample",
            })
    contacts = pd.DataFrame(rows).assign(assignment_reason=None)
    exclusions = pd.DataFrame({
        "business_date": business_date,
        "branch_id": [branch_of[m] for m in owners[-5:]],
        "customer_id": customer_ids[-5:],
        "manager_id": owners[-5:],
        "reason_code": ["restricted", "do_not_contact", "recently_contacted", "capacity",
                        "no_marketing_consent"],
        "detail": "",
    })
    feedback = pd.DataFrame({
        "business_date": business_date,
        "manager_id": manager_ids[:-1],
        "planned_yesterday": 12,
        "completed_yesterday": [9 + index % 3 for index in range(len(manager_ids) - 1)],
        "completion_rate": [(9 + index % 3) / 12 for index in range(len(manager_ids) - 1)],
    })
    # a validation summary with one warning, as after a real run: the first three customers
    # came without a manager (their staged rows say so; the segments are illustrative), so
    # the warning is the branch pool's, on no manager's plan
    quality_summary = _quality_summary(business_date, customer_ids[:3])
    warning_rows = _warning_rows(customer_ids[:3])
    customers = customers.assign(
        manager_id=[None] * 3 + list(owners[3:]), branch_id=segments["branch_id"].to_numpy())
    inputs = PlanInputs(
        contacts=contacts,
        segments=segments,
        managers=roster,
        customers=customers,
        balances=balances,
        last_contacts=last_contacts,
        feedback=feedback,
        quality=QualityStatus.from_summary(quality_summary),
        quality_counts=count_by_list(warning_rows, customers, pool_prefix=POOL_PREFIX),
    )
    return SampleBank(inputs=inputs, manager_ids=manager_ids, exclusions=exclusions,
                      quality_summary=quality_summary, warning_rows=warning_rows)


def write_sample_sources(
    bank: SampleBank,
    plans_db_url: str,
    staging_dir: Path,
    quality_dir: Path | None = None,
    create_tables: bool = True,
) -> None:
    """Store a sample bank where the render stage reads: plans DB tables and staging files.

    ``create_tables=False`` appends to tables that already exist (e.g. created with the
    real DDL, dates typed as dates) instead of replacing them.
    """
    tables = {
        "plan_contacts": bank.inputs.contacts,
        "segments": bank.inputs.segments,
        "plan_exclusions": bank.exclusions,
        "plan_feedback": bank.inputs.feedback,
    }
    engine = make_engine(plans_db_url)
    try:
        with engine.begin() as conn:
            for table, frame in tables.items():
                frame.to_sql(table, conn, if_exists="replace" if create_tables else "append",
                             index=False)
    finally:
        engine.dispose()
    staging_dir = Path(staging_dir)
    write_frame(bank.inputs.managers, staging_dir / "managers.parquet")
    write_frame(bank.inputs.customers, staging_dir / "customers.parquet")
    write_frame(bank.inputs.balances, staging_dir / "customer_balances.parquet")
    write_frame(bank.inputs.last_contacts, staging_dir / "contact_summary.parquet")
    if quality_dir is not None:
        quality_dir = Path(quality_dir)
        quality_dir.mkdir(parents=True, exist_ok=True)
        (quality_dir / "summary.json").write_text(
            json.dumps(bank.quality_summary, ensure_ascii=False, indent=2), encoding="utf-8",
        )
        write_frame(bank.warning_rows, quality_dir / WARNING_ROWS_FILE)


def _reason(code: str, level: int, **facts) -> dict:
    """A stored reason as the assign stage writes it: code, level and typed facts."""
    return {"code": code, "level": level, "facts": facts}


def example_bank(business_date: date = date(2026, 11, 19)) -> SampleBank:
    """A small hand-written bank whose plans a reader can check line by line (golden files).

    Branch B01 (城东支行): 张伟 (zh_CN, 3 planned incl. one covered for 李娜, 1 deferred),
    Emily Chen (en, 2 planned), 李娜 (on leave, covered by 张伟), and the branch pool's list
    (``POOL-B01``, one customer without a manager). Branch B02 (West Lake Branch): 王芳
    (zh_CN, nothing planned).
    """
    bd = business_date
    roster = pd.DataFrame({
        "manager_id": ["M001", "M002", "M003", "M004"],
        "branch_id": ["B01", "B01", "B01", "B02"],
        "branch_name": ["城东支行", "城东支行", "城东支行", "West Lake Branch"],
        "city": ["杭州", "杭州", "杭州", "杭州"],
        "manager_name": ["张伟", "Emily Chen", "李娜", "王芳"],
        "email": ["zhang.wei@bank.example", "emily.chen@bank.example",
                  "li.na@bank.example", "wang.fang@bank.example"],
        "locale": ["zh_CN", "en", "zh_CN", "zh_CN"],
        "daily_call_capacity": [3, 20, 20, 20],
        "daily_visit_capacity": [1, 3, 3, 3],
        "status": ["active", "active", "on_leave", "active"],
        "leave_start_date": [None, None, pd.Timestamp("2026-11-15"), None],
        "leave_end_date": [None, None, pd.Timestamp("2026-11-26"), None],
        "left_date": [None, None, None, None],
        "backup_manager_id": ["M002", "M001", "M001", None],
    })
    customers = pd.DataFrame({
        "customer_id": ["C0001", "C0002", "C0003", "C0004", "C0005", "C0006", "C0007",
                        "C0008", "C0009"],
        "customer_name": ["王小明", "陈静", "刘洋", "赵敏", "周杰", "Michael Brown", "黄丽",
                          "孙强", "吴芳"],
        "mobile_phone": ["13812341234", "13900001111", "+86 137 5555 6666", "13600002222",
                         None, "15011112222", "18623456789", "13399998888", "13277776666"],
        "national_id": ["110101198001011234", "110101198502023456", "31010119900303567X",
                        "110101197004045678", "110101199505056789", "110101198806067890",
                        "110101196007078901", "110101199909099012", "110101198110100123"],
    })
    segments = pd.DataFrame({
        "business_date": bd,
        "customer_id": customers["customer_id"],
        "manager_id": ["M001", "M001", "M001", "M003", None, "M002", "M002", "M004", "M001"],
        "branch_id": ["B01"] * 7 + ["B02", "B01"],
        "aum_cny": [6_520_000.0, 305_000.0, 82_000.0, 2_450_000.0, 1_200.0, 730_000.0,
                    128_500_000.0, 48_000.0, 540_000.0],
        "aum_trend_90d_pct": [-32.4, 3.1, 18.0, -8.5, None, -41.0, 2.0, 0.0, -12.0],
        "tier_code": ["private", "platinum", "gold", "diamond", "mass", "platinum", "private",
                      "mass", "platinum"],
        "lifecycle_stage": ["declining", "stable", "growing", "stable", "new", "declining",
                            "stable", "dormant", "stable"],
        "churn_score": [78.0, 12.0, 5.0, 35.0, 0.0, 66.0, 10.0, 20.0, 64.0],
        "churn_level": ["high", "low", "low", "medium", "low", "high", "low", "low", "high"],
    })
    weekly = {
        "C0001": np.linspace(9_650_000, 6_520_000, 14),
        "C0004": np.linspace(2_680_000, 2_450_000, 14),
        "C0006": np.linspace(1_240_000, 730_000, 14),
    }
    balances = pd.DataFrame(
        [[cid, *values] for cid, values in weekly.items()],
        columns=["customer_id", *WEEKLY_AUM_COLUMNS],
    )
    last_contacts = pd.DataFrame({
        "customer_id": ["C0001", "C0002", "C0004", "C0006", "C0007"],
        "last_reached_date": pd.to_datetime(
            ["2026-10-27", "2026-09-14", "2026-11-01", "2026-08-29", "2026-11-11"]
        ),
    })
    contact_rows = [
        # manager, rank, status, customer, assignment, home, level, channel, reasons
        ("M001", 1, "planned", "C0001", "own", "M001", 1, "visit", [
            _reason("maturity_due", 1, account_id="6222020200112233445",
                    product_kind="time_deposit", amount_cny=305_000.0,
                    maturity_date="2026-11-20", days_to_maturity=1, rate_pct=1.75),
            _reason("retention_top_tier", 1, tier_code="private", churn_score=78.0,
                    churn_level="high",
                    signals=[{"code": "aum_decline", "trend_pct": -32.4, "weight": 30}]),
        ]),
        ("M001", 2, "planned", "C0004", "covered", "M003", 2, "phone", [
            _reason("cadence_overdue_top_tier", 2, tier_code="diamond", cadence_days=15,
                    last_reached_date="2026-11-01", days_since_contact=18),
        ]),
        ("M001", 3, "planned", "C0002", "own", "M001", 3, "wechat", [
            _reason("birthday", 3, birthday="2026-11-21", greeting_ahead=False),
        ]),
        ("POOL-B01", 1, "planned", "C0005", "pool", "", 3, "phone", [
            _reason("new_customer_follow_up", 3, day=7),
        ]),
        ("M001", 4, "deferred", "C0003", "own", "M001", 3, "phone", [
            _reason("idle_balance", 3, amount_cny=150_000.0),
        ]),
        ("M002", 1, "planned", "C0006", "own", "M002", 2, "phone", [
            _reason("retention", 2, tier_code="platinum", churn_score=66.0,
                    churn_level="high",
                    signals=[{"code": "aum_decline", "trend_pct": -41.0, "weight": 30},
                             {"code": "transfers_out", "amount_cny": 400_000.0,
                              "share_of_aum": 0.55, "weight": 20}]),
        ]),
        ("M002", 2, "planned", "C0007", "own", "M002", 3, "visit", [
            _reason("tier_upgrade", 3, from_tier="diamond", to_tier="private"),
        ]),
    ]
    contacts = pd.DataFrame([
        {
            "business_date": bd, "branch_id": "B01", "manager_id": m, "rank": rank,
            "status": status,
            "customer_id": customer, "assignment": assignment,
            "home_manager_id": home or None, "priority_level": level,
            "score": round(90 - rank * 7.5, 2), "score_value": 0.5, "score_urgency": 0.5,
            "score_risk": 0.5, "score_difficulty": 0.5,
            "reasons": json.dumps(reasons, ensure_ascii=False), "channel": channel,
            "capacity_kind": None if m.startswith("POOL-") else (
                "visit" if channel == "visit" else "call"),
            # the pool's customer has no manager; B01's managers had no capacity left
            "assignment_reason": "no_manager no_capacity" if assignment == "pool" else None,
            "rules_hash": "example",
        }
        for m, rank, status, customer, assignment, home, level, channel, reasons
        in contact_rows
    ])
    exclusions = pd.DataFrame({
        "business_date": bd,
        "branch_id": ["B01", "B02"],
        "customer_id": ["C0009", "C0008"],
        "manager_id": ["M001", "M004"],
        "reason_code": ["recently_contacted", "do_not_contact"],
        "detail": ["", ""],
    })
    feedback = pd.DataFrame({
        "business_date": bd,
        "branch_id": ["B01"],
        "manager_id": ["M001"],
        "planned_yesterday": [5],
        "completed_yesterday": [4],
        "completion_rate": [0.8],
    })
    # C0005 came without a manager: a warning the branch pool's list prints, no one else's
    quality_summary = _quality_summary(bd, ["C0005"])
    warning_rows = _warning_rows(["C0005"])
    customers = customers.assign(manager_id=segments["manager_id"],
                                 branch_id=segments["branch_id"])
    inputs = PlanInputs(
        contacts=contacts, segments=segments, managers=roster, customers=customers,
        balances=balances, last_contacts=last_contacts, feedback=feedback,
        quality=QualityStatus.from_summary(quality_summary),
        quality_counts=count_by_list(warning_rows, customers, pool_prefix=POOL_PREFIX),
    )
    return SampleBank(
        inputs=inputs, manager_ids=["M001", "M002", "M004", "POOL-B01"], exclusions=exclusions,
        quality_summary=quality_summary, warning_rows=warning_rows,
    )
