from django.db import migrations

from audit.triggers import install_sql, remove_sql


def install(apps, schema_editor):
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    for statement in remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    """Append-only in the database itself: UPDATE, DELETE, REPLACE and TRUNCATE are refused."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
