"""The integrations page of a team: its webhooks, its group chats and the messages sent lately."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import chosen_team, managed_teams, manager_required
from core.errors import DomainError
from hooks import services
from hooks.forms import GroupChatForm, SubscriptionForm
from hooks.models import Delivery, GroupChat, Subscription

SHOWN_DELIVERIES = 30


def _page(team) -> str:
    return f"{reverse('hooks:integrations')}?team={team.pk}"


@manager_required
def integrations(request):
    teams = list(managed_teams(request.user))
    team = chosen_team(request, teams)
    subscription_form = SubscriptionForm(request.POST if request.POST.get("action") == "subscribe" else None)
    chat_form = GroupChatForm(request.POST if request.POST.get("action") == "chat" else None)
    if request.method == "POST":
        try:
            done = _act(request, team, subscription_form, chat_form)
        except DomainError as error:
            messages.error(request, error.message)
            done = None
        if done:
            messages.success(request, done)
            return redirect(_page(team))
    context = {
        "team": team,
        "teams": teams,
        "subscription_form": subscription_form,
        "chat_form": chat_form,
        "subscriptions": Subscription.objects.filter(team=team),
        "chats": GroupChat.objects.filter(team=team).order_by("purpose"),
        "deliveries": Delivery.objects.filter(team=team).select_related("subscription", "chat")[:SHOWN_DELIVERIES],
    }
    return render(request, "hooks/integrations.html", context)


def _act(request, team, subscription_form, chat_form) -> str | None:
    """Do what the posted button asks; return what to tell the manager, or None to show the forms' errors."""
    action = request.POST.get("action")
    actor = request.user
    if action == "subscribe":
        if not subscription_form.is_valid():
            return None
        data = subscription_form.cleaned_data
        services.subscribe(actor=actor, team=team, url=data["url"], events=data["events"])
        return _("Webhook added. Its signing secret is shown below.")
    if action == "chat":
        if not chat_form.is_valid():
            return None
        services.set_group_chat(actor=actor, team=team, **chat_form.cleaned_data)
        return _("Group chat saved.")
    target = request.POST.get("id", "")
    if not target.isdigit():
        raise DomainError(_("Choose what to act on."))
    if action in ("remove", "resume", "renew"):
        subscription = get_object_or_404(Subscription, pk=target, team=team)
        if action == "remove":
            services.remove_subscription(actor=actor, subscription=subscription)
            return _("Webhook removed.")
        if action == "resume":
            services.resume_subscription(actor=actor, subscription=subscription)
            return _("Webhook resumed; its waiting messages go out now.")
        services.renew_secret(actor=actor, subscription=subscription)
        return _("New signing secret made; the old one no longer signs.")
    if action in ("chat_remove", "chat_test"):
        chat = get_object_or_404(GroupChat, pk=target, team=team)
        if action == "chat_remove":
            services.remove_group_chat(actor=actor, chat=chat)
            return _("Group chat removed.")
        services.send_test_message(actor=actor, chat=chat)
        return _("Test message queued; it arrives within a minute.")
    if action == "retry":
        delivery = get_object_or_404(Delivery, pk=target, team=team)
        services.retry_delivery(actor=actor, delivery=delivery)
        return _("The message will be sent again now.")
    raise DomainError(_("Choose what to act on."))
