"""Markup written once and filled many times: a template rendered with a marker in place of each value that changes
(a hole), then split at the markers, so that filling it is a join. For markup Django would otherwise render node by
node on every page or every row though only a few values in it change (the frame around every page, a list's rows).

A stencil's template prints each hole as it is, with no filter (a filter would work on the marker, not the value),
and is rendered with nobody's data: only the holes differ from one use to the next. Its markup still depends on the
active language and script prefix (`{% translate %}`, `{% link %}`) and on the context it is rendered with (a kind
of row, a role's menu): `stencil()` keeps one per process for each of them."""

import html
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# A marker is a name between two characters of Unicode's private use area: no translation, markup or escaping makes
# or changes them. Values are put in after the split, so a value holding such characters cannot make a hole.
_MARKER = re.compile("\ue000(\\w+)\ue001")


class Stencil:
    def __init__(self, template_name: str, context: Mapping, holes: Iterable[str]):
        markers = {name: mark_safe(f"\ue000{name}\ue001") for name in holes}
        self.pieces = tuple(_MARKER.split(render_to_string(template_name, {**context, **markers})))

    def fill(self, **values) -> SafeString:
        """The markup with each hole's value: text is escaped, safe markup (a badge, a token input) put in as it is."""
        filled = {name: _escaped(value) for name, value in values.items()}
        # The split alternates: text, hole name, text, ..., text.
        return mark_safe("".join(filled[piece] if index & 1 else piece for index, piece in enumerate(self.pieces)))


def _escaped(value) -> str:
    # What conditional_escape() gives (html.escape of the text, or the markup of a safe value), without the lazy
    # wrapper around Django's escape(), which checked every argument for a lazy string: a Today with 30 visits
    # fills 150 holes.
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def stencil(template_name: str, holes: tuple[str, ...], **variant) -> Stencil:
    """The stencil of `template_name` rendered with `variant` as its context (what differs between kinds of rows or
    menus, never anyone's data) in the active language and script prefix, written once per process."""
    return _written(template_name, holes, tuple(variant.items()), get_language(), get_script_prefix())


@lru_cache(maxsize=1024)
def _written(template_name: str, holes: tuple, variant: tuple, language: str, prefix: str) -> Stencil:
    return Stencil(template_name, dict(variant), holes)
