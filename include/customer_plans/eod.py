"""End-of-day: has the core banking system closed the business date?

Nothing may be extracted before the core system's end-of-day batch (日终批处理) has
marked the business date closed (a row in ``eod_status``). The DAG's sensor pokes
``is_business_date_closed``; ``run_extract`` checks the same mark again.
"""

from __future__ import annotations

from datetime import date


def is_business_date_closed(core_banking_url: str, business_date: date) -> bool:
    """True when ``eod_status`` has a row for ``business_date``.

    Connection errors are retried with backoff and then raise
    ``customer_plans.extract.CoreBankingUnavailableError``; a sensor may treat that as
    "not yet" or fail, as the DAG decides.
    """
    from customer_plans.extract import core_banking_engine, is_closed_on, with_retries

    engine = core_banking_engine(core_banking_url)

    def check() -> bool:
        with engine.connect() as conn:
            return is_closed_on(conn, business_date)

    try:
        return with_retries(check, f"end-of-day check for {business_date}", core_banking_url)
    finally:
        engine.dispose()
