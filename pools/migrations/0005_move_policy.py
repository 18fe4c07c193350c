from django.db import migrations


class Migration(migrations.Migration):
    """The team policy moves to the core app: its table is renamed here, and the core app takes the model over."""

    dependencies = [
        ("pools", "0004_alter_leadevent_kind"),
    ]

    operations = [
        migrations.AlterModelTable(name="poolpolicy", table="crm_teampolicy"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="PoolPolicy")]),
    ]
