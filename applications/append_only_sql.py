"""On PostgreSQL the database itself keeps append-only tables as written (issue 14).

``AppendOnlyModel`` refuses changes in Python, but ``_base_manager``, ``bulk_create(update_conflicts=True)`` or
raw SQL go around Python. After every ``migrate`` (``post_migrate``) each append-only table gets a trigger that
refuses DELETE, and UPDATE of any column outside the model's ``append_only_mutable`` (columns of
``append_only_set_once`` may be filled once, while still empty). The triggers are generated from the models, so a
new append-only model or column is covered at its migration. A model with its own trigger (``AuditEvent``: the
retention sweep's purge) sets ``append_only_trigger = False``. TRUNCATE stays with the database's owner.
"""

from django.db import connections

from applications.models.append_only import AppendOnlyModel

PREFIX = "gf_append_only"


def append_only_models():
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel)
        and not model._meta.proxy
        and model._meta.managed
        and getattr(model, "append_only_trigger", True)
    ]


def _empty(column):
    # Empty as the Python side means it (None, "", [], {}): text, JSON and other types alike.
    return f"(OLD.{column} IS NULL OR OLD.{column}::text IN ('', '[]', '{{}}', '\"\"'))"


def trigger_sql(model):
    """(function name, CREATE statements) for ``model``'s table."""
    quote = connections["default"].ops.quote_name
    table = model._meta.db_table
    name = f"{PREFIX}_{table}"[:63]
    mutable = set(getattr(model, "append_only_mutable", ()))
    set_once = set(getattr(model, "append_only_set_once", ()))
    checks = []
    for field in model._meta.concrete_fields:
        if field.name in mutable:
            continue
        column = quote(field.column)
        unchanged = f"OLD.{column} IS NOT DISTINCT FROM NEW.{column}"
        checks.append(f"({unchanged} OR {_empty(column)})" if field.name in set_once else unchanged)
    allowed = " AND ".join(checks) or "TRUE"
    function = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {allowed} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
    trigger = f"""
DROP TRIGGER IF EXISTS {name} ON {quote(table)};
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {quote(table)} FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    return name, [function, trigger]


def install(using="default", **_kwargs):
    """Create or refresh the trigger of every append-only table (PostgreSQL only; idempotent)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    names = []
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in append_only_models():
            if model._meta.db_table not in existing:
                continue
            name, statements = trigger_sql(model)
            for statement in statements:
                cursor.execute(statement)
            names.append(name)
    return names


def installed(using="default"):
    """{table: trigger name} of the append-only triggers present in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table, trigger_name FROM information_schema.triggers "
            "WHERE trigger_name LIKE %s AND event_manipulation = 'DELETE'",
            [PREFIX + "%"],
        )
        return dict(cursor.fetchall())
