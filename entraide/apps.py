from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, on the project's site (`entraide.admin_site.AdminSite`)."""

    default_site = "entraide.admin_site.AdminSite"
