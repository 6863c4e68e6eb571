from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.SessionArchive.as_view(), name="session_list"),
    path("sessions/<int:year>/<int:ordinal>/", views.SessionDetail.as_view(), name="session_detail"),
]
