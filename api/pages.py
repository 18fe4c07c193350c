"""The page where a person makes and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from api.models import ApiToken
from api.tokens import issue_token, revoke_token
from core.errors import DomainError


@login_required
def tokens(request):
    """List one's tokens; a new one is shown in this answer only (never stored in the session or a message)."""
    new_token = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                token = get_object_or_404(ApiToken, pk=request.POST.get("id", "0") or 0, user=request.user)
                revoke_token(actor=request.user, token=token)
                messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
                return redirect("api_tokens")
            _token, new_token = issue_token(actor=request.user, name=request.POST.get("name", ""))
        except DomainError as error:
            messages.error(request, error.message)
    context = {"tokens": ApiToken.objects.filter(user=request.user), "new_token": new_token}
    response = render(request, "api/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response
