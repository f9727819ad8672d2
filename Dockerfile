# syntax=docker/dockerfile:1
# Two stages: the builder installs the dependencies into a virtualenv, compiles the translations, collects the
# static files and byte-compiles the code; the runtime image gets only those results, and runs as a non-root user.

FROM python:3.11-slim AS builder
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# fonts-noto-cjk: the Traditional Chinese font embedded in the PDFs (only its two sans faces reach the runtime image).
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Build-time values only: nothing here connects to a database or a broker.
RUN export DJANGO_SETTINGS_MODULE=crm.settings.production SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
 && python scripts/compile_messages.py \
 && python manage.py collectstatic --noinput -v 0 \
 && python -m compileall -q crm core accounts customers sales commission reports reminders workspace documents

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=crm.settings.production CELERY_BEAT_HEARTBEAT_FILE=/tmp/crm-beat.alive
RUN groupadd --system --gid 10001 crm \
 && useradd --system --uid 10001 --gid crm --home-dir /app --no-create-home --shell /usr/sbin/nologin crm
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc /usr/share/fonts/opentype/noto/
# The code and the static files belong to root and are read-only for the app; only var/media is writable.
COPY --from=builder /app /app
WORKDIR /app
RUN mkdir -p /app/var/media && chown crm:crm /app/var/media
USER crm:crm
EXPOSE 8000
# Settings in gunicorn.conf.py, from the environment (WEB_CONCURRENCY, GUNICORN_TIMEOUT, …).
CMD ["gunicorn", "crm.wsgi"]
