from django import forms
from django.utils.translation import gettext_lazy as _

from hooks.models import ChatPlatform, ChatPurpose, HookEvent


class SubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Receiver address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=HookEvent.choices, widget=forms.CheckboxSelectMultiple
    )


class GroupChatForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Group"), choices=ChatPurpose.choices)
    platform = forms.ChoiceField(label=_("Platform"), choices=ChatPlatform.choices)
    url = forms.URLField(label=_("Bot webhook address"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        help_text=_("DingTalk 加签 or Lark 签名校验: the secret the platform showed when the bot was made."),
    )
    summary_time = forms.TimeField(
        label=_("Evening summary at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Managers' group only; the team's local time. Empty: no summary."),
    )
