"""The data-quality gate: validate one business date's staging, report, then decide.

``validate_staging`` loads every staged extract, runs its expectation suite with Great
Expectations (ephemeral context, imported here and only when called), turns failed
expectations into findings (table, column, rule, rows, example keys), writes the
quarantine file and the self-contained report, and then either marks the staging folder
validated or raises ``DataQualityError``.

Files written for a business date (each atomically):

- ``<staging_root>/<business_date>/quarantine.parquet``: always, possibly empty;
  columns ``table, key_column, key, rule, detail``; downstream excludes these keys;
- ``<quality_root>/<business_date>/results.json``: every check, GX ``describe_dict()`` per
  suite, counts (the next run's volume baseline), findings;
- ``<quality_root>/<business_date>/summary.json``: the summary ``validate_staging`` returns;
- ``<quality_root>/<business_date>/warning_rows.parquet``: always, possibly empty; one row per
  row a warning or quarantine check failed on: ``table, column, rule, key_column, key`` (keys
  only), so each plan can count the warnings about its own book (``render.quality_audience``);
- ``<quality_root>/<business_date>/report.html`` and ``report.pdf``;
- ``<staging_root>/<business_date>/validated.json``: only when no blocking failure. Any
  rerun of an extract or of validation removes it first.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from customer_plans.extract import (
    AMOUNT,
    COUNT,
    DATE,
    EXTRACT_COLUMNS,
    EXTRACTS,
    FLAG,
    TEXT,
    TIMESTAMP,
    VALIDATED_MARKER,
)
from customer_plans.files import write_bytes_atomic, write_text_atomic
from customer_plans.quality.findings import (
    MAX_EXAMPLE_KEYS,
    DataQualityError,
    Finding,
    format_failure_message,
)
from customer_plans.quality.report import json_safe, render_report_html, write_report_pdf
from customer_plans.quality.suites import (
    MAX_LISTED_VALUES,
    MIN_VOLUME_BASELINE_ROWS,
    Check,
    SkippedCheck,
    SuiteBuilder,
    SuiteContext,
    build_suite,
    key_column,
)
from customer_plans.staging import QUARANTINE_FILE, read_frame, write_frame

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

QUARANTINE_COLUMNS = ["table", "key_column", "key", "rule", "detail"]
WARNING_ROWS_FILE = "warning_rows.parquet"
WARNING_ROWS_COLUMNS = ["table", "column", "rule", "key_column", "key"]
RESULTS_FILE = "results.json"
SUMMARY_FILE = "summary.json"
REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
# Only runs that let plans be built are a volume baseline.
BASELINE_STATUSES = ("passed", "warnings")
# The result fields kept in results.json: counts and aggregate observations, never the
# failing values themselves (they may be personal data such as birth dates).
KEPT_RESULT_FIELDS = (
    "element_count", "unexpected_count", "unexpected_percent", "missing_count",
    "missing_percent", "observed_value",
)


def previous_counts(quality_root: Path | str, business_date: date) -> dict[str, int] | None:
    """Row counts of the latest earlier business date whose validation let plans be built.

    Read from ``<quality_root>/<date>/results.json``; None when there is no such run (then
    the volume check is skipped and the report says so).
    """
    root = Path(quality_root)
    if not root.is_dir():
        return None
    earlier = []
    for folder in root.iterdir():
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day < business_date and (folder / RESULTS_FILE).is_file():
            earlier.append((day, folder / RESULTS_FILE))
    for _day, path in sorted(earlier, reverse=True):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("volume baseline: %s is unreadable; trying an earlier run", path)
            continue
        if results.get("status") in BASELINE_STATUSES and results.get("counts"):
            return {name: int(rows) for name, rows in results["counts"].items()}
    return None


def validate_staging(
    ctx: RunContext,
    *,
    previous_counts: dict[str, int] | None = None,
    volume_band: tuple[float, float] = (0.5, 1.5),
) -> dict[str, Any]:
    """Validate the staged extracts of the context's business date (its ``staging_dir``);
    return a JSON-safe summary.

    ``previous_counts`` (rows per extract of the previous run, see ``previous_counts()``)
    enables the volume check: a count outside ``volume_band`` times the previous one is
    blocking; None skips the check and says so. Writes the quarantine file (staging folder)
    and the report (``quality_dir``) in every case; raises ``DataQualityError`` (message:
    table, column, rule, rows, example keys) after writing them when a blocking check
    failed. Managers' and branch heads' addresses are checked against the setting
    ``mail_domains``.
    """
    business_date = ctx.business_date
    rules = ctx.rules()
    staging_folder = ctx.staging_dir
    quality_folder = ctx.quality_dir
    (staging_folder / VALIDATED_MARKER).unlink(missing_ok=True)

    frames, findings = _load_frames(staging_folder)
    suite_ctx = SuiteContext(
        business_date=business_date, rules=rules, frames=frames,
        previous_counts=previous_counts, volume_band=volume_band,
        mail_domains=tuple(ctx.settings.mail_domains),
    )
    _classify_columns(suite_ctx)
    suites = _run_suites(suite_ctx)

    check_records: list[dict[str, Any]] = []
    quarantine_rows: list[tuple[str, str, str, str, str]] = []
    warning_rows: list[tuple[str, str, str, str, str]] = []
    for _table, builder, result in suites:
        for check, outcome in _match_results(builder, result):
            record, finding, quarantined = _interpret(suite_ctx, check, outcome)
            check_records.append(record)
            if finding is not None:
                findings.append(finding)
            quarantine_rows.extend(quarantined)
            warning_rows.extend(_warning_rows(suite_ctx, check, outcome))
        check_records.extend(_skipped_record(skip) for skip in builder.skipped)

    quarantine = _quarantine_frame(quarantine_rows)
    write_frame(quarantine, staging_folder / QUARANTINE_FILE)
    write_frame(pd.DataFrame(warning_rows, columns=WARNING_ROWS_COLUMNS).astype("str"),
                quality_folder / WARNING_ROWS_FILE)
    counts = {name: int(len(frame)) for name, frame in frames.items()}
    blocking = [f.to_dict() for f in findings if f.severity == "blocking"]
    warnings = [f.to_dict() for f in findings if f.severity != "blocking"]
    status = "failed" if blocking else ("warnings" if warnings else "passed")
    summary: dict[str, Any] = {
        "business_date": business_date.isoformat(),
        "status": status,
        "blocking": blocking,
        "warnings": warnings,
        "quarantined": int(quarantine[["table", "key"]].drop_duplicates().shape[0]),
        "counts": counts,
        "volume_note": _volume_note(previous_counts, counts, volume_band),
        "results_json": str(quality_folder / RESULTS_FILE),
        "report_html": str(quality_folder / REPORT_HTML),
        "report_pdf": str(quality_folder / REPORT_PDF),
        "quarantine_path": str(staging_folder / QUARANTINE_FILE),
    }
    results = {
        **summary,
        "rules_version": rules.version,
        "rules_hash": rules.content_hash,
        "previous_counts": previous_counts,
        "volume_band": list(volume_band),
        "quarantine_by_rule": _quarantine_by_rule(quarantine),
        "checks": check_records,
        "suites": {table: _suite_json(result) for table, _builder, result in suites},
    }
    results = json_safe(results)
    _write_outputs(quality_folder, summary, results)

    if blocking:
        message = format_failure_message(summary)
        log.error("%s", message)
        raise DataQualityError(message, summary)
    write_text_atomic(staging_folder / VALIDATED_MARKER, json.dumps({
        "business_date": business_date.isoformat(), "status": status,
        "results_json": summary["results_json"], "rules_hash": rules.content_hash,
    }, indent=2))
    if warnings:
        log.warning("%s", format_failure_message(summary))
    return summary


# -- loading ------------------------------------------------------------------------------


def _load_frames(folder: Path) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    frames: dict[str, pd.DataFrame] = {}
    findings: list[Finding] = []
    for name in EXTRACTS:
        path = folder / f"{name}.parquet"
        if not path.is_file():
            findings.append(Finding(
                table=name, column=None, rule="extract_present", expectation="staging file exists",
                severity="blocking",
                message=f"no staging file {path}: the extract did not run or failed",
            ))
            continue
        try:
            frames[name] = read_frame(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the same finding
            findings.append(Finding(
                table=name, column=None, rule="extract_readable",
                expectation="staging file is readable Parquet", severity="blocking",
                message=f"staging file {path} cannot be read ({type(exc).__name__})",
            ))
    return frames, findings


def _type_matches(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    if kind == TEXT:
        return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    if kind in (DATE, TIMESTAMP):
        return pd.api.types.is_datetime64_any_dtype(dtype)
    if kind == AMOUNT:
        return pd.api.types.is_float_dtype(dtype)
    if kind in (COUNT, FLAG):
        return pd.api.types.is_integer_dtype(dtype)
    return False


def _classify_columns(ctx: SuiteContext) -> None:
    """Which contract columns each frame has (present) and has with the right type (usable)."""
    for table, frame in ctx.frames.items():
        spec = EXTRACT_COLUMNS[table]
        ctx.present_columns[table] = {column for column, _ in spec if column in frame.columns}
        ctx.usable_columns[table] = {
            column for column, kind in spec
            if column in frame.columns and _type_matches(frame[column], kind)
        }


# -- running GX ---------------------------------------------------------------------------


def _gx_context() -> Any:
    """An in-memory GX context: no files, no usage statistics, no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _run_suites(ctx: SuiteContext) -> list[tuple[str, SuiteBuilder, Any]]:
    """Build and run one suite per loaded extract; return (table, builder, GX result)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _gx_context()
    source = context.data_sources.add_pandas("staging")
    outcomes = []
    for table in EXTRACTS:
        if table not in ctx.frames:
            continue
        builder = build_suite(gxe, ctx, table)
        frame = ctx.frames[table].assign(**builder.derived) if builder.derived else ctx.frames[
            table]
        asset = source.add_dataframe_asset(name=table)
        batch_definition = asset.add_batch_definition_whole_dataframe(f"{table}_whole")
        # batch.validate runs the suite without storing suites or results in the context
        suite = gx.ExpectationSuite(
            name=f"staging_{table}", expectations=[check.expectation for check in builder.checks],
        )
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        key = key_column(table)
        result = batch.validate(
            suite,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [key] if key in frame.columns else [],
                "return_unexpected_index_query": False,
            },
        )
        outcomes.append((table, builder, result))
    return outcomes


def _match_results(builder: SuiteBuilder, result: Any) -> Iterable[tuple[Check, Any]]:
    by_id = {check.check_id: check for check in builder.checks}
    matched = {}
    for outcome in result.results:
        check_id = (outcome.expectation_config.meta or {}).get("check_id")
        if check_id in by_id:
            matched[check_id] = outcome
    for check in builder.checks:  # report in suite order, and never lose a check
        yield check, matched.get(check.check_id)


def _raised(exception_info: Any) -> str | None:
    """The exception message when GX could not evaluate the expectation."""
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(
        exception_info.values())
    for info in infos:
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error").splitlines()[0][:300]
    return None


# -- interpreting results -----------------------------------------------------------------


def _distinct(values: Iterable[Any], limit: int) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        text = str(value)
        if text not in seen:
            seen.append(text)
        if len(seen) == limit:
            break
    return seen


def _format_observed(value: Any) -> str:
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return "nothing (no rows)"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _expected_range(kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    return f"{low if low is not None else ''}..{high if high is not None else ''}"



# the nouns the suites count ("{count} rows without ..."), singular for a count of one
SINGULAR = {"rows": "row", "branches": "branch", "customers": "customer",
            "managers": "manager", "accounts": "account"}
_ONE_OF = re.compile(
    r"(?<![\d.,])1 ((?:[a-z-]+ )?)(" + "|".join(re.escape(noun) for noun in SINGULAR) + r")(?=\W|$)"
)


def singular_when_one(message: str) -> str:
    """``"1 branches without ..."`` -> ``"1 branch without ..."``; other counts unchanged."""
    return _ONE_OF.sub(lambda m: f"1 {m.group(1)}{SINGULAR[m.group(2)]}", message)


def _interpret(
    ctx: SuiteContext, check: Check, outcome: Any
) -> tuple[dict[str, Any], Finding | None, list[tuple[str, str, str, str, str]]]:
    """One check's record for results.json, its finding (if failed), its quarantine rows."""
    frame = ctx.frames[check.table]
    key = key_column(check.table)
    config = check.expectation
    record: dict[str, Any] = {
        "check_id": check.check_id, "table": check.table, "column": check.column,
        "rule": check.rule, "severity": check.severity, "expectation": config.expectation_type,
        "kwargs": _kwargs_json(check), "rows": None, "examples": [], "message": None,
    }
    if outcome is None:
        error = "GX returned no result for this expectation"
    else:
        error = _raised(outcome.exception_info)
    if error:
        record["status"] = "error"
        record["message"] = f"the check could not run: {error}"
        return record, Finding(
            table=check.table, column=check.column, rule=check.rule,
            expectation=config.expectation_type, severity="blocking",
            message=record["message"],
        ), []
    result = outcome.result or {}
    record["result"] = {name: result[name] for name in KEPT_RESULT_FIELDS if name in result}
    if outcome.success:
        record["status"] = "passed"
        return record, None, []

    record["status"] = "failed"
    observed = result.get("observed_value")
    rows: int | None = None
    examples: list[str] = []
    quarantined: list[tuple[str, str, str, str, str]] = []
    if check.row_level:
        rows = int(result.get("unexpected_count") or 0)
        # dicts of key (and value) per failing row; plain row numbers when the key is missing
        index_list = [item for item in result.get("unexpected_index_list") or []
                      if isinstance(item, dict)]
        examples = _distinct((item.get(key) for item in index_list), MAX_EXAMPLE_KEYS)
        if check.severity == "quarantine":
            for item in index_list:
                detail = check.quarantine_detail(item.get(check.gx_column)) if (
                    check.quarantine_detail) else check.rule
                quarantined.append(
                    (check.table, key, str(item.get(key)), check.rule, detail)
                )
    elif check.failing_rows is not None:
        mask = check.failing_rows(frame).fillna(False).astype(bool)
        rows = int(mask.sum())
        if key in frame.columns:
            examples = _distinct(frame.loc[mask, key].head(MAX_EXAMPLE_KEYS * 4), MAX_EXAMPLE_KEYS)
    message = singular_when_one(check.problem.format(
        count=rows if rows is not None else "?",
        observed=_format_observed(observed),
        business_date=ctx.business_date.isoformat(),
        expected=_expected_range(_expectation_kwargs(check)),
    ))
    record.update(rows=rows, examples=examples, message=message)
    finding = Finding(
        table=check.table, column=check.column, rule=check.rule,
        expectation=config.expectation_type, severity=check.severity, message=message,
        rows=rows, key_column=key if examples else None, examples=examples,
    )
    return record, finding, quarantined


def _warning_rows(
    ctx: SuiteContext, check: Check, outcome: Any
) -> list[tuple[str, str, str, str, str]]:
    """``(table, column, rule, key_column, key)`` of every row a failed row-level warning or
    quarantine check names: all of them, where the finding keeps a few examples."""
    key = key_column(check.table)
    if (check.severity == "blocking" or not check.row_level or outcome is None
            or outcome.success or _raised(outcome.exception_info)
            or key not in ctx.frames[check.table].columns):
        return []
    index_list = (outcome.result or {}).get("unexpected_index_list") or []
    keys = dict.fromkeys(
        str(item[key]) for item in index_list
        if isinstance(item, dict) and item.get(key) is not None and not pd.isna(item[key])
    )
    return [(check.table, check.column or "", check.rule, key, value) for value in keys]


def _skipped_record(skip: SkippedCheck) -> dict[str, Any]:
    return {
        "check_id": None, "table": skip.table, "column": skip.column, "rule": skip.rule,
        "severity": None, "expectation": None, "status": "skipped", "message": skip.reason,
        "rows": None, "examples": [],
    }


def _expectation_kwargs(check: Check) -> dict[str, Any]:
    return dict(check.expectation.configuration.kwargs)


def _kwargs_json(check: Check) -> dict[str, Any]:
    """The expectation's arguments, with long key lists summarised (they can be 100k ids)."""
    kwargs = {
        name: value for name, value in _expectation_kwargs(check).items()
        if name not in ("result_format", "catch_exceptions", "batch_id") and value is not None
    }
    value_set = kwargs.get("value_set")
    if isinstance(value_set, (list, tuple, set)) and len(value_set) > MAX_LISTED_VALUES:
        source = check.value_set_source or "a list"
        kwargs["value_set"] = f"{len(value_set)} values of {source}"
    return kwargs


def _suite_json(result: Any) -> dict[str, Any]:
    """GX's ``describe_dict()`` of a suite run, without failing values or long key lists."""
    described = result.describe_dict()
    for expectation in described.get("expectations", []):
        kwargs = expectation.get("kwargs", {})
        value_set = kwargs.get("value_set")
        if isinstance(value_set, (list, tuple)) and len(value_set) > MAX_LISTED_VALUES:
            kwargs["value_set"] = f"{len(value_set)} values"
        outcome = expectation.get("result") or {}
        expectation["result"] = {
            name: outcome[name] for name in KEPT_RESULT_FIELDS if name in outcome
        }
    return described


# -- outputs ------------------------------------------------------------------------------


def _quarantine_frame(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=QUARANTINE_COLUMNS).astype("str")
    return (
        frame.drop_duplicates()
        .sort_values(["table", "key", "rule"], kind="stable")
        .reset_index(drop=True)
    )


def _quarantine_by_rule(quarantine: pd.DataFrame) -> list[dict[str, Any]]:
    if quarantine.empty:
        return []
    grouped = quarantine.groupby(["table", "rule"], sort=True)["key"]
    return [
        {"table": table, "rule": rule, "rows": int(keys.size),
         "keys": keys.head(MAX_LISTED_VALUES).tolist()}
        for (table, rule), keys in grouped
    ]


def _volume_note(
    previous: dict[str, int] | None, counts: dict[str, int], band: tuple[float, float]
) -> str:
    if not previous:
        return "volume check skipped: no previous run's counts (first run or none passed)"
    checked = [name for name in counts if previous.get(name, 0) >= MIN_VOLUME_BASELINE_ROWS]
    small = [name for name in counts if name in previous and name not in checked]
    note = (
        f"row counts compared with the previous run (band {band[0]:g}x..{band[1]:g}x) for "
        f"{', '.join(checked) if checked else 'no extract'}"
    )
    if small:
        note += (f"; skipped for {', '.join(small)} (previous run had fewer than "
                 f"{MIN_VOLUME_BASELINE_ROWS} rows)")
    return note


def _write_outputs(folder: Path, summary: dict[str, Any], results: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / RESULTS_FILE,
                      json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(folder / SUMMARY_FILE,
                      json.dumps(json_safe(summary), indent=2, ensure_ascii=False) + "\n")
    html = render_report_html(results)
    write_text_atomic(folder / REPORT_HTML, html)
    write_bytes_atomic(folder / REPORT_PDF, write_report_pdf(html))
