"""Health checks of the services the portal depends on."""

import redis
from django.conf import settings
from django.db import connection


def health_report() -> dict:
    """Check the database and the Celery broker; return {"ok": bool, "checks": {name: text}}."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure is the answer here, not an error of ours
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {exc.__class__.__name__}"
    return {"ok": all(v == "ok" for v in checks.values()), "checks": checks}
