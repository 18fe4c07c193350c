import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def team_of_each_contract(apps, schema_editor):
    Contract = apps.get_model("deals", "Contract")
    Lead = apps.get_model("leads", "Lead")
    Contract.objects.update(team_id=Subquery(Lead.objects.filter(pk=OuterRef("lead_id")).values("team_id")[:1]))


class Migration(migrations.Migration):
    """A contract keeps its lead's team, so a team's revenue is read through an index."""

    dependencies = [
        ("crm", "0005_mail_outbox"),
        ("deals", "0001_moved_from_leads"),
        ("leads", "0008_pool_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="team",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="crm.team"
            ),
        ),
        migrations.RunPython(team_of_each_contract, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contract",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="crm.team", verbose_name="team"
            ),
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["team", "signed_on"], name="contract_team_signed_on"),
        ),
    ]
