"""Seed every year chinesecalendar knows (2004-2026): holidays on weekdays and make-up working days."""


from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    DayOverride = apps.get_model("workdays", "DayOverride")
    ScheduleYear = apps.get_model("workdays", "ScheduleYear")
    rows = []
    for day, name in constants.holidays.items():
        if day.weekday() < 5:
            rows.append(DayOverride(date=day, working=False, name=NAMES.get(name, name)))
    for day, name in constants.workdays.items():
        if day.weekday() >= 5:
            rows.append(DayOverride(date=day, working=True, name=NAMES.get(name, name) + "调休"))
    DayOverride.objects.bulk_create(rows, ignore_conflicts=True)
    years = {d.year for d in constants.holidays}
    ScheduleYear.objects.bulk_create(
        [ScheduleYear(year=y, source="chinesecalendar 1.11.0") for y in sorted(years)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]


