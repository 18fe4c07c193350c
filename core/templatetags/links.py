from django import template

from core.links import asset as asset_url
from core.links import path_to

register = template.Library()


@register.simple_tag
def link(name, *ids):
    """`{% link "leads:detail" lead.pk %}`: what `{% url %}` gives, for the links a page repeats (see core.links)."""
    return path_to(name, *ids)


@register.simple_tag
def asset(path):
    """`{% asset "css/crm.css" %}`: what `{% static %}` gives, looked up once per process (see core.links.asset)."""
    return asset_url(path)
