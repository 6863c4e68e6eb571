from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from ..accounts import invitations, second_factor
from . import answer_link, members, public

app_name = "meetings"
urlpatterns = [
    path("", public.SessionArchive.as_view(), name="session_list"),
    path("sessions/<int:year>/<int:ordinal>/", public.SessionDetail.as_view(), name="session_detail"),
    path(
        "sessions/<int:year>/<int:ordinal>/minutes.pdf",
        public.session_minutes_pdf,
        name="session_minutes_pdf",
    ),
    path("minutes/<str:code>.pdf", public.minutes_version_pdf, name="minutes_version_pdf"),
    path("minutes/<str:code>/<str:sha256>.pdf", public.minutes_file_pdf, name="minutes_file_pdf"),
    path("verify/", public.verify, name="verify"),
    path("verify/<str:code>/", public.verify_code, name="verify_code"),
    # A convened member's answer by the personal link of their convocation, without an account.
    path("answer/<str:token>/", answer_link.answer_by_link, name="answer_by_link"),
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
    # Choosing one's own password: after an invitation, or when forgotten (meetings.accounts.invitations).
    path(
        "account/password/",
        auth_views.PasswordResetView.as_view(
            form_class=invitations.QueuedPasswordResetForm,
            template_name="meetings/account/password_reset.html",
            extra_context={"heading": _("Choosing a new password")},
            success_url=reverse_lazy("meetings:password_reset_sent"),
        ),
        name="password_reset",
    ),
    path(
        "account/password/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="meetings/account/password_reset_sent.html",
            extra_context={"heading": _("Choosing a new password")},
        ),
        name="password_reset_sent",
    ),
    path(
        "account/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=invitations.LoggedSetPasswordForm,
            template_name="meetings/account/password_choose.html",
            extra_context={"heading": _("Choose your password")},
            success_url=reverse_lazy("meetings:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/password/chosen/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="meetings/account/password_chosen.html",
            extra_context={"heading": _("Your password is saved")},
        ),
        name="password_reset_complete",
    ),
    path("members/", members.session_list, name="member_sessions"),
    path("members/sessions/<int:pk>/", members.session_detail, name="member_session"),
    path("members/sessions/<int:pk>/answer/", members.answer, name="member_answer"),
    path("members/sessions/<int:pk>/comment/", members.comment, name="member_comment"),
    path("members/sessions/<int:pk>/approve/", members.approve, name="member_approve"),
    path("members/sessions/<int:pk>/written-answer/", members.written_answer, name="member_written_answer"),
    path("members/sessions/<int:pk>/board-pack.pdf", members.board_pack, name="member_board_pack"),
    path("members/documents/<int:pk>/", members.document, name="member_document"),
]
