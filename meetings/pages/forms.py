"""Forms of the member pages, rendered with django-crispy-forms (Bootstrap 5)."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..accounts.second_factor import CodeForm
from ..models import AgendaItem, Answer, Comment, Member


class CommentForm(forms.ModelForm):
    """A board member's comment on the draft minutes: on one agenda item, or on the minutes as a whole."""

    class Meta:
        model = Comment
        fields = ["agenda_item", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "dir": "auto"})}

    def __init__(
        self,
        *args: Any,
        agenda_items: "list[AgendaItem] | None" = None,
        on_item: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`on_item`: the item whose «comment» link the member followed (`?item=<pk>`, a page without
        JavaScript), chosen in advance when it is one of this agenda's; anything else is ignored."""
        super().__init__(*args, **kwargs)
        field = self.fields["agenda_item"]
        assert isinstance(field, forms.ModelChoiceField)  # the agenda item's foreign key
        field.queryset = AgendaItem.objects.filter(pk__in=[item.pk for item in agenda_items or []])
        chosen = next((item for item in agenda_items or [] if str(item.pk) == on_item), None)
        if chosen is not None and not self.is_bound:
            self.initial["agenda_item"] = chosen.pk
        field.empty_label = _("The minutes as a whole")
        field.required = False
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's <form> posts to the comment URL, with its own button
        self.helper.disable_csrf = True  # that <form> carries the token already


class AnswerForm(forms.Form):
    """A member's answer to the convocation; the proxy is chosen among the members who may take it."""

    choice = forms.ChoiceField(
        label=_("Your answer"), choices=Answer.Choice.choices, widget=forms.RadioSelect
    )
    proxy = forms.ModelChoiceField(
        label=_("Proxy given to"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— choose a voting member —"),
        error_messages={
            "invalid_choice": _(
                "This member cannot hold your proxy: they have no vote, will not attend, or already hold "
                "the proxies the board allows."
            )
        },
    )

    interests = forms.ModelMultipleChoiceField(
        label=_("I declare an interest in these items, and will stand aside from them"),
        queryset=AgendaItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "As the code of good governance asks: you will not be counted for their quorum and will not "
            "vote on their resolutions, nor with the proxies you hold."
        ),
    )
    interest_reason = forms.CharField(
        label=_("Nature of the interest (optional)"), max_length=300, required=False
    )

    def __init__(
        self, *args: Any, candidates: "list[Member]", agenda: "list[AgendaItem] | None" = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        proxy = self.fields["proxy"]
        assert isinstance(proxy, forms.ModelChoiceField)  # declared above
        proxy.queryset = Member.objects.filter(pk__in=[member.pk for member in candidates])
        interests = self.fields["interests"]
        assert isinstance(interests, forms.ModelMultipleChoiceField)  # declared above
        interests.queryset = AgendaItem.objects.filter(pk__in=[item.pk for item in agenda or []])
        if not agenda:
            del self.fields["interests"], self.fields["interest_reason"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("choice") == Answer.Choice.PROXY and not data.get("proxy"):
            self.add_error("proxy", _("Choose the member who holds your proxy."))
        return data


class ApprovalForm(CodeForm):
    """An approval's confirmation: the record read, and the second factor given for it (a code of the
    authenticator app; or empty, after the passkey's button: meetings.accounts.second_factor.step_up)."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Confirm first that you have read the whole record you approve.")}
    )

    # The PIN of the person's credential at the signing service (meetings.seal.personal): passed through to
    # the service once, never kept, never shown again (PasswordInput renders no value back).
    pin = forms.CharField(
        label=_("PIN of your signature at the signing service"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"}),
        error_messages={"required": _("Type the PIN of your signature at the signing service.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].label = _("Code of your authenticator app")
