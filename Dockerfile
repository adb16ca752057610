# 校安 campus safety platform: one image for every service's web app, worker and CLI.
#   docker build -t campus-safety .
# Web:     gunicorn --config python:deploy.gunicorn_conf --bind 0.0.0.0:5002 'services.hazards:create_app()'
# Console: gunicorn --config python:deploy.gunicorn_conf --bind 0.0.0.0:5000 'services.console:create_app()'
# Worker:  python -m services.hazards.worker
# CLI:     campus-safety migrate

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CAMPUS_ENV=production \
    CAMPUS_LOG_FORMAT=json \
    CAMPUS_VAR_DIR=/app/var
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && groupadd --system --gid 10001 campus \
    && useradd --system --uid 10001 --gid campus --home-dir /app --shell /usr/sbin/nologin campus
WORKDIR /app
# gunicorn loads `python:deploy.gunicorn_conf` from the working directory.
COPY deploy/__init__.py deploy/gunicorn_conf.py ./deploy/
# /app/var/files (CAMPUS_FILES_DIR, attachments) exists owned by campus, so that a named
# volume mounted there (docker-compose.yml) starts out writable by the apps.
RUN mkdir -p /app/var/files && chown -R campus:campus /app/var
USER campus:campus
EXPOSE 5000 5001 5002 5003 5004
CMD ["campus-safety", "--help"]
