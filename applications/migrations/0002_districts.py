"""Seed the 11 districts of Shenzhen (第二条, 第五条) with their current industry bureaus (editable)."""

from django.db import migrations

DISTRICTS = [
    ("futian", "福田区", "福田区工业和信息化局"),
    ("luohu", "罗湖区", "罗湖区科技和工业信息化局"),
    ("yantian", "盐田区", "盐田区工业和信息化局"),
    ("nanshan", "南山区", "南山区工业和信息化局"),
    ("baoan", "宝安区", "宝安区工业和信息化局"),
    ("longgang", "龙岗区", "龙岗区工业和信息化局"),
    ("longhua", "龙华区", "龙华区工业和信息化局"),
    ("pingshan", "坪山区", "坪山区工业和信息化局"),
    ("guangming", "光明区", "光明区工业和信息化局"),
    ("dapeng", "大鹏新区", "大鹏新区科技和工业信息化局"),
    ("shenshan", "深汕特别合作区", "深汕特别合作区工业和信息化主管部门"),
]


def seed(apps, schema_editor):
    District = apps.get_model("applications", "District")
    for order, (code, name, bureau) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(code=code, defaults={"name": name, "bureau_name": bureau, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
