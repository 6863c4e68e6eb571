"""Forms of the member pages, rendered with django-crispy-forms (Bootstrap 5)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Comment


class CommentForm(forms.ModelForm):
    """A board member's comment on the draft minutes: on one agenda item, or on the minutes as a whole."""

    class Meta:
        model = Comment
        fields = ["agenda_item", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "dir": "auto"})}

    def __init__(self, *args, agenda_items: "list[AgendaItem] | None" = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agenda_item"]
        field.queryset = AgendaItem.objects.filter(pk__in=[item.pk for item in agenda_items or []])
        field.empty_label = _("The minutes as a whole")
        field.required = False
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's <form> posts to the comment URL, with its own button
        self.helper.disable_csrf = True  # that <form> carries the token already
