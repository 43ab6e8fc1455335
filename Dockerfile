# Production image: Debian bookworm with the system packages WeasyPrint needs for Chinese PDFs
# (Noto CJK fonts; libharfbuzz-subset0 so font subsetting does not fall back to slow fontTools), and the PostgreSQL 15
# client (pg_dump, pg_restore: manage.py backup / restore; bookworm's is 15, the server's major version).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false DEMO_MODE=false

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0

# The folders named volumes mount on (media, beat schedule, backups) exist and belong to the app's user, so a new
# volume starts writable by it.
RUN useradd --system --home /app greenfactory \
 && mkdir -p /app/var/media /app/var/beat /app/var/backups && chown -R greenfactory /app/var
# The commit a backup's manifest names: docker compose build --build-arg GIT_COMMIT=$(git rev-parse HEAD)
ARG GIT_COMMIT=""
ENV GIT_COMMIT=${GIT_COMMIT}
USER greenfactory
EXPOSE 8000
CMD ["gunicorn", "greenfactory.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
