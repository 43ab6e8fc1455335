"""What the public home page and the Atom feed announce: publicity in progress (第十七条) and recent notices
(公示通知, 名单公告, 移出名单公告 第二十二条), linked to their issued documents where these exist."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import DocumentType, IssuedDocument, PublishedList, Removal
from reviews.models import PublicityBatch, PublicityEntry
from workdays.services import Calendar, working_days_between

PUBLICITY = "reviews.publicitybatch"
LIST = "registry.publishedlist"
REMOVAL = "registry.removal"
# The issued documents the public may download (registry/views/verify.py serves exactly their bytes).
PUBLIC_DOCUMENTS = [DocumentType.PUBLICITY_NOTICE, DocumentType.LIST_ANNOUNCEMENT, DocumentType.REMOVAL_NOTICE]


@dataclass
class PublicityStatus:
    batch: PublicityBatch
    status: str  # upcoming, running, ended, published
    units: int
    working_days_left: int | None
    provisional: bool  # counted across a year whose official schedule is not loaded: an estimate


def publicity_board(today, *, ended=5):
    """Publicity batches not yet over (with working days left, today included) and the last ``ended`` ones."""
    # The published list only says whether the batch ended in one: never decode its entries (JSON of every
    # unit on the list, 60 ms a page at 100,000 dossiers).
    batches = PublicityBatch.objects.select_related("published_list").defer("published_list__entries")
    current = list(batches.filter(ends_on__gte=today).order_by("starts_on", "pk"))
    past = list(batches.filter(ends_on__lt=today).order_by("-ends_on", "-pk")[:ended])
    # Count the units of the batches shown only: annotating every batch made SQLite group all the entries
    # of every year before taking the last five (1.5 s at 20,000 dossiers).
    shown = [batch.pk for batch in current + past]
    counts = dict(
        PublicityEntry.objects.filter(batch_id__in=shown).values_list("batch_id").annotate(n=Count("pk")).order_by()
    )
    for batch in current + past:
        batch.units = counts.get(batch.pk, 0)
    # One calendar for all: each year's overrides load once. Provisional so an unloaded year never breaks the
    # page; such a count is shown as an estimate (第十七条: working days are never guessed on a notice).
    calendar = Calendar(provisional=True)
    board = []
    for batch in current:
        first = max(today, batch.starts_on)
        try:
            left = working_days_between(first, batch.ends_on, calendar)
        except ValueError:  # an absurd span: say nothing rather than guess
            left = None
        years = set(range(first.year, batch.ends_on.year + 1))
        status = "running" if batch.starts_on <= today else "upcoming"
        board.append(PublicityStatus(batch, status, batch.units, left, bool(years & calendar.provisional_years)))
    for batch in past:
        status = "published" if hasattr(batch, "published_list") else "ended"
        board.append(PublicityStatus(batch, status, batch.units, None, False))
    return board


@dataclass
class Notice:
    kind: str  # publicity, list, removal
    kind_label: str
    title: str
    date: datetime.date
    when: datetime.datetime
    link: str
    subject_type: str
    subject_id: int
    pdf: str | None = None
    document_number: str = ""
    summary: str = ""


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def recent_notices(limit=10):
    """The latest ``limit`` notices of every kind, newest first (four queries, whatever the count)."""
    notices = []
    for batch in PublicityBatch.objects.order_by("-starts_on", "-pk")[:limit]:
        period = {"first": batch.starts_on.isoformat(), "last": batch.ends_on.isoformat()}
        notices.append(
            Notice(
                kind="publicity",
                kind_label=_("Publicity notice"),
                title=batch.title,
                date=batch.starts_on,
                when=_midnight(batch.starts_on),
                link=reverse("public_publicity", args=[batch.pk]),
                subject_type=PUBLICITY,
                subject_id=batch.pk,
                summary=_("Publicity from %(first)s to %(last)s; objections under Art. 17.") % period,
            )
        )
    # A list or removal links its PDF only once the document is issued (_link_issued_documents); the
    # public never gets a draft.
    for published in PublishedList.objects.defer("entries").order_by("-published_at", "-pk")[:limit]:
        notices.append(
            Notice(
                kind="list",
                kind_label=_("List announcement"),
                title=published.title,
                date=timezone.localdate(published.published_at),
                when=published.published_at,
                link=reverse("public_lists") + "#announcements",
                subject_type=LIST,
                subject_id=published.pk,
            )
        )
    removals = Removal.objects.select_related("dossier__organisation").order_by("-decided_on", "-pk")[:limit]
    for removal in removals:
        notices.append(
            Notice(
                kind="removal",
                kind_label=_("Removal notice"),
                title=_("Removal from the list: %(name)s") % {"name": removal.dossier.organisation.name},
                date=removal.decided_on,
                when=_midnight(removal.decided_on),
                link=reverse("public_removals"),
                subject_type=REMOVAL,
                subject_id=removal.pk,
                summary=str(removal.get_ground_display()),
            )
        )
    notices.sort(key=lambda n: (n.when, n.subject_type, n.subject_id), reverse=True)
    notices = notices[:limit]
    _link_issued_documents(notices)
    return notices


def _link_issued_documents(notices):
    """Where a notice was issued as a document (with its 文号), link the issued PDF: one query for all."""
    subjects = {}
    for notice in notices:
        subjects.setdefault(notice.subject_type, set()).add(notice.subject_id)
    if not subjects:
        return
    where = Q()
    for subject_type, ids in subjects.items():
        where |= Q(subject_type=subject_type, subject_id__in=ids)
    issued = {}
    # Oldest first, so a correction (issued later) replaces the document it corrects. Never load the bytes.
    rows = IssuedDocument.objects.filter(where, document_type__in=PUBLIC_DOCUMENTS).order_by("issued_at", "pk")
    for pk, number, subject_type, subject_id in rows.values_list("pk", "document_number", "subject_type", "subject_id"):
        issued[(subject_type, subject_id)] = (pk, number)
    for notice in notices:
        found = issued.get((notice.subject_type, notice.subject_id))
        if found:
            notice.document_number = found[1]
            notice.pdf = reverse("verified_document_pdf", args=[found[0]])
            if notice.kind != "publicity":  # the publicity page stays the link: objections are filed there
                notice.link = notice.pdf
