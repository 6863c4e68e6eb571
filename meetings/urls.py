from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.SessionArchive.as_view(), name="session_list"),
    path("sessions/<int:year>/<int:ordinal>/", views.SessionDetail.as_view(), name="session_detail"),
    path(
        "sessions/<int:year>/<int:ordinal>/minutes.pdf", views.session_minutes_pdf, name="session_minutes_pdf"
    ),
]
