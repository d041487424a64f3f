# syntax=docker/dockerfile:1
# One image for every AOS process: the web app (gunicorn, the default command), the worker
# (`python worker.py`), the migrate step (`flask --app webapp init-db`) and, under the compose
# `dev` profile only, the VIES stand-in. See README "Deploy".

# --- build: a virtual environment with the app and its dependencies -------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY core ./core
COPY workflows ./workflows
COPY activities ./activities
COPY webapp ./webapp
COPY vies ./vies
COPY payments ./payments
COPY invoicing ./invoicing
COPY nav ./nav
COPY workerapp ./workerapp
COPY devtools ./devtools
COPY migrations ./migrations
# The catalogues are compiled before the package is built, so the .mo files go with it.
RUN pip install "babel>=2.12" \
    && pybabel compile --use-fuzzy -d webapp/translations \
    && pip install . \
    && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

# --- runtime: the environment, the entry points, a user without privileges -------------------
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    AOS_ENV=production \
    PORT=8000
# WeasyPrint's libraries and the invoices' font (ő, ű): the invoice PDFs (README "Invoices").
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 aos \
    && useradd --system --uid 10001 --gid aos --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin aos
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gunicorn.conf.py worker.py ./
USER aos:aos
# 8000: the web app; 9464: the worker's Prometheus metrics (WORKER_METRICS_ADDRESS).
EXPOSE 8000 9464
STOPSIGNAL SIGTERM
CMD ["gunicorn", "--config", "/app/gunicorn.conf.py"]
