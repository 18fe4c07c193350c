"""A manager's uploaded lead files, kept between their preview and their commit (a module of its own, as the import
is a family of its own: leads.imports reads the files, leads.services.transfer checks and commits them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class LeadImportManager(models.Manager):
    """Imports without their file: the preview page, its progress bar (polled every second) and each batch of an
    import read the status, never the up to 20 MB of text, which the check and the commit read once each."""

    def get_queryset(self):
        return super().get_queryset().defer("content")


class LeadImport(ChoiceLabels):
    """An uploaded CSV, kept between its preview and its commit so the manager commits exactly what they saw.

    Large files are checked and committed by the worker, never inside a web request; `status` says how far it got.
    """

    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=20)
    content = models.TextField()
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    added_count = models.PositiveIntegerField(_("leads added"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # How many rows the check or the import has been through so far: the page's progress bar.
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    # What the check found: counts, and the first rows of each kind, for the preview page.
    summary = models.JSONField(_("check"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=255, blank=True)

    objects = LeadImportManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")

    def __str__(self):
        return self.file_name

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent_done(self) -> int:
        return min(100, self.rows_done * 100 // self.row_count) if self.row_count else 0
