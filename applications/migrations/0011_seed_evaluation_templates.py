"""The four evaluation templates the portal starts with (applications/evaluation_seed.py), as drafts."""

from django.db import migrations


def seed(apps, schema_editor):
    from applications.evaluation_seed import TEMPLATES, load

    Template = apps.get_model("applications", "EvaluationTemplate")
    Area = apps.get_model("applications", "TemplateArea")
    Item = apps.get_model("applications", "TemplateItem")
    for data in TEMPLATES:
        if not Template.objects.filter(kind=data["kind"], standard=data["standard"]).exists():
            load(Template, Area, Item, data)


class Migration(migrations.Migration):
    dependencies = [("applications", "0010_evaluation_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
