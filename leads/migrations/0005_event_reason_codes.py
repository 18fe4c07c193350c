from django.db import migrations, models


class Migration(migrations.Migration):
    """Why an event happened is stored as a code with its details, and put into words in the reader's language.

    Adding columns fires no row trigger, so the append-only history is untouched; old rows keep their words.
    """

    dependencies = [("leads", "0004_lead_events_move_here")]

    operations = [
        migrations.AddField(
            model_name="leadevent",
            name="reason_code",
            field=models.CharField(blank=True, choices=[('follow_up_missed', 'First follow-up deadline missed'), ('resolve_missed', 'Resolve deadline missed'), ('private_idle', 'Private lead idle too long'), ('swapped_out', 'Given back in a swap'), ('contract_signed', 'Contract signed'), ('stage_changed', 'Stage changed'), ('closed', 'Closed')], max_length=20, verbose_name='reason', default=""),
            preserve_default=False,
        ),
        migrations.AddField(model_name="leadevent", name="details", field=models.JSONField(blank=True, null=True, verbose_name='details')),
        migrations.AlterField(model_name="leadevent", name="job", field=models.CharField(blank=True, choices=[('reclaim', 'Reclaim job'), ('allocate', 'Morning allocation')], help_text='The periodic job that made the change.', max_length=50, verbose_name='job')),
    ]
