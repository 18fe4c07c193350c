from celery import shared_task

from core.errors import DomainError
from core.models import User
from leads.models import LeadImport
from leads.services import transfer


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_import_task(lead_import_id):
    lead_import = LeadImport.objects.filter(pk=lead_import_id).first()
    if lead_import is not None:
        transfer.check_import(lead_import=lead_import)


# Acknowledged only once done: an import cut short by a worker restart is delivered again and carries on from the
# last batch it committed (commit_import resumes, and never adds a row twice).
@shared_task(acks_late=True, reject_on_worker_lost=True)
def commit_import_task(lead_import_id, actor_id):
    lead_import = LeadImport.objects.select_related("team").filter(pk=lead_import_id).first()
    if lead_import is None:
        return
    try:
        transfer.commit_import(actor=User.objects.get(pk=actor_id), lead_import=lead_import)
    except DomainError as error:
        transfer.fail_import(lead_import_id=lead_import_id, problem=error.message)
