# The image every Airflow component runs in docker-compose.yaml: the project, its locked
# dependencies (with the CeleryExecutor extra), and the system packages the plans need.
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    AIRFLOW_HOME=/opt/airflow \
    PATH=/opt/customer-plans/.venv/bin:$PATH
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends fonts-noto-cjk fontconfig poppler-utils \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libpq5 postgresql-client curl \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 50000 airflow

WORKDIR /opt/customer-plans
COPY pyproject.toml uv.lock README.md ./
COPY include ./include
RUN uv sync --frozen --no-dev --extra celery
# the print font (a GB2312 subset of the system's Noto Sans CJK SC, customer_plans.render.fonts)
RUN python -m customer_plans.render.fonts
# the compiled message catalogues (include/locale/<language>/LC_MESSAGES/messages.mo)
RUN pybabel compile -D messages -d include/locale
COPY dags ./dags
COPY plugins ./plugins
RUN mkdir -p /opt/airflow /opt/customer-plans/output && chown -R airflow /opt/airflow /opt/customer-plans/output
USER airflow
