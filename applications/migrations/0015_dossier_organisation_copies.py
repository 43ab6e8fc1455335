"""The dossier's copies of its organisation's name and district (issue 13), filled from the organisations."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE applications_dossier SET
    organisation_name = (SELECT o.name FROM applications_organisation o WHERE o.id = applications_dossier.organisation_id),
    district_id = (SELECT o.district_id FROM applications_organisation o WHERE o.id = applications_dossier.organisation_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_transition_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="organisation_name",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="organisation name"),
        ),
        migrations.AddField(
            model_name="dossier",
            name="district",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="applications.district",
                verbose_name="district",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="dossier",
            name="district",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="applications.district",
                verbose_name="district",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["-cycle_year", "organisation_name", "id"], name="dossier_list_order"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["district", "-cycle_year", "organisation_name", "id"], name="dossier_district_order"
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["district", "state", "cycle_year", "kind", "level", "next_recheck_due"], name="dossier_district_state"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["state", "cycle_year", "organisation_name", "kind"], name="dossier_state_year"),
        ),
    ]
