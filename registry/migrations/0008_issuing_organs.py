"""The issuing organs: the city bureau and each district's bureau (第五条)."""

from django.db import migrations


def seed(apps, schema_editor):
    Organ = apps.get_model("registry", "IssuingOrgan")
    District = apps.get_model("applications", "District")
    Organ.objects.get_or_create(code="city", defaults={"name": "深圳市工业和信息化局"})
    for district in District.objects.all():
        Organ.objects.get_or_create(code=district.code, defaults={"name": district.bureau_name, "district": district})


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_issued_documents"), ("applications", "0002_districts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
