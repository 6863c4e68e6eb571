from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Board secretariat")
admin.site.site_title = _("Board secretariat")
admin.site.index_title = _("Sessions, minutes and resolutions")

# Arabic at `/`, French at `/fr/`: the default language carries no prefix.
urlpatterns = i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("meetings.urls")),
    path("", include("decisions.urls")),
    prefix_default_language=False,
)
