"""How each request finds its signed-in user."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import BigIntegerField

from core.models import first_membership_of
from core.statements import Slot, Statement

# Read on every request: compiled once.
_MEMBERSHIP_WITH_USER = Statement(
    lambda: first_membership_of(Slot("user", BigIntegerField())).select_related("user")[:1]
)


class MemberBackend(ModelBackend):
    """Django's model backend, reading the user of each request together with their first membership, its team and
    the team's rules in one query: every page needs the role, the team and its time zone, and a query for the user
    followed by one for the membership was a fifth of a bare page's time."""

    def get_user(self, user_id):
        membership = _MEMBERSHIP_WITH_USER.first(user=user_id)
        if membership is None:  # an administrator without a team
            return super().get_user(user_id)
        user = membership.user
        user.first_membership = membership  # what the cached property would read again
        return user if self.user_can_authenticate(user) else None
