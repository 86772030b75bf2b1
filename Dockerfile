# syntax=docker/dockerfile:1
# Inkwell API image. Stage 1 builds the virtualenv; stage 2 is a slim runtime
# with no compilers or caches, running as a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
COPY requirements.txt .
# Every file is checked against the lock's hashes; pip refuses anything else.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements.txt

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="inkwell" \
      org.opencontainers.image.description="Inkwell publishing API"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/inkwell-prometheus \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 inkwell \
    && useradd --system --uid 10001 --gid inkwell --home-dir /app --shell /usr/sbin/nologin inkwell
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=inkwell:inkwell . .
# Static files are collected at build time. Production settings refuse to load
# without secrets, so the build passes throwaway values that exist only in
# this layer's environment, never in the image's.
RUN DJANGO_SECRET_KEY=build-only-5f1c9a7e2b8d4c6f0a3e9b7d1c5f8a2e6b0d4c9f7a1e3b5d \
    JWT_SIGNING_KEY=build-only-9e2d7c4b1a8f5e3d0c6b9a2f7e4d1c8b5a0f3e6d9c2b7a4f \
    METRICS_TOKEN=build-only-metrics-token-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DJANGO_ALLOW_LOCAL_CACHE=true \
    python manage.py collectstatic --noinput --verbosity 0
USER 10001:10001
EXPOSE 8000
# /healthz does no I/O. The request's Host is "localhost", so production's
# DJANGO_ALLOWED_HOSTS must include localhost for the check to pass.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://localhost:8000/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["scripts/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application"]
