import copy
from html import escape

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import Jinja2
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.models import TeamPolicy


class TeamPolicyForm(forms.ModelForm):
    class Meta:
        model = TeamPolicy
        fields = [
            "follow_up_hours",
            "resolve_days",
            "remind_before_hours",
            "reclaim_cooldown_days",
            "private_cap",
            "private_idle_days",
            "daily_claim_limit",
            "allocation_min",
            "allocation_max",
            "open_assigned_cap",
            "auto_allocate",
            "allocation_time",
            "daily_visit_target",
            "daily_effective_target",
            "daily_effective_stretch",
            "entry_cutoff",
            "qc_effective_rate",
            "qc_potential_rate",
            "qc_minimum_per_rep",
            "qc_unreachable_retries",
            "qc_draw_time",
            "qc_weight_by_risk",
            "position_radius_meters",
            "evidence_retention_days",
        ]
        widgets = {
            "allocation_time": forms.TimeInput(attrs={"type": "time"}),
            "entry_cutoff": forms.TimeInput(attrs={"type": "time"}),
            "qc_draw_time": forms.TimeInput(attrs={"type": "time"}),
        }


class QuickFormRenderer(Jinja2):
    field_template_name = "forms/bootstrap_field.html"


# One renderer for every quick form: its Jinja2 environment (and the compiled templates) is built once.
QUICK_FORM_RENDERER = QuickFormRenderer()
WIDGET_CLASSES = {
    forms.RadioSelect: "form-check-input",
    forms.CheckboxInput: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
}

# Choices written option by option in one template (the same markup as Django's nested widget templates).
FLAT_TEMPLATES = {forms.RadioSelect: {"option_template_name": "forms/widgets/input_option.html"}}


def _attributes(attrs: dict) -> str:
    # As Django's attrs.html: False leaves the attribute out, True writes its name alone, anything else its text.
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ReadyChoices(BaseChoiceIterator):
    """Choices already in the shape Django normalizes them to ((value, label), or (group, [(value, label)...])), built
    by our own code. Setting a plain list on a choice field walks it twice (the field's setter, then its widget's):
    a rep's 70-odd leads, each time the visit form is opened."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class QuickSelect(forms.Select):
    """A select written in Python, the same HTML as Django's: Django builds a dict of attributes for every option and
    renders each through a template, about 13 us an option, and a rep's visit form lists 70-odd leads in three groups
    (1 ms a form)."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        parts = [f'<select name="{escape(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>']
        selected_one = False
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped:
                parts.append(f'\n  <optgroup label="{escape(str(group_value))}">')
                options = group_label
            else:
                # As Django's optgroups(): only an option outside a group turns a None value into "".
                options = [("" if group_value is None else group_value, group_label)]
            for option_value, label in options:
                option_value = str(option_value)
                selected = not selected_one and option_value in chosen
                selected_one |= selected
                marker = " selected" if selected else ""
                parts.append(f'\n  <option value="{escape(option_value)}"{marker}>{escape(str(label))}</option>')
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class ButtonRadioSelect(forms.RadioSelect):
    """Radios shown as a row of toggle buttons (Bootstrap's btn-check): each option's radio, then its label styled as
    a button. Written by one template, so that a quick form can share the markup like any other field's."""

    template_name = "forms/widgets/button_radios.html"

    def __init__(self, attrs=None, choices=(), *, label_class: str):
        super().__init__({"class": "btn-check", **(attrs or {})}, choices)
        self.label_class = label_class

    def get_context(self, name, value, attrs):
        return super().get_context(name, value, attrs) | {"label_class": self.label_class}


# (form class, field, language, prefix, auto_id, what) -> markup; a few entries per field of a quick form.
_SHARED_MARKUP: dict = {}


class QuickBoundField(BoundField):
    """A field of a quick form. One the form names in `markup_alike_for_all` is rendered once per process and language
    while it shows its own initial value: its markup is then the same for every user (the same label, choices and
    value), and Django's form machinery costs 100-300 us a field. A field with a value of its own (posted, with errors,
    or given as the form's initial) is rendered afresh."""

    def _shared(self, what: str, render):
        form = self.form
        if (
            form.is_bound
            or self.name not in form.markup_alike_for_all
            or self.name in form.initial
            or callable(self.field.initial)
        ):
            return render()
        key = (type(form), self.name, get_language(), form.prefix, form.auto_id, what)
        markup = _SHARED_MARKUP.get(key)
        if markup is None:
            markup = _SHARED_MARKUP[key] = render()
        return markup

    def as_field_group(self):
        return self._shared("group", super().as_field_group)

    def __str__(self):
        return self._shared("widget", super().__str__)


class _FieldsOfQuickForm(dict):
    """A quick form class's fields as Django copies them into each form (BaseForm.__init__ deep-copies base_fields):
    the fields fixed by the class (`markup_alike_for_all`) are shared by all its forms, the others copied. Copying the
    visit form's 22 fields was a third of a millisecond of every visit's form and of its post."""

    def __init__(self, fields, shared):
        super().__init__(fields)
        self.shared = frozenset(shared)

    def __deepcopy__(self, memo):
        return {name: field if name in self.shared else copy.deepcopy(field, memo) for name, field in self.items()}


class QuickForm(forms.Form):
    """A form for the pages a rep opens many times an evening: `{{ form.field.as_field_group }}` gives the Bootstrap 5
    markup crispy gives, in a tenth of the time (crispy renders every field through a dozen nested Django templates,
    which was most of the visit form's time).

    The fields named in `markup_alike_for_all` are fixed by the form's class alone (their choices are not the user's):
    their unfilled markup is shared (see QuickBoundField) and so are the field objects themselves, so a form must
    never change one of them (a field with choices of the user's, like the visit form's lead, is not named there)."""

    default_renderer = QUICK_FORM_RENDERER
    bound_field_class = QuickBoundField
    markup_alike_for_all: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        if not isinstance(type(self).__dict__.get("base_fields"), _FieldsOfQuickForm):
            type(self)._prepare_fields()
        super().__init__(*args, **kwargs)

    def field_groups(self) -> SafeString:
        """`{{ form.field_groups }}`: every field's markup in order, for a form that needs no layout of its own (a
        hidden field is its input alone)."""
        return mark_safe("".join(str(field) if field.is_hidden else field.as_field_group() for field in self))

    @classmethod
    def _prepare_fields(cls):
        """Once per class, on the class's own fields: Bootstrap's class on each widget and the quick widgets, then
        the fields fixed by the class shared instead of copied into each form."""
        for field in cls.base_fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            widget.attrs.setdefault("class", WIDGET_CLASSES.get(type(widget), "form-control"))
            for attribute, template in FLAT_TEMPLATES.get(type(widget), {}).items():
                setattr(widget, attribute, template)
            if type(widget) is forms.Select:
                field.widget = QuickSelect(attrs=widget.attrs, choices=widget.choices)
                field.widget.is_required, field.widget.is_localized = widget.is_required, widget.is_localized
        cls.base_fields = _FieldsOfQuickForm(cls.base_fields, cls.markup_alike_for_all)
