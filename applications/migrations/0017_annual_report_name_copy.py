"""The annual form's copy of its organisation's name (issue 13), filled from its dossier's copy."""

from django.db import migrations, models

BACKFILL = """
UPDATE applications_annualreport SET
    organisation_name = (
        SELECT d.organisation_name FROM applications_dossier d WHERE d.id = applications_annualreport.dossier_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0016_dossier_state_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="annualreport",
            name="organisation_name",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="organisation name"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="annualreport",
            index=models.Index(fields=["year", "status", "organisation_name", "id"], name="annual_list_order"),
        ),
    ]
