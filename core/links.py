"""Paths to pages for the links every page repeats: the menu, a row's link to its lead or visit; and the paths of the
static files every page loads.

Django's reverse() walks the URL patterns on every call (about 70 µs here); Today alone made fifty of them. A path
depends only on the URL name, the ids in it and the site's script prefix, so each name is reversed once per process
and prefix, with a stand-in id that is then replaced by the real ones."""

from functools import lru_cache

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

# Never an id of anything here (ids are far smaller), and only digits, so every id converter accepts it.
_STAND_IN = 987654321987


@lru_cache(maxsize=512)
def _pieces(name: str, ids: int, prefix: str) -> tuple[str, ...]:
    path = reverse(name, args=[_STAND_IN + number for number in range(ids)])
    pieces = []
    for number in range(ids):
        before, found, path = path.partition(str(_STAND_IN + number))
        if not found:
            raise ValueError(f"the path of {name} does not hold its ids in order")
        pieces.append(before)
    return (*pieces, path)


def path_to(name: str, *ids: int) -> str:
    """The path of the page `name` (a URL name) for `ids`, as reverse(name, args=ids) gives it."""
    pieces = _pieces(name, len(ids), get_script_prefix())
    written = [pieces[0]]
    for number, rest in zip(ids, pieces[1:], strict=True):
        written.append(str(int(number)))
        written.append(rest)
    return "".join(written)


@lru_cache(maxsize=256)
def asset(path: str) -> str:
    """The URL of a static file, as `{% static %}` gives it. Production's manifest storage cleans and looks up the
    name on every call (about 30 us; six of them in every page's layout), and the answer only changes when the files
    are collected again, that is with a new process."""
    return staticfiles_storage.url(path)


@receiver(setting_changed)
def _forget_assets(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES"):
        asset.cache_clear()
