"""The ``customer-plans`` command line.

Each subcommand is one entry in ``COMMANDS``: a function that adds its arguments to a
subparser and a handler that runs it. Handlers import what they need lazily, so that
``customer-plans --help`` stays fast and one subcommand's dependencies never slow another.

    customer-plans seed --customers 20000 --managers 100 --branches 10 --as-of 2026-11-19
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, how it adds its arguments, and what runs it."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


# --------------------------------------------------------------------------- seed


def _configure_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customers", type=_positive, default=20_000,
                        help="number of customers (default 20000)")
    parser.add_argument("--managers", type=_positive, default=100,
                        help="number of relationship managers (default 100)")
    parser.add_argument("--branches", type=_positive, default=10,
                        help="number of branches (default 10)")
    parser.add_argument("--as-of", type=_iso_date, default=date(2026, 11, 19),
                        metavar="DATE", help="the business date, YYYY-MM-DD (default 2026-11-19)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--url", default=None,
                        help="SQLAlchemy URL of the core banking database (default: the "
                             "settings' core_banking_url, a SQLite file data/core_banking.db)")
    parser.add_argument("--history-days", type=_positive, default=100,
                        help="days of balances and transactions ending on the business date "
                             "(default 100)")
    parser.add_argument("--names", choices=("zh", "en"), default="zh",
                        help="Chinese (default) or English names of people and places")
    parser.add_argument("--chunk-size", type=_positive, default=5_000,
                        help="customers generated and written per batch (default 5000)")
    parser.add_argument("--no-close-as-of", dest="close_as_of", action="store_false",
                        help="leave the business date out of eod_status, as if the core "
                             "system's end-of-day batch had not finished")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no summary")


def _run_seed(args: argparse.Namespace) -> int:
    from customer_plans.seed import generate_bank_report
    from customer_plans.settings import load_settings

    url = args.url or load_settings().core_banking_url
    try:
        report = generate_bank_report(
            url, customers=args.customers, managers=args.managers, branches=args.branches,
            as_of=args.as_of, seed=args.seed, history_days=args.history_days, names=args.names,
            chunk_size=args.chunk_size, close_as_of=args.close_as_of,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except ValueError as exc:
        print(f"customer-plans seed: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(report.summary())
    return 0


# --------------------------------------------------------------------------- run, summary, audit


def _configure_business_date(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--business-date", type=_iso_date, required=True, metavar="DATE",
                        help="the business date, YYYY-MM-DD")


def _run_pipeline(args: argparse.Namespace) -> int:
    import json

    from customer_plans.pipeline import RunContext, is_closed, run_all
    from customer_plans.runlock import holding

    ctx = RunContext(args.business_date)
    with holding(ctx.settings.plans_db_url, ctx.business_date) as (_holder, fence):
        if not is_closed(ctx):
            raise NotClosedError(
                f"the core banking system has not closed business date {ctx.business_date} "
                "(no end-of-day mark in its eod_status): nothing was extracted. Run again once "
                "the core system has closed the day, or give the date it last closed.")
        summary = run_all(ctx, fence=fence)
    print(json.dumps({"segment": summary["segment"], "deliver": summary["deliver"],
                      "record": summary["record"]}, ensure_ascii=False, indent=2, default=str))
    return 0


def _configure_summary(parser: argparse.ArgumentParser) -> None:
    _configure_business_date(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _run_summary(args: argparse.Namespace) -> int:
    import json

    from customer_plans.pipeline import RunContext
    from customer_plans.summary import format_summary, run_summary

    summary = run_summary(RunContext(args.business_date))
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json
          else format_summary(summary))
    return 0


def _run_verify(args: argparse.Namespace) -> int:
    from customer_plans.audit import verify_run
    from customer_plans.pipeline import RunContext

    problems = verify_run(RunContext(args.business_date))
    for problem in problems:
        print(f"PROBLEM {problem}")
    if not problems:
        print(f"business date {args.business_date}: audit chain intact, every recorded "
              "input, table and plan unchanged")
    return 1 if problems else 0


def _language_codes() -> str:
    """The configured languages' codes, read from the languages file alone (the words
    machinery loads pandas and Babel: too slow for every ``--help``)."""
    import yaml

    from customer_plans.settings import LANGUAGES_PATH

    try:
        return ", ".join(yaml.safe_load(LANGUAGES_PATH.read_text(encoding="utf-8"))["languages"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return f"those of {LANGUAGES_PATH}"


def _configure_explain(parser: argparse.ArgumentParser) -> None:
    _configure_business_date(parser)
    parser.add_argument("--customer-id", required=True, help="the customer to explain")
    parser.add_argument("--language", default=None, metavar="LANGUAGE",
                        help="the language of the answer's words: a configured language "
                             f"({_language_codes()}) or a roster locale such as zh-CN "
                             "(default: the languages file's default)")


def _run_explain(args: argparse.Namespace) -> int:
    """The answer as JSON: its words in the language asked for first, then the record."""
    import json

    from customer_plans.explain import UnknownLanguage, explain_customer
    from customer_plans.rules import load_rules
    from customer_plans.settings import load_settings

    settings = load_settings()
    try:
        answer = explain_customer(settings.plans_db_url, args.business_date, args.customer_id,
                                  args.language, rules=load_rules(settings.rules_path))
    except UnknownLanguage as exc:
        print(f"customer-plans explain: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    return 0


# --------------------------------------------------------------------------- deliver


def _configure_deliver(parser: argparse.ArgumentParser) -> None:
    _configure_business_date(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="decide who gets what, send and record nothing")
    parser.add_argument("--resend-manager", action="append", default=[], metavar="MANAGER_ID",
                        help="send this manager's plan again (repeatable)")
    parser.add_argument("--resend-branch", action="append", default=[], metavar="BRANCH_ID",
                        help="send every document of this branch again (repeatable)")
    parser.add_argument("--requested-by", default=None,
                        help="who asks for the resend (recorded in the ledger; required with it)")


def _run_deliver(args: argparse.Namespace) -> int:
    """Deliver a rendered date (mode from CUSTOMER_PLANS_DELIVERY; SMTP from
    CUSTOMER_PLANS_SMTP_URL), holding the date's run lock while it does."""
    import json

    from customer_plans.deliver import Resend
    from customer_plans.pipeline import RunContext, deliver
    from customer_plans.runlock import holding

    resend = None
    if args.resend_manager or args.resend_branch:
        if not (args.requested_by or "").strip():
            print("customer-plans deliver: a resend needs --requested-by (who asks for it is "
                  "recorded in the ledger)", file=sys.stderr)
            return 2
        resend = Resend(args.requested_by.strip(), tuple(args.resend_manager),
                        tuple(args.resend_branch))
    ctx = RunContext(args.business_date)
    with holding(ctx.settings.plans_db_url, ctx.business_date) as (holder, fence):
        result = deliver(ctx, dry_run=args.dry_run, resend=resend, run_id=f"cli:{holder.pid}",
                         fence=fence)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


# --------------------------------------------------------------------------- unlock


def _run_unlock(args: argparse.Namespace) -> int:
    from customer_plans.runlock import force_unlock, holder_alive
    from customer_plans.settings import load_settings

    day = args.business_date.isoformat()
    holder = force_unlock(load_settings().plans_db_url, args.business_date)
    if holder is None:
        print(f"business date {day} was not locked: no run held it")
        return 0
    print(f"business date {day} unlocked: it was held by {holder.description} "
          f"since {holder.since}")
    # Unlocking frees the date, it does not stop the holder: say so when it may still run.
    if holder.kind == "airflow":
        print("if that DAG run is still running, mark it failed in the Airflow UI: unlocking "
              "freed the date but does not stop the run")
    elif holder_alive(holder):
        print(f"warning: process {holder.pid} on host {holder.host} may still be running; "
              "stop it before rerunning the date")
    return 0


# --------------------------------------------------------------------------- registry

COMMANDS: dict[str, Command] = {
    "seed": Command(
        help="generate a synthetic core bank (the source contract tables) for a business date",
        configure=_configure_seed,
        run=_run_seed,
    ),
    "run": Command(
        help="run every stage for a business date without Airflow (outbox delivery)",
        configure=_configure_business_date,
        run=_run_pipeline,
    ),
    "deliver": Command(
        help="send a rendered business date's documents (or a dry run, or a resend)",
        configure=_configure_deliver,
        run=_run_deliver,
    ),
    "unlock": Command(
        help="free a business date whose run was killed and left its run lock behind",
        configure=_configure_business_date,
        run=_run_unlock,
    ),
    "summary": Command(
        help="what a business date's run built and where it is",
        configure=_configure_summary,
        run=_run_summary,
    ),
    "verify-audit": Command(
        help="check that nothing recorded for a business date has changed since",
        configure=_configure_business_date,
        run=_run_verify,
    ),
    "explain": Command(
        help="why a customer was (or was not) on a list on a business date",
        configure=_configure_explain,
        run=_run_explain,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per entry of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="customer-plans",
        description="Relationship managers' daily contact plans from core banking data.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(_run=command.run)
    return parser


def _stop_classes() -> tuple[type[BaseException], ...]:
    """The failures an operator can cause or meet, each carrying its own paragraph (what,
    where, how many, an example key, what to do): said as they are, without a traceback.
    Imported here, not above, so that ``--help`` does not load the database stack."""
    import sqlalchemy as sa

    from customer_plans.assign.inputs import AssignmentError
    from customer_plans.dates import BusinessDateError
    from customer_plans.deliver import DeliveryIncomplete
    from customer_plans.extract import ExtractError
    from customer_plans.mail import DeliveryError
    from customer_plans.quality.findings import DataQualityError
    from customer_plans.render.data import RenderInputError
    from customer_plans.rules import RulesError
    from customer_plans.runlock import RunLockError
    from customer_plans.segment.inputs import SegmentationError
    from customer_plans.words import CatalogueError
    from customer_plans.words.languages import LanguagesError

    return (RunLockError, DeliveryIncomplete, DeliveryError, DataQualityError, ExtractError,
            RulesError, LanguagesError, CatalogueError, BusinessDateError, RenderInputError,
            SegmentationError, AssignmentError, NotClosedError, sa.exc.OperationalError)


class NotClosedError(RuntimeError):
    """The core system has not closed the business date asked for."""


def _alert_outside_airflow(args: argparse.Namespace, message: str) -> str | None:
    """A failed ``run`` leaves the same alert file as a failed DAG run (output/alerts/)."""
    if args.command != "run":
        return None
    from pathlib import Path

    from customer_plans.alerts import scrub, write_alert
    from customer_plans.settings import load_settings

    when = getattr(args, "business_date", None)
    subject = f"[customer-plans] customer-plans run failed ({when})"
    body = (f"Command: customer-plans run --business-date {when}\n\nWhat went wrong:\n"
            f"{scrub(message)}\n\nFix the cause, then run the command again: a rerun sends only "
            "what was never accepted.")
    try:
        return str(write_alert(Path(load_settings().output_dir) / "alerts", subject, body))
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``customer-plans`` script; returns the process exit status.

    A failure an operator can cause or meet ends with one paragraph on standard error and
    exit status 2 (an unexpected one: its type and message, exit status 1), without a
    traceback unless ``--debug``; a failed ``run`` also writes its alert under
    ``output/alerts/``, as a failed DAG run does.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    args = build_parser().parse_args([a for a in argv if a != "--debug"])
    from customer_plans.settings import SettingsError  # light: no database stack

    try:
        return args._run(args)
    except SettingsError as exc:
        # a setting that cannot be used: the message names it and what it must be
        print(f"customer-plans {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - every failure ends in one paragraph
        if debug:
            raise
        expected = isinstance(exc, _stop_classes())
        message = " ".join(str(exc).split()) if expected else (
            f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:500]}. Rerun "
            "with --debug for the traceback, and report it with the command's log.")
        alert = _alert_outside_airflow(args, message)
        print(f"customer-plans {args.command}: {message}"
              + (f" (alert written to {alert})" if alert else ""), file=sys.stderr)
        return 2 if expected else 1


if __name__ == "__main__":
    sys.exit(main())
