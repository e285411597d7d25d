#!/usr/bin/env bash
# make demo: generate a demo bank (once per set of parameters), run the nightly DAG for the demo
# business date with `airflow dags test`, and print a summary and where the plans are.
# Safe to re-run: the bank is kept, every stage replaces its output for the date,
# and a plan already delivered is not delivered again.
set -euo pipefail
customers=$1 managers=$2 branches=$3 business_date=$4
bank="data/core_banking.db"
stamp="data/.seed-params"
params="customers=$customers managers=$managers branches=$branches as_of=$business_date seed=42"

start=$(date +%s)
if [ ! -f "$bank" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$params" ]; then
  echo "== Generating a synthetic bank: $params"
  customer-plans seed --customers "$customers" --managers "$managers" --branches "$branches" \
    --as-of "$business_date" --seed 42 --url "sqlite:///$PWD/$bank"
  echo "$params" > "$stamp"
else
  echo "== Reusing the synthetic bank in $bank ($params)"
fi

echo "== Running the nightly DAG for business date $business_date (log: .airflow/demo-run.log)"
# the run for business date D is the 01:30 run on D+1 in the bank's time zone
logical_date="$(date -d "$business_date + 1 day" +%Y-%m-%d)T01:30:00+08:00"
if ! airflow dags test nightly_customer_plans "$logical_date" \
      --conf "{\"business_date\": \"$business_date\"}" > .airflow/demo-run.log 2>&1; then
  tail -n 40 .airflow/demo-run.log
  echo "The nightly run failed: see .airflow/demo-run.log" >&2
  exit 1
fi
if ! grep -q "DagRun Finished: .*state=success" .airflow/demo-run.log; then
  grep -n "ERROR\|failed" .airflow/demo-run.log | tail -n 20
  echo "The nightly run failed: see .airflow/demo-run.log" >&2
  exit 1
fi
customer-plans summary --business-date "$business_date"
echo "== Done in $(( $(date +%s) - start )) s"
