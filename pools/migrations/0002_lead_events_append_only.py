from django.db import migrations

# On PostgreSQL the database itself refuses to change or remove a lead event, whatever the code path.
CREATE = """
CREATE OR REPLACE FUNCTION pools_leadevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lead events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pools_leadevent_append_only
    BEFORE UPDATE OR DELETE ON pools_leadevent
    FOR EACH ROW EXECUTE FUNCTION pools_leadevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS pools_leadevent_append_only ON pools_leadevent;
DROP FUNCTION IF EXISTS pools_leadevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("pools", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
