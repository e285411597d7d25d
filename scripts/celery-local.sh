#!/usr/bin/env bash
# The docker-compose.yaml deployment without Docker: Airflow's CeleryExecutor with PostgreSQL
# (metadata and Celery results) and Redis (broker), every component a plain process on this
# machine: api-server, scheduler, dag-processor, triggerer and one Celery worker.
#
#   scripts/celery-local.sh start        start the components (logs: .airflow-celery/logs/)
#   scripts/celery-local.sh run [DATE]   trigger the nightly DAG for business date DATE
#                                        (default 2026-11-19) and wait for it to finish
#   scripts/celery-local.sh runs         list the nightly DAG's runs and their states
#   scripts/celery-local.sh stop         stop the components
#
# PostgreSQL and Redis must be running: CELERY_DB_URL (default
# postgresql+psycopg2://postgres@127.0.0.1:5432/airflow_celery; the database is created
# when missing) and CELERY_BROKER_URL (default redis://127.0.0.1:6379/0). The bank and plans
# databases are the ones `make demo` uses (CUSTOMER_PLANS_HOME moves them). Other settings:
# CELERY_HOME (the Airflow home, default .airflow-celery), CELERY_API_PORT (8081),
# CELERY_WORKER_LOG_PORT (8793), CELERY_TRIGGER_LOG_PORT (8794), CELERY_WORKER_CONCURRENCY (2),
# CELERY_RUN_TIMEOUT (3600 s). `make celery-start` installs the celery extra first.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/.venv/bin
HOME_DIR=${CELERY_HOME:-$ROOT/.airflow-celery}
LOGS=$HOME_DIR/logs
PORT=${CELERY_API_PORT:-8081}
DB_URL=${CELERY_DB_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/airflow_celery}
BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
COMPONENTS=(api-server scheduler dag-processor triggerer "celery worker")

environment() {
  eval "$("$BIN/python" -m customer_plans.devenv)"
  mkdir -p "$LOGS"
  # one secret shared by every component (tokens the api-server gives the workers' tasks)
  [ -s "$HOME_DIR/jwt_secret" ] || "$BIN/python" -c "import secrets; print(secrets.token_hex(32))" > "$HOME_DIR/jwt_secret"
  chmod 600 "$HOME_DIR/jwt_secret"
  export AIRFLOW_HOME=$HOME_DIR
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$DB_URL
  export AIRFLOW__CELERY__BROKER_URL=$BROKER_URL
  export AIRFLOW__CELERY__RESULT_BACKEND="db+${DB_URL/+psycopg2/}"
  export AIRFLOW__CELERY__WORKER_CONCURRENCY=${CELERY_WORKER_CONCURRENCY:-2}
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$PORT/execution/
  export AIRFLOW__API__PORT=$PORT
  export AIRFLOW__API__HOST=127.0.0.1
  export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=${CELERY_WORKER_LOG_PORT:-8793}
  export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=${CELERY_TRIGGER_LOG_PORT:-8794}
  AIRFLOW__API_AUTH__JWT_SECRET=$(cat "$HOME_DIR/jwt_secret")
  export AIRFLOW__API_AUTH__JWT_SECRET
}

create_database() {
  "$BIN/python" - "$DB_URL" <<'PY'
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with server.connect() as conn:
    if not conn.execute(text("select 1 from pg_database where datname = :d"), {"d": url.database}).first():
        conn.execute(text(f'create database "{url.database}"'))
        print(f"created database {url.database}")
PY
}

start() {
  environment
  "$BIN/python" -c "import airflow.providers.celery, redis" 2>/dev/null \
    || { echo "the celery extra is not installed: use make celery-start" >&2; exit 1; }
  create_database
  "$BIN/airflow" db migrate > "$LOGS/migrate.log" 2>&1
  "$BIN/airflow" pools set core_banking 4 "concurrent queries on the core banking system" > /dev/null
  for component in "${COMPONENTS[@]}"; do
    name=${component// /-}
    if [ -f "$HOME_DIR/$name.pid" ] && kill -0 "$(cat "$HOME_DIR/$name.pid")" 2>/dev/null; then
      echo "$component already running"; continue
    fi
    # its own session (process group), so that stop ends the component and its children
    # shellcheck disable=SC2086  # "celery worker" is two words on purpose
    setsid nohup "$BIN/airflow" $component > "$LOGS/$name.log" 2>&1 < /dev/null &
    echo $! > "$HOME_DIR/$name.pid"
    echo "started $component (pid $!, log $LOGS/$name.log)"
  done
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$PORT/api/v2/monitor/health" > /dev/null 2>&1 && break
    sleep 2
  done
  curl -fsS "http://127.0.0.1:$PORT/api/v2/monitor/health" && echo
}

run() {
  environment
  local business_date=${1:-2026-11-19}
  for _ in $(seq 1 60); do
    "$BIN/airflow" dags details nightly_customer_plans > /dev/null 2>&1 && break
    sleep 2
  done
  "$BIN/airflow" dags unpause nightly_customer_plans > /dev/null
  local run_id="celery-local__${business_date}__$(date +%s)"
  "$BIN/airflow" dags trigger nightly_customer_plans --run-id "$run_id" \
    --conf "{\"business_date\": \"$business_date\"}" > /dev/null
  echo "triggered $run_id"
  local started=$SECONDS state=""
  while :; do
    state=$("$BIN/airflow" dags list-runs nightly_customer_plans -o plain 2>/dev/null \
      | awk -v id="$run_id" '$0 ~ id {for (i = 1; i <= NF; i++) if ($i ~ /^(queued|running|success|failed)$/) print $i}' | head -1)
    case "$state" in
      success|failed) break ;;
    esac
    if [ $((SECONDS - started)) -gt "${CELERY_RUN_TIMEOUT:-3600}" ]; then
      echo "run $run_id still ${state:-not started} after ${CELERY_RUN_TIMEOUT:-3600} s; logs in $LOGS" >&2
      return 1
    fi
    sleep 10
  done
  echo "run $run_id: $state in $((SECONDS - started)) s"
  [ "$state" = success ]
}

runs() {
  environment
  "$BIN/airflow" dags list-runs nightly_customer_plans -o plain
}

stop() {
  local groups=()
  for component in "${COMPONENTS[@]}"; do
    name=${component// /-}
    if [ -f "$HOME_DIR/$name.pid" ]; then
      pgid=$(cat "$HOME_DIR/$name.pid")
      kill -TERM -- "-$pgid" 2>/dev/null && echo "stopping $component" && groups+=("$pgid")
      rm -f "$HOME_DIR/$name.pid"
    fi
  done
  # components shut down gracefully (the triggerer takes a few seconds); after 30 s, kill
  for _ in $(seq 1 30); do
    alive=0
    for pgid in "${groups[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 1
  done
  for pgid in "${groups[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
  echo "stopped"
}

case "${1:-}" in
  start) start ;;
  run) shift; run "$@" ;;
  runs) runs ;;
  stop) stop ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
