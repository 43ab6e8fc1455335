"""A province-sized data set for the benchmark in ``bench/`` (issue 13): fast, deterministic, bulk inserts only.

Unlike ``seed_demo``, which replays every transition through the services, this writes the rows a year of
cycles would have left behind directly with ``bulk_create``: organisations over the 11 districts, dossiers
in every state with the fields each state needs, their transition log (its last row is the dossier's
state), this cycle's review rounds with their criteria and the expert assignments and scores of the dossiers
in and past review, publicity batches and published lists, removals, rechecks, annual forms, objections,
reports and inbox messages. No history rows (django-simple-history skips bulk inserts) and no notifications from the
log (``post_save`` does not fire). Rows are built and written chunk by chunk, so memory stays flat.

Only on a scratch database: it refuses outside demo mode without ``--yes-scratch-database``, and refuses a
database that already holds dossiers without ``--append``.
"""

import datetime
import decimal
import math
import random
import time
import zoneinfo
from functools import partial
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Notification, Role, User
from applications import transition_chain
from applications.credit_code import example_code
from applications.demo import NAME_STEMS, NAME_TRADES, TRADE_INDUSTRY
from applications.models import (
    Agency,
    AnnualReport,
    District,
    Dossier,
    EvaluationMode,
    Kind,
    Level,
    Organisation,
    RemovalGround,
    State,
    TransitionLog,
)
from applications.models.organisations import years_after
from registry.models import PublishedList, Recheck, Removal, Report
from reviews.models import (
    Criterion,
    ExpertAssignment,
    Objection,
    PublicityBatch,
    PublicityEntry,
    RecommendationBatch,
    Review,
    Round,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SCALE_PASSWORD = "scale-bench-2026"
CHUNK = 5000
FIRST_LIST_SIZE = 1000  # one list of exactly this size per year: the bench renders its notice PDF
LIST_SIZE = 4000
PUBLICITY_BATCH_SIZE = 2000  # PublicityEntry.position is a small integer
ORGANISATIONS_PER_DOSSIER = 0.4
CREDIT_SERIAL_OFFSET = 5_000_000  # far from the demo's and the tests' serials

# Share of organisations per district (宝安 and 龙岗 hold most of Shenzhen's factories).
DISTRICT_WEIGHTS = {
    "baoan": 24,
    "longgang": 20,
    "guangming": 10,
    "longhua": 12,
    "pingshan": 7,
    "nanshan": 9,
    "futian": 3,
    "luohu": 2,
    "yantian": 2,
    "dapeng": 2,
    "shenshan": 3,
}
# This cycle's dossiers (the first dossier of each organisation) and earlier cycles' (the others).
CURRENT_STATES = [
    (State.POOLED, 35),
    (State.SUBMITTED, 14),
    (State.RETURNED, 5),
    (State.RECOMMENDED, 12),
    (State.IN_LIBRARY, 12),
    (State.IN_REVIEW, 12),
    (State.IN_PUBLICITY, 5),
    (State.NOMINATED, 2),
    (State.WITHDRAWN, 3),
]
PAST_STATES = [
    (State.LISTED, 32),
    (State.RECHECKING, 5),
    (State.REMOVED, 5),
    (State.NOT_PASSED, 25),
    (State.WITHDRAWN, 12),
    (State.LAPSED, 21),
]
ON_A_LIST = {State.LISTED, State.RECHECKING, State.REMOVED}
# 第十七条: this cycle's reviewed dossiers were scored by 3 to 5 experts of the library, each on the round's criteria.
REVIEWED_STATES = {State.IN_REVIEW, State.IN_PUBLICITY, State.NOMINATED}
EXPERTS = 40
EXPERTS_PER_DOSSIER = (3, 5)
REVIEW_CRITERIA = [
    ("基础设施", 20),
    ("管理体系", 15),
    ("能源与资源投入", 20),
    ("产品", 10),
    ("环境排放", 20),
    ("绩效", 15),
]
NAME_PREFIXES = [
    "华南", "粤海", "鹏城", "前海", "宝岛", "南粤", "东方", "新港", "湾区", "蛇口",
    "龙华", "光明", "坪山", "盐田", "大鹏", "深港", "中航", "科兴", "远景", "立讯",
    "长盈", "普联", "汇川", "欣旺", "拓邦", "顺络", "信维", "德赛", "航盛", "天马",
    "国星", "明阳", "星源", "嘉立", "金洲", "雅图", "美格", "创新", "科陆", "英维",
]  # fmt: skip
NAME_SUFFIXES = ["有限公司", "股份有限公司", "实业有限公司", "科技有限公司", "集团有限公司"]
TRADES = NAME_TRADES
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]


def weighted(pairs):
    """A lookup table of 100 entries for ``rng.choice`` (faster than ``choices`` with weights per call)."""
    total = sum(w for _v, w in pairs)
    table = []
    for value, weight in pairs:
        table += [value] * round(100 * weight / total)
    return table


def moment(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


class Row(SimpleNamespace):
    """An unsaved row: the attributes given (attnames, or a related object by field name); defaults for the rest."""

    pk = None


MISSING = object()


class Path:
    """The state each transition leads to (DOMAIN.md's table; the log's ``to_state``)."""

    TARGET = {
        "create": State.POOLED,
        "submit": State.SUBMITTED,
        "return_for_revision": State.RETURNED,
        "recommend": State.RECOMMENDED,
        "pass_conformity": State.IN_LIBRARY,
        "fail_conformity": State.NOT_PASSED,
        "open_review": State.IN_REVIEW,
        "select_for_publicity": State.IN_PUBLICITY,
        "nominate": State.NOMINATED,
        "not_select": State.NOT_PASSED,
        "publish": State.LISTED,
        "open_recheck": State.RECHECKING,
        "keep_after_recheck": State.LISTED,
        "remove": State.REMOVED,
        "withdraw": State.WITHDRAWN,
        "lapse": State.LAPSED,
    }


class ScaleSeeder:
    def __init__(self, *, dossiers, seed, today, batch_size, out, use_bulk_create=False):
        self.n = dossiers
        self.seed = seed
        self.today = today
        self.now = min(timezone.now(), moment(today, 23, 59))
        self.batch_size = batch_size
        self.use_bulk_create = use_bulk_create
        self.out = out
        self.cur = today.year
        self.n_orgs = max(1, math.ceil(dossiers * ORGANISATIONS_PER_DOSSIER))
        self.counts = {}
        self.seconds = {}

    # ---- helpers ----------------------------------------------------------------------------------

    def next_id(self, model):
        return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def write(self, model, rows):
        """Insert ``rows`` (unsaved instances, all with or all without a primary key) in batches."""
        if not rows:
            return
        started = time.monotonic()
        if self.use_bulk_create:
            rows = [r if isinstance(r, models.Model) else model(**vars(r)) for r in rows]
            model.objects.bulk_create(rows, batch_size=self.batch_size)
        else:
            self._insert(model, rows)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        self.seconds[label] = self.seconds.get(label, 0) + time.monotonic() - started

    def _insert(self, model, rows):
        """What ``bulk_create`` sends, with the per-value work done once per field instead of per value.

        ``bulk_create`` spends ~0.4 ms per dossier preparing values through every field's generic path;
        a plain ``executemany`` with one converter per field is ten times faster and stores the same values
        (dates and times through the backend's own adapters, JSON through the field). No signals either way.
        """
        ops = connection.ops
        with_pk = getattr(rows[0], "pk", None) is not None
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        converters = []
        for field in fields:
            internal = field.get_internal_type()
            if internal == "DateTimeField":
                convert = ops.adapt_datetimefield_value
            elif internal == "DateField":
                convert = ops.adapt_datefield_value
            elif internal in ("JSONField", "DecimalField", "FileField"):
                convert = partial(field.get_db_prep_save, connection=connection)
            else:
                convert = None
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = timezone.now()
            else:
                default = field.get_default()
            related = field.name if field.is_relation else None
            converters.append((field.attname, related, field.primary_key, default, convert))
        params = []
        for row in rows:
            values = []
            for attname, related, primary_key, default, convert in converters:
                value = row.pk if primary_key else getattr(row, attname, MISSING)
                if value is MISSING:
                    value = getattr(row, related, None) if related else MISSING
                    value = default if value is MISSING else (value.pk if value is not None else None)
                if convert is not None and value is not None:
                    value = convert(value)
                values.append(value)
            params.append(values)
        qn = ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT on PostgreSQL; psycopg adapts each value as INSERT would.
            sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for values in params:
                    copy.write_row(values)
            return
        with connection.cursor() as cursor:
            for start in range(0, len(params), self.batch_size):
                cursor.executemany(sql, params[start : start + self.batch_size])

    def clamp(self, when):
        return min(when, self.now)

    def org_name(self, idx, kind=Kind.FACTORY):
        prefix = NAME_PREFIXES[idx % len(NAME_PREFIXES)]
        rest = idx // len(NAME_PREFIXES)
        stem = NAME_STEMS[rest % len(NAME_STEMS)]
        rest //= len(NAME_STEMS)
        trade = TRADES[rest % len(TRADES)]
        rest //= len(TRADES)
        suffix = NAME_SUFFIXES[rest % len(NAME_SUFFIXES)]
        branch = rest // len(NAME_SUFFIXES)
        name = f"深圳市{prefix}{stem}{trade}{suffix}"
        return f"{name}第{branch + 1}分公司" if branch else name

    def org_district(self, idx):
        return self.district_table[(idx * 37 + self.seed) % len(self.district_table)]

    # ---- the run ----------------------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        rng = random.Random(self.seed)
        districts = list(District.objects.order_by("sort_order"))
        if not districts:
            raise CommandError("No districts: run the migrations first.")
        self.districts = {d.pk: d for d in districts}
        table = []
        for d in districts:
            table += [d.pk] * DISTRICT_WEIGHTS.get(d.code, 3)
        self.district_table = table

        with transaction.atomic():
            self._people()
            self._rounds()
            self._agencies()
            self._plan(rng)
            self._organisations()
            self._batches_and_lists()
            self._dossiers(rng)
            self._reports_objections_notifications(rng)
            self._reset_sequences()
        elapsed = time.monotonic() - started
        return elapsed

    def _people(self):
        password = make_password(SCALE_PASSWORD)
        self.users = {}

        def user(username, role, **extra):
            found = User.objects.filter(username=username).first()
            if found is None:
                found = User.objects.create(
                    username=username, role=role, password=password, email=f"{username}@scale.invalid", **extra
                )
            self.users[username] = found
            return found

        self.staff = user("scale_staff", Role.STAFF, is_staff=True, first_name="科员", last_name="周")
        self.municipal = user("scale_municipal", Role.MUNICIPAL, is_staff=True, first_name="审核", last_name="陈")
        user("scale_admin", Role.STAFF, is_staff=True, is_superuser=True, first_name="管理", last_name="系统")
        user("scale_expert", Role.EXPERT, first_name="专家", last_name="孙")
        self.officers = {}
        for pk, d in self.districts.items():
            self.officers[pk] = user(f"scale_district_{d.code}", Role.DISTRICT, district=d, first_name=d.name[:2])

    def _rounds(self):
        """This cycle's round of each kind, with its weighted criteria, and the expert library."""
        password = make_password(SCALE_PASSWORD)
        existing = set(User.objects.filter(username__startswith="scale_expert_").values_list("username", flat=True))
        experts = [
            User(
                username=f"scale_expert_{k:02d}",
                role=Role.EXPERT,
                password=password,
                email=f"scale_expert_{k:02d}@scale.invalid",
                first_name="专家",
                last_name=SURNAMES[k % len(SURNAMES)],
            )
            for k in range(1, EXPERTS + 1)
            if f"scale_expert_{k:02d}" not in existing
        ]
        User.objects.bulk_create(experts)
        self.expert_ids = list(User.objects.filter(username__startswith="scale_expert_").values_list("pk", flat=True))
        self.criteria = {}
        for kind in Kind:
            review_round, created = Round.objects.get_or_create(
                year=self.cur,
                kind=kind,
                defaults={"select_count": 60, "objection_contact": "深圳市工业和信息化局节能处 0755-88100000"},
            )
            if created or not review_round.criteria.exists():
                Criterion.objects.bulk_create(
                    Criterion(round=review_round, name=name, weight=weight, max_score=100, order=order)
                    for order, (name, weight) in enumerate(REVIEW_CRITERIA)
                )
            self.criteria[kind] = list(review_round.criteria.all())

    def _agencies(self):
        existing = list(Agency.objects.filter(name__startswith="规模测试评价机构").values_list("pk", flat=True))
        if not existing:
            first = self.next_id(Agency)
            rows = [
                Agency(
                    pk=first + k,
                    name=f"规模测试评价机构{k + 1:02d}（深圳）有限公司",
                    credit_code=example_code(CREDIT_SERIAL_OFFSET - 1000 + first + k),
                    contact_name="联络员",
                    contact_phone=f"0755-2600{k:04d}",
                )
                for k in range(60)
            ]
            self.write(Agency, rows)
            existing = [a.pk for a in rows]
        self.agency_ids = existing

    def _plan(self, rng):
        """Each dossier's state (one byte each) and which published list holds it."""
        codes = [s for s in State]
        self.code_of = {s: i for i, s in enumerate(codes)}
        self.state_of_code = codes
        current, past = weighted(CURRENT_STATES), weighted(PAST_STATES)
        plan = bytearray(self.n)
        for i in range(self.n):
            slot = i // self.n_orgs
            plan[i] = self.code_of[rng.choice(current if slot == 0 else past)]
        self.plan = plan

        # Ids: organisations, dossiers, and the lists that will hold the listed ones.
        self.org_base = self.next_id(Organisation)
        self.dossier_base = self.next_id(Dossier)
        on_list = {self.code_of[s] for s in ON_A_LIST}
        by_year = {}
        for i in range(self.n):
            if plan[i] in on_list:
                by_year.setdefault(self.cycle_year(i), []).append(i)
        # list_of[i] = (list number, original rank, live rank)
        self.lists = []  # (year, [dossier indices])
        self.list_of = {}
        removed = self.code_of[State.REMOVED]
        for year in sorted(by_year):
            members = by_year[year]
            start, size = 0, FIRST_LIST_SIZE
            while start < len(members):
                chunk = members[start : start + size]
                number = len(self.lists)
                self.lists.append((year, chunk))
                live = 0
                for rank, i in enumerate(chunk, start=1):
                    if plan[i] != removed:
                        live += 1
                    self.list_of[i] = (number, rank, live if plan[i] != removed else None)
                start += size
                size = LIST_SIZE
        in_publicity = self.code_of[State.IN_PUBLICITY]
        publicity = [i for i in range(self.n) if plan[i] == in_publicity]
        self.open_publicity = [
            publicity[k : k + PUBLICITY_BATCH_SIZE] for k in range(0, len(publicity), PUBLICITY_BATCH_SIZE)
        ]
        self.publicity_of = {}
        for number, chunk in enumerate(self.open_publicity):
            for position, i in enumerate(chunk, start=1):
                self.publicity_of[i] = (number, position)

    def cycle_year(self, i):
        slot = i // self.n_orgs
        if slot == 0:
            return self.cur
        # slot 1: one or three years ago; slot 2: two or four; so (organisation, kind, year) stays unique.
        return self.cur - slot - (2 if i % 2 else 0)

    def _organisations(self):
        ownership = ["民营"] * 7 + ["国有", "中外合资", "外商独资", "港澳台"]
        for start in range(0, self.n_orgs, CHUNK):
            rows = []
            for idx in range(start, min(start + CHUNK, self.n_orgs)):
                pk = self.org_base + idx
                district = self.districts[self.org_district(idx)]
                trade = TRADES[(idx // len(NAME_PREFIXES) // len(NAME_STEMS)) % len(TRADES)]
                rows.append(
                    Row(
                        pk=pk,
                        credit_code=example_code(CREDIT_SERIAL_OFFSET + pk),
                        name=self.org_name(idx),
                        district_id=district.pk,
                        address=f"深圳市{district.name}工业大道{idx % 900 + 1}号",
                        industry=TRADE_INDUSTRY[trade],
                        ownership=ownership[idx % len(ownership)],
                        registration_authority="深圳市市场监督管理局",
                        registered_capital=f"{500 + idx % 97 * 50}万元人民币",
                        valid_until="长期",
                        contact_department="安全环保部",
                        legal_representative=SURNAMES[idx % 20] + GIVEN[idx % 16],
                        contact_name=SURNAMES[(idx + 7) % 20] + GIVEN[(idx + 3) % 16],
                        contact_phone=f"0755-{idx % 100_000_000:08d}",
                    )
                )
            self.write(Organisation, rows)

    def _batches_and_lists(self):
        years = sorted({self.cycle_year(i) for i in range(self.n)})
        # 第十五条: one recommendation batch per district and cycle year.
        first = self.next_id(RecommendationBatch)
        self.batch_of = {}
        rows = []
        for year in years:
            for pk in self.districts:
                self.batch_of[(pk, year)] = first + len(rows)
                rows.append(
                    RecommendationBatch(
                        pk=first + len(rows),
                        district_id=pk,
                        cycle_year=year,
                        submitted_by=self.officers[pk],
                        submitted_at=self.clamp(moment(datetime.date(year, 5, 28))),
                        note=f"{year}年度绿色工厂推荐名单",
                    )
                )
        self.write(RecommendationBatch, rows)

        # Publicity batches: one per published list, then this cycle's open ones.
        first_batch = self.next_id(PublicityBatch)
        first_list = self.next_id(PublishedList)
        batches, lists = [], []
        self.list_ids, self.list_dates, self.list_batch_ids = [], [], []
        for number, (year, members) in enumerate(self.lists):
            starts = datetime.date(year, 9, 1) + datetime.timedelta(days=7 * number % 60)
            published = starts + datetime.timedelta(days=10)
            batch_pk, list_pk = first_batch + number, first_list + number
            batches.append(
                PublicityBatch(
                    pk=batch_pk,
                    year=year,
                    title=f"{year}年度深圳市绿色工厂拟认定名单公示（第{number + 1}批）",
                    starts_on=starts,
                    ends_on=starts + datetime.timedelta(days=6),
                    contact="深圳市工业和信息化局节能处 0755-88100000",
                    created_by=self.staff,
                    created_at=moment(starts),
                )
            )
            entries = []
            for rank, i in enumerate(members, start=1):
                idx = i % self.n_orgs
                entries.append(
                    {
                        "rank": rank,
                        "name": self.org_name(idx),
                        "district": self.districts[self.org_district(idx)].name,
                        "kind_label": str(Kind(self.kind_of(i)).label),
                    }
                )
            lists.append(
                PublishedList(
                    pk=list_pk,
                    year=year,
                    title=f"{year}年度深圳市绿色工厂名单（第{number + 1}批）",
                    publicity_batch_id=batch_pk,
                    published_by=self.staff,
                    published_at=moment(published),
                    entries=entries,
                )
            )
            self.list_ids.append(list_pk)
            self.list_batch_ids.append(batch_pk)
            self.list_dates.append(published)
        self.open_batch_ids = []
        starts = self.today - datetime.timedelta(days=2)
        for number in range(len(self.open_publicity)):
            pk = first_batch + len(batches)
            batches.append(
                PublicityBatch(
                    pk=pk,
                    year=self.cur,
                    title=f"{self.cur}年度深圳市绿色工厂拟认定名单公示（第{number + 1}批）",
                    starts_on=starts,
                    ends_on=starts + datetime.timedelta(days=7),
                    contact="深圳市工业和信息化局节能处 0755-88100000",
                    created_by=self.staff,
                    created_at=moment(starts),
                )
            )
            self.open_batch_ids.append(pk)
        self.publicity_starts = starts
        self.write(PublicityBatch, batches)
        self.write(PublishedList, lists)

    def kind_of(self, i):
        state = self.state_of_code[self.plan[i]]
        h = (i * 2654435761 + self.seed) % 100
        if state == State.NOMINATED:
            return Kind.PARK if h < 40 else Kind.SUPPLY_CHAIN
        return Kind.FACTORY if h < 85 else (Kind.SUPPLY_CHAIN if h < 95 else Kind.PARK)

    # ---- dossiers and what hangs off them ---------------------------------------------------------

    def _dossiers(self, rng):
        first_entry = self.next_id(PublicityEntry)
        entry_pk = first_entry
        self.assignment_pk = self.next_id(ExpertAssignment)
        for start in range(0, self.n, CHUNK):
            dossiers, logs, entries, removals, rechecks, annual = [], [], [], [], [], []
            assignments, reviews = [], []
            for i in range(start, min(start + CHUNK, self.n)):
                d, path = self._dossier(i, rng)
                dossiers.append(d)
                logs += self._log(d, path)
                if i in self.list_of or i in self.publicity_of:
                    if i in self.list_of:
                        number, rank, _live = self.list_of[i]
                        batch_id = self.list_batch_ids[number]
                    else:
                        number, rank = self.publicity_of[i]
                        batch_id = self.open_batch_ids[number]
                    entries.append(
                        Row(
                            pk=entry_pk,
                            batch_id=batch_id,
                            dossier_id=d.pk,
                            position=rank,
                            aggregate=round(95 - rank * 0.002, 2),
                        )
                    )
                    entry_pk += 1
                if d.state == State.REMOVED:
                    removals.append(
                        Row(
                            dossier_id=d.pk,
                            ground=d.removal_ground,
                            reason=d.outcome_reason,
                            decided_on=d.removed_on,
                            decided_by=self.staff,
                            reported_to_miit=rng.random() < 0.5,
                        )
                    )
                rechecks += self._rechecks(d, path, rng)
                annual += self._annual(d, rng)
                if d.state in REVIEWED_STATES:
                    self._expert_review(d, rng, assignments, reviews)
            self.write(Dossier, dossiers)
            transition_chain.link(logs, known_heads={})  # new dossiers: every chain starts here
            self.write(TransitionLog, logs)
            self.write(PublicityEntry, entries)
            self.write(Removal, removals)
            self.write(Recheck, rechecks)
            self.write(AnnualReport, annual)
            self.write(ExpertAssignment, assignments)
            self.write(Review, reviews)
            self.out(f"  dossiers {min(start + CHUNK, self.n):>8,} / {self.n:,}")

    def _expert_review(self, d, rng, assignments, reviews):
        """第十七条: 3–5 experts of the library assigned to the dossier; in review, most have scored it (a few
        drafts, a few not yet, a declared conflict now and then); once selected, every one has."""
        criteria = self.criteria[d.kind]
        assigned_at = self.clamp(moment(datetime.date(d.cycle_year, 7, 1)))
        for expert in rng.sample(self.expert_ids, rng.randint(*EXPERTS_PER_DOSSIER)):
            pk = self.assignment_pk
            self.assignment_pk += 1
            roll = rng.random() if d.state == State.IN_REVIEW else 0.5
            conflict = roll < 0.03
            assignments.append(
                Row(
                    pk=pk,
                    dossier_id=d.pk,
                    expert_id=expert,
                    assigned_by=self.municipal,
                    assigned_at=assigned_at,
                    conflict_declared=conflict,
                    conflict_note="曾为该单位提供咨询服务" if conflict else "",
                )
            )
            if conflict or roll > 0.92:
                continue
            scores = {str(c.pk): rng.randrange(55, 100) for c in criteria}
            total = sum(decimal.Decimal(scores[str(c.pk)]) / c.max_score * c.weight for c in criteria)
            final = roll < 0.85
            scored_at = self.clamp(assigned_at + datetime.timedelta(days=rng.randrange(3, 20)))
            reviews.append(
                Row(
                    assignment_id=pk,
                    scores=scores,
                    total=total.quantize(decimal.Decimal("0.01")),
                    comment="材料完整，绩效指标达到要求。",
                    submitted_at=scored_at,
                    finalised_at=scored_at if final else None,
                    no_conflict_declared_at=scored_at if final else None,
                )
            )

    def _dossier(self, i, rng):
        state = self.state_of_code[self.plan[i]]
        idx = i % self.n_orgs
        year = self.cycle_year(i)
        district_id = self.org_district(idx)
        jan = datetime.date(year, 1, 5)
        created = moment(jan + datetime.timedelta(days=rng.randrange(60)), 9 + rng.randrange(8))
        d = Row(
            pk=self.dossier_base + i,
            organisation_id=self.org_base + idx,
            organisation_name=self.org_name(idx),
            district_id=district_id,
            kind=self.kind_of(i),
            cycle_year=year,
            state=state,
            created_at=self.clamp(created),
        )
        if rng.random() < 0.3:
            d.evaluation_mode = EvaluationMode.AGENCY
            d.agency_id = self.agency_ids[rng.randrange(len(self.agency_ids))]
        path = [("create", created)]
        if state == State.POOLED or (state in (State.LAPSED, State.WITHDRAWN) and rng.random() < 0.5):
            pass  # never submitted
        else:
            submitted = moment(datetime.date(year, 3, 1) + datetime.timedelta(days=rng.randrange(60)), 14)
            d.submitted_at = d.first_submitted_at = d.report_uploaded_at = self.clamp(submitted)
            d.report_attested = True
            path.append(("submit", submitted))
        if state == State.RETURNED:
            path.append(("return_for_revision", submitted + datetime.timedelta(days=5)))
            d.return_reason = "自评价报告第三部分能源数据与附件不一致，请核实后重新提交。"
        elif state == State.LAPSED:
            path.append(("lapse", datetime.datetime(year, 5, 31, 0, 5, tzinfo=SHANGHAI)))
            d.outcome_reason = "未在5月30日前推荐（第十五条）"
        elif state == State.WITHDRAWN:
            path.append(("withdraw", path[-1][1] + datetime.timedelta(days=rng.randrange(1, 40))))
            d.outcome_reason = "企业申请撤回"
        after_recommendation = state not in (
            State.POOLED,
            State.SUBMITTED,
            State.RETURNED,
            State.LAPSED,
            State.WITHDRAWN,
        )
        if not after_recommendation:
            return d, path
        recommended = moment(datetime.date(year, 5, 20) + datetime.timedelta(days=rng.randrange(9)), 11)
        d.district_ready_at = self.clamp(recommended - datetime.timedelta(days=2))
        d.district_ready_by = self.officers[district_id]
        d.recommended_at = self.clamp(recommended)
        d.recommendation_batch_id = self.batch_of[(district_id, year)]
        d.level = Level.DISTRICT
        path.append(("recommend", recommended))
        if state == State.RECOMMENDED:
            return d, path
        conformity = moment(datetime.date(year, 6, 15) + datetime.timedelta(days=rng.randrange(20)), 15)
        if state == State.NOT_PASSED and rng.random() < 0.3:
            path.append(("fail_conformity", conformity))
            d.outcome_reason = "符合性审核未通过：信用核查不符合要求"
            return d, path
        path.append(("pass_conformity", conformity))
        if state == State.IN_LIBRARY:
            return d, path
        path.append(("open_review", conformity + datetime.timedelta(days=20)))
        if state == State.IN_REVIEW:
            return d, path
        if state == State.NOT_PASSED:
            path.append(("not_select", moment(datetime.date(year, 8, 20))))
            d.outcome_reason = "专家评审综合得分未进入拟认定名单"
            return d, path
        if state == State.NOMINATED:
            path.append(("nominate", moment(datetime.date(year, 8, 20))))
            return d, path
        if state == State.IN_PUBLICITY:
            d.publicity_ends_on = self.publicity_starts + datetime.timedelta(days=7)
            path.append(("select_for_publicity", moment(self.publicity_starts, 9)))
            return d, path
        # Listed, rechecking or removed: published on its list.
        number, _rank, live = self.list_of[i]
        listed_on = self.list_dates[number]
        d.publicity_ends_on = listed_on - datetime.timedelta(days=4)
        d.cleared_for_publication_at = moment(listed_on - datetime.timedelta(days=3))
        path.append(("select_for_publicity", moment(listed_on - datetime.timedelta(days=10), 9)))
        path.append(("publish", moment(listed_on, 16)))
        d.level = Level.MUNICIPAL
        d.published_list_id = self.list_ids[number]
        d.rank = live
        d.listed_on = listed_on
        d.next_recheck_due = years_after(listed_on, 3)
        if d.next_recheck_due <= self.today and rng.random() < 0.7:
            # 第二十一条: rechecked on time and kept; the cycle counts from the due date.
            opened = d.next_recheck_due - datetime.timedelta(days=20)
            decided = d.next_recheck_due + datetime.timedelta(days=rng.randrange(1, 60))
            decided = min(decided, self.today - datetime.timedelta(days=1))
            path.append(("open_recheck", moment(opened)))
            path.append(("keep_after_recheck", moment(decided)))
            d.last_rechecked_on = decided
            d.next_recheck_due = years_after(d.next_recheck_due, 3)
        if state == State.RECHECKING:
            path.append(("open_recheck", self.now - datetime.timedelta(days=rng.randrange(1, 90))))
        elif state == State.REMOVED:
            since = d.last_rechecked_on if getattr(d, "last_rechecked_on", None) else listed_on
            removed_on = since + datetime.timedelta(days=rng.randrange(1, max(2, (self.today - since).days)))
            path.append(("remove", moment(removed_on, 17)))
            d.removal_ground = [g for g in RemovalGround][rng.randrange(len(RemovalGround))]
            d.removed_on = removed_on
            d.outcome_reason = "经核查，该单位存在移出名单情形，依规定移出名单。"
            d.rank = None
            d.next_recheck_due = None
        return d, path

    def _log(self, d, path):
        rows, previous = [], ""
        org_officer = (
            getattr(d, "district_ready_by", None)
            or self.officers[self.org_district((d.pk - self.dossier_base) % self.n_orgs)]
        )
        when_before = None
        for name, when in path:
            when = self.clamp(when)
            if when_before is not None and when <= when_before:
                when = when_before + datetime.timedelta(seconds=1)
            when_before = when
            target = Path.TARGET[name]
            if name in ("create", "recommend", "return_for_revision"):
                actor = org_officer
            elif name in ("submit", "withdraw", "lapse"):
                actor = None
            else:
                actor = self.staff
            rows.append(
                Row(
                    dossier_id=d.pk,
                    transition=name,
                    from_state=previous,
                    to_state=target,
                    actor_id=actor if actor is None or isinstance(actor, int) else actor.pk,
                    reason="",
                    at=when,
                )
            )
            previous = target
        return rows

    def _rechecks(self, d, path, rng):
        rows = []
        for name, when in path:
            if name == "open_recheck":
                rows.append(Row(dossier_id=d.pk, year=when.year, opened_at=self.clamp(when)))
            elif name == "keep_after_recheck":
                r = rows[-1]
                r.findings = "现场核查：能耗、排放指标持续达标。"
                r.proposal = r.decision = Recheck.Proposal.KEEP
                r.proposed_by = self.officers[self.org_district((d.pk - self.dossier_base) % self.n_orgs)]
                r.proposed_at = r.opened_at + datetime.timedelta(days=10)
                r.decided_by = self.staff
                r.decided_at = self.clamp(when)
        if d.state == State.RECHECKING and rows and rng.random() < 0.5:
            r = rows[-1]
            r.findings = "已完成现场核查，材料齐全。"
            r.proposal = Recheck.Proposal.KEEP if rng.random() < 0.8 else Recheck.Proposal.RECTIFY
            r.proposed_by = self.officers[self.org_district((d.pk - self.dossier_base) % self.n_orgs)]
            r.proposed_at = self.clamp(r.opened_at + datetime.timedelta(days=7))
        return rows

    def _annual(self, d, rng):
        """第十九条: one form per year after the year of listing, up to this year."""
        if d.state not in (State.LISTED, State.RECHECKING) or d.listed_on is None:
            return []
        rows = []
        for year in range(d.listed_on.year + 1, self.today.year + 1):
            due_on = datetime.date(year, 3, 15)
            report = Row(dossier_id=d.pk, organisation_name=d.organisation_name, year=year, due_on=due_on)
            latest = year == self.today.year
            roll = rng.random()
            if due_on > self.today:
                report.status = AnnualReport.Status.DUE
            elif not latest or roll < 0.6:
                report.status = AnnualReport.Status.ACCEPTED
            elif roll < 0.85:
                report.status = AnnualReport.Status.SUBMITTED
            elif roll < 0.92:
                report.status = AnnualReport.Status.CORRECTION
            else:
                report.status = AnnualReport.Status.DUE
                report.overdue_at = moment(due_on + datetime.timedelta(days=1), 0)
            if report.status != AnnualReport.Status.DUE:
                report.submitted_at = moment(due_on - datetime.timedelta(days=rng.randrange(1, 40)))
                report.values = {"energy_total": str(1000 + rng.randrange(9000)), "output": str(rng.randrange(90000))}
            rows.append(report)
        return rows

    # ---- the public's and the inbox's rows ---------------------------------------------------------

    def _reports_objections_notifications(self, rng):
        listed = self.code_of[State.LISTED]
        listed_idx = [i for i in range(0, self.n) if self.plan[i] == listed]
        publicity_idx = [i for chunk in self.open_publicity for i in chunk]
        statuses = [Report.Status.RECEIVED] * 3 + [Report.Status.VERIFYING] * 3 + [Report.Status.DECIDED] * 4
        rows = []
        for k in range(self.n // 50 if listed_idx else 0):
            i = listed_idx[rng.randrange(len(listed_idx))]
            idx = i % self.n_orgs
            status = statuses[k % len(statuses)]
            received = self.now - datetime.timedelta(days=rng.randrange(1, 700), hours=rng.randrange(24))
            report = Row(
                organisation_id=self.org_base + idx,
                district_id=self.org_district(idx),
                reporter_name=SURNAMES[k % 20] + GIVEN[k % 16],
                reporter_contact=f"138{k % 100_000_000:08d}",
                content="举报该企业夜间偷排废水，附现场照片说明。",
                received_at=received,
                status=status,
            )
            if status == Report.Status.DECIDED:
                report.decision = Report.Decision.UNFOUNDED
                report.decided_by = self.staff
                report.decided_at = min(received + datetime.timedelta(days=30), self.now)
                report.decision_note = "经核查，举报事项不属实。"
            rows.append(report)
            if len(rows) >= CHUNK:
                self.write(Report, rows)
                rows = []
        self.write(Report, rows)

        rows = []
        for k in range(min(self.n // 100, 2 * len(publicity_idx))):
            i = publicity_idx[rng.randrange(len(publicity_idx))]
            pending = rng.random() < 0.6
            rows.append(
                Row(
                    dossier_id=self.dossier_base + i,
                    objector_kind=Objection.ObjectorKind.PERSON if k % 3 else Objection.ObjectorKind.UNIT,
                    objector_name=SURNAMES[(k + 3) % 20] + GIVEN[(k + 5) % 16],
                    objector_phone=f"139{k % 100_000_000:08d}",
                    content="该企业公示材料中的能耗数据与实际不符。",
                    submitted_at=self.now - datetime.timedelta(hours=rng.randrange(1, 48)),
                    status=Objection.Status.PENDING if pending else Objection.Status.DISMISSED,
                    decided_by=None if pending else self.staff,
                    decided_at=None if pending else self.now,
                    decision_note="" if pending else "经核实，异议不成立。",
                )
            )
        self.write(Objection, rows)

        recipients = [self.staff, self.municipal, *self.officers.values()]
        rows = []
        for k in range(self.n // 20):
            recipient = recipients[k % len(recipients)]
            i = rng.randrange(self.n)
            rows.append(
                Row(
                    recipient=recipient,
                    title="档案状态已更新" if k % 2 else "请处理待办事项",
                    body="请登录平台查看详情。",
                    url=f"/dossiers/{self.dossier_base + i}/",
                    read_at=None if rng.random() < 0.4 else self.now,
                )
            )
            if len(rows) >= CHUNK:
                self.write(Notification, rows)
                rows = []
        self.write(Notification, rows)

    def _reset_sequences(self):
        """Explicit primary keys leave PostgreSQL's sequences behind; move them past the rows just written."""
        statements = connection.ops.sequence_reset_sql(
            no_style(),
            [
                Agency,
                Organisation,
                Dossier,
                RecommendationBatch,
                PublicityBatch,
                PublishedList,
                PublicityEntry,
                ExpertAssignment,
            ],
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class Command(BaseCommand):
    help = "Seed a province-sized scratch data set (bulk inserts) for the benchmark in bench/ (issue 13)."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=100_000, help="number of dossiers (default 100000)")
        parser.add_argument("--seed", type=int, default=13, help="random seed (same seed, same data)")
        parser.add_argument("--today", help="the date the data set is as of (YYYY-MM-DD; default today)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT")
        parser.add_argument(
            "--yes-scratch-database",
            action="store_true",
            help="allow outside demo mode: this database is a scratch copy",
        )
        parser.add_argument(
            "--bulk-create",
            action="store_true",
            help="insert through Django's bulk_create (several times slower; for comparison)",
        )
        parser.add_argument("--append", action="store_true", help="allow a database that already has dossiers")

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE or options["yes_scratch_database"]):
            raise CommandError(
                "seed_scale writes a large made-up data set and accounts with a published password: it runs only "
                "with DEMO_MODE=true or --yes-scratch-database."
            )
        if Dossier.objects.exists() and not options["append"]:
            raise CommandError("This database already has dossiers; pass --append to add the scale data set anyway.")
        if options["dossiers"] < 1:
            raise CommandError("--dossiers must be at least 1.")
        today = datetime.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        verbose = options["verbosity"] >= 1

        def out(line):
            if verbose:
                self.stdout.write(line)

        seeder = ScaleSeeder(
            dossiers=options["dossiers"],
            seed=options["seed"],
            today=today,
            batch_size=options["batch_size"],
            out=out,
            use_bulk_create=options["bulk_create"],
        )
        elapsed = seeder.run()
        # A database that grew by millions of rows in a minute has no planner statistics yet, and on PostgreSQL
        # no visibility map (a count reads every row instead of an index alone); autovacuum would see to both
        # soon, SQLite never does on its own. Measure what production would see.
        started = time.monotonic()
        # (VACUUM cannot run inside a transaction: the tests call this command inside theirs.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        statement = "VACUUM ANALYZE" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(statement)
        out(f"  {statement} {time.monotonic() - started:.1f} s")
        for label, count in sorted(seeder.counts.items()):
            out(f"  {label:32} {count:>10,} rows {seeder.seconds[label]:6.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {options['dossiers']:,} dossiers in {elapsed:.1f} s "
                f"({connection.vendor}). Password of the scale_* accounts: {SCALE_PASSWORD}"
            )
        )
