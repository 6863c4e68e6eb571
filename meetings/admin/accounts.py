"""Accounts in the admin: the administrators' (superusers') alone. They create accounts and set their
sign-in address, and remove a lost second factor (the person enrols a new one at the next sign-in); they
never type another person's password (a new account's person chooses it through the link sent to its
sign-in address), never add a second factor, nor read its key: a second factor is enrolled by its person
only. Making staff the account of a member who approves is refused on the form, with its reason, and kept
in the duties' log."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from ..accounts import invitations
from ..models.duties import APPROVING_ROLES, check_standing


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        permissions = Permission.objects.filter(
            Q(pk__in=cleaned.get("user_permissions") or []) | Q(group__in=cleaned.get("groups") or [])
        )
        staff = bool(cleaned.get("is_staff") or cleaned.get("is_superuser"))
        try:
            check_standing(self.instance, staff=staff, permissions=permissions)
        except ValidationError as refusal:
            raise forms.ValidationError(refusal.messages) from refusal
        return cleaned


class GroupPermissionsForm(forms.ModelForm):
    """A group's permissions, asked of its accounts as the account's own form asks them: of one that
    approves, found in one query."""

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        approver = (
            self.instance.user_set.filter(member__memberships__role__in=APPROVING_ROLES).first()
            if self.instance.pk
            else None
        )
        if approver is not None:
            permissions = Permission.objects.filter(pk__in=cleaned.get("permissions") or [])
            try:
                check_standing(
                    approver, staff=approver.is_staff or approver.is_superuser, permissions=permissions
                )
            except ValidationError as refusal:
                raise forms.ValidationError(refusal.messages) from refusal
        return cleaned


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class PermissionGroupAdmin(AdministratorsOnly, GroupAdmin):
    form = GroupPermissionsForm


class NewAccountForm(forms.ModelForm):
    """A user name and the sign-in address, where the link to choose the password goes; no password."""

    class Meta:
        model = User
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class AccountAdmin(AdministratorsOnly, UserAdmin):
    form = StandingForm
    add_form = NewAccountForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email")}),)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            invitations.welcome(obj)  # the link to choose the password, at the sign-in address

    def user_change_password(self, request, id, form_url=""):
        if str(request.user.pk) != str(id):
            raise PermissionDenied(
                _(
                    "Nobody types another person's password: they choose it through «Forgotten your "
                    "password?», at their account's sign-in address."
                )
            )
        return super().user_change_password(request, id, form_url)


for model, model_admin in (
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
    (WebAuthnCredential, WebAuthnCredentialAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (RemovedOnly, model_admin), {}))
