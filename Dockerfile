# Image for docker-compose.yml (web, worker, beat, simulator). Python 3.12, pinned packages.
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY package*.json ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; fi
COPY . .
# Static files are collected with production settings (DEBUG off), so the manifest of hashed
# names that production serves from is written; the values below exist for this step only.
RUN python manage.py compilemessages --ignore=node_modules -v 0 \
 && DEBUG=false SECRET_KEY=collectstatic-only EMAIL_URL=consolemail:// \
    FLUVIUS_BASE_URL=https://build.invalid FLUVIUS_TOKEN_URL=https://build.invalid \
    FLUVIUS_PORTAL_URL=https://build.invalid FLUVIUS_CLIENT_ID=build FLUVIUS_CLIENT_SECRET=build \
    FLUVIUS_SUBSCRIPTION_KEY=build FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER=build \
    python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app ilusmart && mkdir -p /app/var/exports && chown -R ilusmart /app
USER ilusmart
EXPOSE 8000
CMD ["gunicorn", "ilusmart.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
