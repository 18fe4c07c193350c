from django.db import migrations


class Migration(migrations.Migration):
    """Proposals, contracts and payments move to the deals app: their tables are renamed here, and deals takes the
    models over (deals 0001)."""

    dependencies = [("leads", "0005_event_reason_codes")]

    operations = [
        migrations.AlterModelTable(name="proposal", table="deals_proposal"),
        migrations.AlterModelTable(name="contract", table="deals_contract"),
        migrations.AlterModelTable(name="payment", table="deals_payment"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Payment"),
                migrations.DeleteModel(name="Contract"),
                migrations.DeleteModel(name="Proposal"),
            ]
        ),
    ]
