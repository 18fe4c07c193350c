from django.db import migrations


class Migration(migrations.Migration):
    """Lead events move to the leads app (leads 0004), keeping their table."""

    dependencies = [("pools", "0005_move_policy")]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="LeadEvent")])]
