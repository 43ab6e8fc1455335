"""第十八条: every unit on an imported national list has a dossier here, so every after-listing rule
(annual form, recheck, removal) applies to it. Listings imported before that rule get theirs now, as
``applications.services.enter_national_list`` does on import: listed, national level, one log row."""

import datetime

from django.db import migrations
from django.utils import timezone

RECHECK_YEARS = 3


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def give_dossiers(apps, schema_editor):
    NationalListing = apps.get_model("registry", "NationalListing")
    Dossier = apps.get_model("applications", "Dossier")
    TransitionLog = apps.get_model("applications", "TransitionLog")
    today = timezone.localdate()
    for listing in NationalListing.objects.all():
        same_unit = Dossier.objects.filter(organisation_id=listing.organisation_id, kind=listing.kind)
        if same_unit.filter(state__in=["nominated", "listed", "rechecking", "removed"]).exists():
            continue
        if same_unit.filter(cycle_year=listing.year).exists():
            continue
        listed_on = min(today, datetime.date(listing.year, 12, 31))
        dossier = Dossier.objects.create(
            organisation_id=listing.organisation_id,
            kind=listing.kind,
            cycle_year=listing.year,
            state="listed",
            level="national",
            listed_on=listed_on,
            next_recheck_due=years_after(listed_on, RECHECK_YEARS),
        )
        TransitionLog.objects.create(
            dossier=dossier,
            transition="enter_national_list",
            from_state="",
            to_state="listed",
            reason=f"MIIT national list {listing.year}",
            at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_report_district_verification"),
        ("applications", "0009_dated_exclusions_agency_evaluations_flags"),
    ]

    operations = [migrations.RunPython(give_dossiers, migrations.RunPython.noop)]
