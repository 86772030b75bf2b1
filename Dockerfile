# syntax=docker/dockerfile:1
# Inkwell API image: dependencies built in one stage, a slim non-root runtime in the next.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin inkwell
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=inkwell:inkwell . .
# collectstatic needs settings but no real secrets: throwaway values for the build only.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-xyz123 \
    JWT_SIGNING_KEY=build-only-jwt-key-not-a-secret-build-only-jwt-key-9876 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput --verbosity 0
USER inkwell
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4"]
