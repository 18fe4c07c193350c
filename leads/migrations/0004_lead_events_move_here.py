import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Lead events move here, next to the leads they record. The table keeps its name and its append-only trigger,
    so only the model's home changes."""

    dependencies = [
        ("leads", "0003_lead_confirmed_need_lead_stage_contract_payment_and_more"),
        ("pools", "0006_move_events_to_leads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LeadEvent",
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Created'), ('imported', 'Imported'), ('claimed', 'Claimed'), ('assigned', 'Assigned'), ('reassigned', 'Reassigned'), ('allocated', 'Allocated'), ('kept', 'Kept in the private pool'), ('returned', 'Returned to the pool'), ('reclaimed', 'Reclaimed'), ('converted', 'Converted to a customer'), ('closed', 'Closed'), ('reopened', 'Reopened'), ('stage', 'Stage changed')], max_length=12, verbose_name='what')),
                        ('job', models.CharField(blank=True, help_text='The periodic job that made the change.', max_length=50, verbose_name='job')),
                        ('from_state', models.CharField(blank=True, max_length=10, verbose_name='from state')),
                        ('to_state', models.CharField(max_length=10, verbose_name='to state')),
                        ('reason', models.CharField(blank=True, max_length=255, verbose_name='why')),
                        ('created_at', models.DateTimeField(db_index=True, verbose_name='when')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('from_owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('lead', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='leads.lead', verbose_name='lead')),
                        ('to_owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "lead event",
                        "verbose_name_plural": "lead events",
                        "db_table": "pools_leadevent",
                        "ordering": ["created_at", "pk"],
                        "indexes": [
                            models.Index(fields=["actor", "kind", "created_at"], name="event_actor_kind_time"),
                            models.Index(fields=["from_owner", "lead", "created_at"], name="event_lost_lead"),
                        ],
                    },
                ),
            ]
        ),
    ]
