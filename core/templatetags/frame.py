from django import template

from core.frame import frame as frame_for

register = template.Library()


@register.simple_tag(takes_context=True)
def frame(context):
    """`{% frame %}`: the menu bar and the language switch around a page (see core.frame)."""
    request = context.get("request")
    if request is None:
        return ""
    return frame_for(
        request,
        csrf_token=str(context["csrf_token"]),
        current=context.get("menu_page"),
        unread=context.get("unread_notifications", 0),
    )
