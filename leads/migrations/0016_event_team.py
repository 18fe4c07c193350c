import django.db.models.deletion
from django.db import migrations, models

# Every event written so far takes its lead's team. Leads have never changed team, so this is the team of the time.
# On PostgreSQL the append-only trigger refuses updates: it is set aside for this one filling, in this transaction;
# the new foreign keys are checked at once so the column can be made NOT NULL in the same transaction.
FILL_POSTGRESQL = """
ALTER TABLE pools_leadevent DISABLE TRIGGER pools_leadevent_append_only;
UPDATE pools_leadevent AS e SET team_id = l.team_id FROM leads_lead AS l WHERE l.id = e.lead_id;
ALTER TABLE pools_leadevent ENABLE TRIGGER pools_leadevent_append_only;
SET CONSTRAINTS ALL IMMEDIATE;
"""
FILL_OTHER = """
UPDATE pools_leadevent SET team_id = (SELECT team_id FROM leads_lead WHERE leads_lead.id = pools_leadevent.lead_id)
"""


def fill_teams(apps, schema_editor):
    fill = FILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else FILL_OTHER
    schema_editor.execute(fill, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0008_evidence_retention"),
        ("leads", "0015_pipeline_stage_pages"),
        ("pools", "0002_lead_events_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="leadevent",
            name="team",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="crm.team",
                verbose_name="team",
            ),
        ),
        migrations.RunPython(fill_teams, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="leadevent",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="crm.team", verbose_name="team"
            ),
        ),
        migrations.AddIndex(
            model_name="leadevent",
            index=models.Index(fields=["team", "kind", "created_at"], name="event_team_kind_time"),
        ),
    ]
