"""Issue 14: each transition-log row carries the hash of its dossier's previous row and its own
(``applications.transition_chain``). Rows already written are linked here, in the order they were inserted."""

from django.db import migrations, models


def link_existing(apps, schema_editor):
    from applications.transition_chain import GENESIS, entry_hash

    TransitionLog = apps.get_model("applications", "TransitionLog")
    manager = TransitionLog._base_manager
    fields = ("pk", "dossier_id", "transition", "from_state", "to_state", "actor_id", "reason", "at")
    current, previous, batch = None, GENESIS, []
    for pk, dossier_id, transition, from_state, to_state, actor_id, reason, at in (
        manager.order_by("dossier_id", "pk").values_list(*fields).iterator(chunk_size=5000)
    ):
        if dossier_id != current:
            current, previous = dossier_id, GENESIS
        row_hash = entry_hash(previous, dossier_id, transition, from_state, to_state, actor_id, reason, at)
        batch.append(TransitionLog(pk=pk, prev_hash=previous, row_hash=row_hash))
        previous = row_hash
        if len(batch) >= 2000:
            manager.bulk_update(batch, ["prev_hash", "row_hash"])
            batch = []
    if batch:
        manager.bulk_update(batch, ["prev_hash", "row_hash"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0013_import_job")]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="previous row's hash"),
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="row_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="row hash"),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
