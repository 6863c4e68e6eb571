from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("resolutions/", views.register, name="register"),
    path(
        "resolutions/<int:year>/<int:ordinal>/<int:sequence>/",
        views.resolution_detail,
        name="resolution_detail",
    ),
    path("search/", views.search, name="search"),
    path("resolutions.csv", views.resolutions_csv, name="resolutions_csv"),
    path("resolutions.json", views.resolutions_json, name="resolutions_json"),
    path("resolutions.schema.json", views.resolutions_schema, name="resolutions_schema"),
    path("resolutions.popolo.json", views.popolo_json, name="popolo_json"),
    path("popolo.schema.json", views.popolo_schema, name="popolo_schema"),
    path("sessions.ics", views.sessions_ics, name="sessions_ics"),
]
