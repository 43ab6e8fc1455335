"""Issue 13: Chinese name search stays fast at province scale (20,000+ organisations).

On PostgreSQL, a pg_trgm GIN index on ``UPPER(name)``: Django's ``name__icontains`` is
``UPPER("name"::text) LIKE UPPER('%…%')``, which an index on the bare column cannot serve; this expression index
can (pg_trgm splits Chinese text into trigrams under the server's UTF-8 ctype). SQLite keeps its plain scan:
the operation does nothing there, and the model state is unchanged on both (the index is not in ``Meta``, which
would make SQLite try to build it).
"""

from django.db import migrations

INDEX = "applications_org_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON applications_organisation USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("applications", "0011_seed_evaluation_templates")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
