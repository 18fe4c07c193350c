from django import forms

from pools.models import PoolPolicy


class PoolPolicyForm(forms.ModelForm):
    class Meta:
        model = PoolPolicy
        exclude = ["team"]
        widgets = {
            "allocation_time": forms.TimeInput(attrs={"type": "time"}),
            "entry_cutoff": forms.TimeInput(attrs={"type": "time"}),
            "qc_draw_time": forms.TimeInput(attrs={"type": "time"}),
        }
