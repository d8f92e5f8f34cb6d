from celery import shared_task


@shared_task(name="ilusmart.ping")
def ping(value: str) -> str:
    """Answer `pong:<value>`; used by the health check and the worker test."""
    return f"pong:{value}"
