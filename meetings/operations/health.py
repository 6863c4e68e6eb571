"""The task queue's health, for the monitoring (/health/queue/); the rest of /health/ is
django-health-check's (meetings.operations.health_urls)."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from ..convocation.delivery import longest_wait, stalled


def queue_health(request: HttpRequest) -> JsonResponse:
    """For the monitoring (plain HTTP, no sign-in, like /health/): how many tasks are ready and how long
    the oldest has waited; 503 once that passes QUEUE_WAIT_ALERT_MINUTES, when no worker takes them."""
    count, wait = longest_wait()
    facts = {
        "ready": count,
        "longest_wait_seconds": round(wait.total_seconds()),
        "alert_after_seconds": settings.QUEUE_WAIT_ALERT_MINUTES * 60,
    }
    return JsonResponse(facts, status=503 if stalled(wait) else 200)
