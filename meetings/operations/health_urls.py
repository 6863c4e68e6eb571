"""The checks the load balancer and the monitoring ask, outside the languages' prefixes: /health/ (the
database, the storage and the cache answer: django-health-check) and /health/queue/ (the task queue is
being worked)."""

from django.urls import path
from health_check.views import HealthCheckView

from . import health

urlpatterns = [
    # 200 when the database answers, the file storage takes a file (the folder or the bucket) and the cache
    # keeps a value (this process's memory or the shared Redis), 500 otherwise.
    path(
        "",
        HealthCheckView.as_view(
            checks=[
                "health_check.checks.Database",
                "health_check.checks.Storage",
                "health_check.checks.Cache",
            ]
        ),
        name="health",
    ),
    path("queue/", health.queue_health, name="queue_health"),
]
