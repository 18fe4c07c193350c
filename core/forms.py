from django import forms

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
        ]
        widgets = {
            "allocation_time": forms.TimeInput(attrs={"type": "time"}),
            "entry_cutoff": forms.TimeInput(attrs={"type": "time"}),
            "qc_draw_time": forms.TimeInput(attrs={"type": "time"}),
        }
