"""Accounts in the admin: the administrators' (superusers') alone. They create accounts and set their
sign-in address, and remove a lost second factor (the person enrols a new one at the next sign-in); they
never add one, nor read its key: a second factor is enrolled by its person only. Making staff the account
of a member who approves is refused on the form, with its reason, and kept in the duties' log."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from ..models.duties import check_standing


class AdministratorsOnly:
    """Seen and changed by superusers only, whatever permissions a staff account was given."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class RemovedOnly(AdministratorsOnly):
    """A second factor: listed, and removed when lost; never added nor changed by someone else."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StandingForm(UserChangeForm):
    """Django's, asking the duties' rule before the save (a refusal is the form's error, and logged)."""

    def clean(self):
        cleaned = super().clean()
        granted = Permission.objects.filter(group__in=cleaned.get("groups") or []).select_related(
            "content_type"
        )
        staff = bool(cleaned.get("is_staff") or cleaned.get("is_superuser"))
        try:
            check_standing(
                self.instance, staff=staff, permissions=[*cleaned.get("user_permissions", []), *granted]
            )
        except ValidationError as refusal:
            raise forms.ValidationError(refusal.messages) from refusal
        return cleaned


class GroupPermissionsForm(forms.ModelForm):
    """A group's permissions, asked of each of its accounts as the account's own form asks them."""

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean(self):
        cleaned = super().clean()
        permissions = list(cleaned.get("permissions") or [])
        members = self.instance.user_set.all() if self.instance.pk else []
        try:
            for user in members:
                check_standing(user, staff=user.is_staff or user.is_superuser, permissions=permissions)
        except ValidationError as refusal:
            raise forms.ValidationError(refusal.messages) from refusal
        return cleaned


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class PermissionGroupAdmin(AdministratorsOnly, GroupAdmin):
    form = GroupPermissionsForm


@admin.register(User)
class AccountAdmin(AdministratorsOnly, UserAdmin):
    form = StandingForm
    # The sign-in address from the start: a forgotten password's link goes there, and nowhere else.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )


for model, model_admin in (
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
    (WebAuthnCredential, WebAuthnCredentialAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (RemovedOnly, model_admin), {}))
