from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.errors import DomainError
from core.exports import Table, table_response
from core.models import Role
from core.paging import page_of
from deals import selectors, services
from deals.forms import ContractForm, NeedForm, PaymentForm, ProposalForm, ReversalForm, StageBackForm
from deals.models import Contract, Payment
from leads.models import STAGE_PATH, Stage
from leads.selectors import get_lead_for

PAGE_SIZE = 25


@require_POST
@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def step(request, pk):
    """One step of the deal: confirm the need, add a proposal, sign the contract, record a payment, or step back."""
    lead = get_lead_for(request.user, pk)
    action = request.POST.get("action")
    forms_by_action = {
        "need": NeedForm,
        "proposal": ProposalForm,
        "contract": ContractForm,
        "back": StageBackForm,
    }
    if action == "payment":
        form = PaymentForm(request.POST, contracts=lead.contracts.standing())
    elif action in ("reverse_payment", "reverse_contract"):
        form = ReversalForm(request.POST)
    elif action in forms_by_action:
        form = forms_by_action[action](request.POST, request.FILES)
    else:
        raise Http404
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{lead.get_absolute_url()}#deal")
    data = form.cleaned_data
    steps = {
        "need": lambda: services.confirm_need(actor=request.user, lead=lead, need=data["need"]),
        "proposal": lambda: services.add_proposal(
            actor=request.user, lead=lead, amount=data["amount"], file=data["file"]
        ),
        "contract": lambda: services.sign_contract(
            actor=request.user,
            lead=lead,
            number=data["number"],
            amount=data["amount"],
            signed_on=data["signed_on"],
            term_months=data["term_months"],
        ),
        "payment": lambda: services.record_payment(
            actor=request.user,
            contract=data["contract"],
            amount=data["amount"],
            received_on=data["received_on"],
            method=data["method"],
        ),
        "reverse_payment": lambda: services.reverse_payment(
            actor=request.user,
            payment=get_object_or_404(Payment, pk=data["entry"], contract__lead=lead),
            reason=data["reason"],
        ),
        "reverse_contract": lambda: services.reverse_contract(
            actor=request.user,
            contract=get_object_or_404(Contract, pk=data["entry"], lead=lead),
            reason=data["reason"],
        ),
        "back": lambda: services.move_stage_back(
            actor=request.user, lead=lead, to_stage=data["to_stage"], reason=data["reason"]
        ),
    }
    try:
        steps[action]()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{lead.get_absolute_url()}#deal")


@login_required
def proposal_file(request, pk):
    """Serve a proposal's file to those who may see its lead, and nobody else."""
    proposal = selectors.get_proposal_for(request.user, pk)
    if not proposal.file:
        raise Http404
    return FileResponse(proposal.file.open("rb"), as_attachment=True, filename=proposal.file.name.rsplit("/", 1)[-1])


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def pipeline(request):
    """Open deals by stage with their counts and amounts: the latest few of each, or one stage a page at a time."""
    stages = set(STAGE_PATH[:-1])
    stage = request.GET.get("stage") if request.GET.get("stage") in stages else None
    columns = selectors.pipeline_of(request.user, with_latest=not stage)
    context = {"columns": columns, "shown": selectors.SHOWN_PER_STAGE, "stage": stage}
    if stage:
        context["stage_label"] = Stage(stage).label
        # The stage's count in the summary above is the list's: read in the same request, it is not counted twice.
        count = next(column["count"] for column in columns if column["code"] == stage)
        deals = selectors.deals_at_stage(request.user, stage)
        context["page"] = page_of(request, deals, PAGE_SIZE, count=count)
        context["query"] = f"stage={stage}"
    return render(request, "deals/pipeline.html", context)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def customers(request):
    """Customers with their contracts and what has been paid."""
    without_contract = request.GET.get("without_contract") == "1"
    customers = selectors.customers_of(request.user, without_contract=without_contract)
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return table_response(customer_table(customers), "customers", file_format)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "without_contract=1" if without_contract else ""
    context = {"page": page, "query": query, "without_contract": without_contract}
    return render(request, "deals/customers.html", context)


def customer_table(customers) -> Table:
    """The customers list for Excel: who, whose, how to reach them, and the money."""
    header = ["公司名称 company", "联系人 contact", "电话 phone", "负责人 owner", "合同金额 contracts", "已回款 paid"]
    rows = (
        [
            lead.company_name,
            lead.contact_name,
            lead.phone,
            str(lead.owner or ""),
            lead.contract_total or 0,
            lead.paid_total or 0,
        ]
        for lead in customers.iterator(chunk_size=2000)
    )
    return Table(header, rows, phone_columns=(2,))
