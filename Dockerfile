# fmg-bot in a container: `docker compose up -d` (see README "Deployment").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
# `fmg-bot sandbox` (and the CLI's parser, which describes it) come from localdiscord.
COPY localdiscord ./localdiscord
COPY data/resources.yaml ./data/resources.yaml
COPY data/match_cycle.yaml ./data/match_cycle.yaml
COPY data/programs-sample.csv ./data/programs-sample.csv
# Editable: the code stays in /app beside data/, so defaults that name project files (the
# resource catalog) hold even when .env leaves them blank.
# pg_dump, for the daily backups when DATABASE_URL names a PostgreSQL server.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-compile -e . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin fmgbot \
    && mkdir -p /data \
    && chown fmgbot:fmgbot /data

# The database, its lock file and the daily backups (/data/backups) live on this volume.
ENV DATABASE_PATH=/data/fmg-bot.sqlite3
# The shipped catalog stays in the image (it is not package data).
ENV RESOURCES_CATALOG=/app/data/resources.yaml
VOLUME ["/data"]
WORKDIR /data
USER fmgbot

# Healthy = the bot holds the database lock, the database passes its integrity check and its
# schema matches this image. No network: Discord is not contacted.
HEALTHCHECK --interval=5m --timeout=60s --start-period=2m --retries=2 \
    CMD ["fmg-bot", "doctor", "--offline", "--expect-running"]

# SIGTERM (docker stop) closes the scheduler and the database cleanly.
STOPSIGNAL SIGTERM
CMD ["fmg-bot", "run"]
