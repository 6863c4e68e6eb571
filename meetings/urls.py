from django.contrib.auth import views as auth_views
from django.urls import path

from . import members, second_factor, views

app_name = "meetings"
urlpatterns = [
    path("", views.SessionArchive.as_view(), name="session_list"),
    path("sessions/<int:year>/<int:ordinal>/", views.SessionDetail.as_view(), name="session_detail"),
    path(
        "sessions/<int:year>/<int:ordinal>/minutes.pdf", views.session_minutes_pdf, name="session_minutes_pdf"
    ),
    path("minutes/<str:code>.pdf", views.minutes_version_pdf, name="minutes_version_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    # Board members
    path(
        "members/login/",
        auth_views.LoginView.as_view(
            template_name="meetings/members/login.html", redirect_authenticated_user=True
        ),
        name="member_login",
    ),
    path(
        "members/logout/",
        auth_views.LogoutView.as_view(next_page="meetings:session_list"),
        name="member_logout",
    ),
    path("account/second-factor/", second_factor.second_factor, name="second_factor"),
    path("members/", members.session_list, name="member_sessions"),
    path("members/sessions/<int:pk>/", members.session_detail, name="member_session"),
    path("members/sessions/<int:pk>/answer/", members.answer, name="member_answer"),
    path("members/sessions/<int:pk>/comment/", members.comment, name="member_comment"),
    path("members/sessions/<int:pk>/approve/", members.approve, name="member_approve"),
    path("members/documents/<int:pk>/", members.document, name="member_document"),
]
