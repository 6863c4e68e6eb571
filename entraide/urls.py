from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Board secretariat")
admin.site.site_title = _("Board secretariat")
admin.site.index_title = _("Sessions, minutes and resolutions")

# Arabic at `/`, French at `/fr/`: the default language carries no prefix.
urlpatterns = [path("health/", include("meetings.operations.health_urls"))] + i18n_patterns(
    # The admin's login offers «forgotten your password?» when this name exists: the same page as members'.
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="meetings:password_reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
    # The passkey's ceremonies (django-otp-webauthn), in the language of the page that starts them.
    path("account/passkey/", include("meetings.accounts.passkey_urls")),
    path("", include("meetings.pages.urls")),
    path("", include("decisions.urls")),
    prefix_default_language=False,
)

handler500 = "meetings.pages.errors.server_error"
