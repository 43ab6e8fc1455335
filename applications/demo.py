"""Demo data: organisations in every state and kind, two agencies, one user per role (demo mode only).

Every dossier is moved by the same services the portal uses, at the dates a real cycle would have
used (``now=``), so the demo's timelines and guards are the real ones.
"""

import contextlib
import datetime
import itertools
import zoneinfo

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Role, User
from applications import evaluations, examples, services
from applications.credit_code import example_code as credit_code
from applications.models import (
    ELIGIBILITY_CRITERIA,
    Agency,
    District,
    Dossier,
    EligibilityDeclaration,
    EvaluationMode,
    ExclusionCondition,
    ExclusionDeclaration,
    Kind,
    Organisation,
    Path,
    RemovalGround,
    State,
)
from registry.national_list import apply_national_listing
from registry.services import remove_from_list
from reviews.models import CONFORMITY_ITEMS, ConformityCheck, ExpertAssignment
from reviews.publicity import clear_for_publication
from reviews.recommendation import mark_ready

CONFORMITY_KEYS = [key for key, _label in CONFORMITY_ITEMS]

DEMO_PASSWORD = "demo-green-2026"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

NAME_STEMS = [
    "绿源",
    "华星",
    "鹏程",
    "海川",
    "创维达",
    "蓝海",
    "中科远",
    "科瑞",
    "云峰",
    "朗辉",
    "恒泰",
    "启明",
    "瑞丰",
    "安捷",
    "宏图",
    "兴邦",
    "嘉禾",
    "新宙",
    "德润",
    "联创",
]
NAME_TRADES = ["精密制造", "电子科技", "新能源", "智能装备", "材料科技", "光电", "汽车部件", "医疗器械", "食品", "包装"]
# GB/T 4754-2017 大类 of each trade in the demo's names; parks are run by business-service firms (L72).
TRADE_INDUSTRY = {
    "精密制造": "C34 通用设备制造业",
    "电子科技": "C39 计算机、通信和其他电子设备制造业",
    "新能源": "C38 电气机械和器材制造业",
    "智能装备": "C35 专用设备制造业",
    "材料科技": "C26 化学原料和化学制品制造业",
    "光电": "C39 计算机、通信和其他电子设备制造业",
    "汽车部件": "C36 汽车制造业",
    "医疗器械": "C35 专用设备制造业",
    "食品": "C14 食品制造业",
    "包装": "C22 造纸和纸制品业",
}
PARK_NAMES = ["高新技术产业园", "智能制造产业园", "先进制造业园区", "绿色低碳产业园"]

# (target state, kinds to cover). Order matters only for readability of the demo.
PLAN = [
    (State.POOLED, [Kind.FACTORY, Kind.FACTORY, Kind.FACTORY, Kind.FACTORY, Kind.PARK, Kind.SUPPLY_CHAIN]),
    (State.SUBMITTED, [Kind.FACTORY] * 5 + [Kind.PARK, Kind.SUPPLY_CHAIN]),
    (State.RETURNED, [Kind.FACTORY, Kind.SUPPLY_CHAIN]),
    (State.RECOMMENDED, [Kind.FACTORY, Kind.FACTORY, Kind.FACTORY, Kind.PARK, Kind.SUPPLY_CHAIN]),
    (State.IN_LIBRARY, [Kind.FACTORY, Kind.FACTORY, Kind.PARK]),
    (State.IN_REVIEW, [Kind.FACTORY] * 4 + [Kind.SUPPLY_CHAIN]),
    (State.IN_PUBLICITY, [Kind.FACTORY, Kind.FACTORY]),
    (State.NOMINATED, [Kind.PARK, Kind.SUPPLY_CHAIN]),
    (State.LISTED, [Kind.FACTORY] * 12 + [Kind.PARK, Kind.SUPPLY_CHAIN]),
    (State.RECHECKING, [Kind.FACTORY, Kind.PARK]),
    (State.REMOVED, [Kind.FACTORY, Kind.SUPPLY_CHAIN]),
    (State.WITHDRAWN, [Kind.FACTORY, Kind.PARK]),
    (State.NOT_PASSED, [Kind.FACTORY, Kind.FACTORY, Kind.SUPPLY_CHAIN]),
    (State.LAPSED, [Kind.FACTORY, Kind.PARK, Kind.SUPPLY_CHAIN]),
]
CRITERION_HINTS = {
    "能源低碳化": "单位产品综合能耗、碳排放与可再生能源比例对照基准值和引领值；能源审计与计量是否完整。",
    "资源高效化": "取水、水重复利用、固废综合利用和绿色物料的数据来源是否可核查。",
    "生产洁净化": "污染物排放是否稳定达标，危险废物台账是否规范，清洁生产审核情况。",
    "产品绿色化": "生态设计、有害物质限制和碳足迹核算的证明材料。",
    "用地集约化": "容积率与单位用地产值，是否有闲置或低效用地。",
}
# Totals the annual form asks for beside the template's quantitative indicators (第十九条).
DEMO_TOTALS = [
    ("energy_total", "综合能源消费量", "tce", False),
    ("carbon", "碳排放总量", "tCO₂e", False),
    ("output", "工业总产值", "万元", True),
]
# States reached within the current, still open cycle; the others come from last year's cycle.
OPEN_CYCLE_STATES = {State.POOLED, State.SUBMITTED, State.RETURNED}


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


class DemoWorld:
    def __init__(self, today):
        self.today = today
        # The cycle still open for recommendation, and the one before it.
        self.open_cycle = today.year if today < datetime.date(today.year, 5, 31) else today.year + 1
        self.past_cycle = self.open_cycle - 1
        self.districts = list(District.objects.order_by("sort_order"))
        self.nanshan = District.objects.get(code="nanshan")
        self.futian = District.objects.get(code="futian")
        self.serial = itertools.count(1)
        self.rank = itertools.count(1)
        self.agency_turn = itertools.count()

    @transaction.atomic
    def build(self):
        self.agencies = [
            Agency.objects.create(
                name="深圳市中环绿色评价技术有限公司",
                credit_code=credit_code(901),
                contact_name="王工",
                contact_phone="0755-26000001",
            ),
            Agency.objects.create(
                name="广东省绿色制造评价中心（深圳）",
                credit_code=credit_code(902),
                contact_name="李工",
                contact_phone="0755-26000002",
            ),
        ]
        self.users = self._users()
        self._rounds()
        examples.store_shared_evidence(examples.demo_evidence_pdf())
        self.pending = []
        made = []
        for state, kinds in PLAN:
            for kind in kinds:
                made.append(self._dossier_in(state, kind))
        self._review_and_decide()
        made += self._older_cohort()
        made = [type(d).objects.get(pk=d.pk) for d in made]
        self._applicant_home(made)
        return made

    # ---- people -----------------------------------------------------------------------------------

    def _users(self):
        city = Group.objects.get_or_create(name="市工业和信息化局")[0]
        city.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["applications", "reviews", "registry", "accounts"])
        )
        users = {}
        for username, role, extra, name in [
            ("municipal", Role.MUNICIPAL, {"is_staff": True}, ("陈", "审核")),
            ("staff", Role.STAFF, {"is_staff": True}, ("周", "科员")),
            ("district", Role.DISTRICT, {"district": self.nanshan}, ("刘", "南山")),
            ("district_futian", Role.DISTRICT, {"district": self.futian}, ("赵", "福田")),
            ("expert", Role.EXPERT, {}, ("孙", "专家")),
            ("expert2", Role.EXPERT, {}, ("钱", "专家")),
            ("agency", Role.AGENCY, {"agency": self.agencies[0]}, ("王", "评价")),
            # 三员分立 (GB/T 22239-2019): three administrators, none of them a superuser or business user.
            ("sysadmin", Role.SYSADMIN, {}, ("吴", "系统")),
            ("secadmin", Role.SECADMIN, {}, ("郑", "安全")),
            ("auditadmin", Role.AUDITADMIN, {}, ("冯", "审计")),
        ]:
            user = User.objects.create_user(
                username,
                email=f"{username}@demo.invalid",
                password=DEMO_PASSWORD,
                role=role,
                first_name=name[1],
                last_name=name[0],
                **extra,
            )
            if user.is_staff:
                user.groups.add(city)
            users[username] = user
        admin = User.objects.create_superuser("admin", "admin@demo.invalid", DEMO_PASSWORD, role=Role.STAFF)
        users["admin"] = admin
        return users

    def _applicant_home(self, made):
        """The demo applicant belongs to the first listed factory in 南山区, which also applies this cycle."""
        org = next(d.organisation for d in made if d.state == State.LISTED and d.organisation.district == self.nanshan)
        self.users["applicant"] = User.objects.create_user(
            "applicant",
            email="applicant@demo.invalid",
            password=DEMO_PASSWORD,
            role=Role.APPLICANT,
            organisation=org,
            first_name="企业",
            last_name="联络员",
        )
        self._declare(org, Kind.SUPPLY_CHAIN)
        services.pool(org, Kind.SUPPLY_CHAIN, self.open_cycle, by=self.users["district"], reason="供应链管理企业培育")

    # ---- organisations and dossiers ---------------------------------------------------------------

    def _organisation(self, kind):
        serial = next(self.serial)
        district = self.districts[serial % len(self.districts)]
        if serial % 4 == 0:
            district = self.nanshan  # the demo district officer should have a full queue
        # 7 is coprime with 200 stem-trade pairs, so names are distinct for the first 200 organisations.
        combination = serial * 7 % (len(NAME_STEMS) * len(NAME_TRADES))
        stem, trade = NAME_STEMS[combination % len(NAME_STEMS)], NAME_TRADES[combination // len(NAME_STEMS)]
        if kind == Kind.PARK:
            name = f"深圳{district.name[:-1]}{stem}{PARK_NAMES[serial % len(PARK_NAMES)]}运营管理有限公司"
        else:
            name = f"深圳市{stem}{trade}有限公司"
        org = Organisation.objects.create(
            credit_code=credit_code(serial),
            name=name,
            district=district,
            address=f"深圳市{district.name}示范路{serial}号",
            industry="L72 商务服务业" if kind == Kind.PARK else TRADE_INDUSTRY[trade],
            ownership="民营",
            registration_authority="深圳市市场监督管理局",
            registered_capital=f"{1000 + serial * 50}万元人民币",
            valid_until="长期",
            contact_department="安全环保部",
            legal_representative="张" + stem[0],
            contact_name="联络员" + str(serial),
            contact_phone=f"0755-8{serial:07d}",
        )
        self._declare(org, kind)
        User.objects.create_user(
            f"contact{serial:03d}",
            password=None,
            role=Role.APPLICANT,
            organisation=org,
            first_name=org.contact_name,
            last_name="",
        )
        return org

    def _declare(self, org, kind):
        for criterion in ELIGIBILITY_CRITERIA[kind]:
            EligibilityDeclaration.objects.create(
                organisation=org, kind=kind, criterion=criterion, satisfied=True, evidence="营业执照及说明材料"
            )
        for condition in ExclusionCondition:
            ExclusionDeclaration.objects.get_or_create(
                organisation=org,
                condition=condition,
                defaults={"applies": False, "evidence": "经查询信用中国、国家企业信用信息公示系统，无此情形"},
            )

    def _officer(self, org):
        return self.users["district"] if org.district == self.nanshan else None

    def when(self, year, month, day, hour=10):
        """A real date for past cycles; for the cycle still open, the same order placed in the recent past."""
        moment = at(year, month, day, hour)
        if year < self.open_cycle:
            return moment
        days_ago = 100 - moment.timetuple().tm_yday  # 15 Jan: 85 days ago ... 1 Apr: 9 days ago
        return at(self.today.year, self.today.month, self.today.day, hour) - datetime.timedelta(days=days_ago)

    def _dossier_in(self, target, kind):
        """Phase 1: move a new dossier along its path, up to the expert review at most."""
        org = self._organisation(kind)
        year = self.open_cycle if target in OPEN_CYCLE_STATES else self.past_cycle
        officer = self._officer(org)
        city = self.users["municipal"]
        d = services.pool(org, kind, year, by=officer, now=self.when(year, 1, 15), reason="纳入培育库")
        if target == State.POOLED:
            return d
        if target == State.LAPSED:
            return services.transition(
                d, "lapse", now=at(year, 5, 31, 0), reason="第十五条：推荐截止日已过", via=Path.SWEEP
            )
        if target == State.WITHDRAWN and kind == Kind.PARK:
            return services.transition(
                d, "withdraw", now=self.when(year, 2, 1), reason="园区边界调整，本年度暂不申报", via=Path.ENDPOINT
            )
        d = self._submit(d, year)
        if target == State.SUBMITTED:
            return d
        if target == State.RETURNED:
            reason = "评价报告缺少能源审计数据，请补充后重新提交"
            return services.transition(
                d, "return_for_revision", by=officer, now=self.when(year, 3, 15), reason=reason, via=Path.ENDPOINT
            )
        if target == State.WITHDRAWN:
            return services.transition(
                d, "withdraw", now=self.when(year, 4, 1), reason="企业主动撤回", via=Path.ENDPOINT
            )
        batch = self._district_batch(org.district, year, officer)
        d = mark_ready(d, by=officer, now=at(year, 5, 18))
        d = services.transition(d, "recommend", by=officer, now=at(year, 5, 20), reason="区级综合评价通过", batch=batch)
        if target == State.RECOMMENDED:
            return d
        if target == State.NOT_PASSED and kind == Kind.SUPPLY_CHAIN:
            results = dict.fromkeys(CONFORMITY_KEYS, True)
            results["complete"] = False
            ConformityCheck.objects.create(
                dossier=d, results=results, passed=False, reasons="缺少供应商绿色工厂培育计划", checked_by=city
            )
            reason = "第十六条：申报材料不完整，缺少供应商培育计划"
            return services.transition(d, "fail_conformity", by=city, now=at(year, 6, 20), reason=reason)
        ConformityCheck.objects.create(
            dossier=d,
            results=dict.fromkeys(CONFORMITY_KEYS, True),
            passed=True,
            checked_by=city,
        )
        d = services.transition(d, "pass_conformity", by=city, now=at(year, 6, 20))
        if target == State.IN_LIBRARY:
            return d
        d = services.transition(d, "open_review", by=city, now=at(year, 7, 10))
        for expert in (self.users["expert"], self.users["expert2"]):
            ExpertAssignment.objects.create(dossier=d, expert=expert, assigned_by=city)
        self.pending.append((d, target))
        return d

    def _district_batch(self, district, year, officer):
        from reviews.models import RecommendationBatch

        if officer is None:
            return None
        return RecommendationBatch.objects.get_or_create(
            district=district,
            cycle_year=year,
            defaults={"submitted_by": officer, "submitted_at": at(year, 5, 20), "note": "本区绿色制造推荐名单"},
        )[0]

    def _review_and_decide(self):
        """Phase 2: experts score, the city selects, publicises, publishes, nominates; then dynamic management."""
        from registry.services import publish_list
        from reviews import expert_review, publicity

        city, year = self.users["municipal"], self.past_cycle
        for index, (dossier, target) in enumerate(self.pending):
            if target == State.IN_REVIEW and index % 2:
                continue  # some reviews are still being scored
            for offset, assignment in enumerate(dossier.expert_assignments.all()):
                criteria = expert_review.round_for(dossier.cycle_year, dossier.kind).criteria.all()
                base = 95 - (dossier.pk * 7) % 30 - offset * 3
                scores = {str(c.pk): max(0, min(c.max_score, base - c.order)) for c in criteria}
                expert_review.submit_final(
                    assignment,
                    scores=scores,
                    comment="材料翔实，指标先进。",
                    declares_no_conflict=True,
                    now=at(year, 8, 10),
                )
        listed_targets = {State.LISTED, State.RECHECKING, State.REMOVED}
        ranking = {row["dossier"].pk: row["aggregate"] for row in expert_review.ranking(year, Kind.FACTORY)["rows"]}
        by_score = sorted(self.pending, key=lambda p: -(ranking.get(p[0].pk) or 0))
        factories = [(d, t) for d, t in by_score if d.kind == Kind.FACTORY]
        contact = "市工业和信息化局节能与综合利用处，电话0755-88100000，地址：深圳市福田区市民中心C区"
        past = [(d, ranking.get(d.pk), "") for d, t in factories if t in listed_targets]
        batch = publicity.create_publicity_batch(
            year=year,
            title=f"{year}年度深圳市市级绿色工厂拟认定名单",
            starts_on=datetime.date(year, 8, 31),
            picks=past,
            contact=contact,
            by=city,
            now=at(year, 8, 31),
        )
        for dossier, _score, _note in past:
            clear_for_publication(dossier, now=at(year, 9, 8, 1))
        publish_list(batch, title=f"{year}年度深圳市市级绿色工厂名单", by=city, now=at(year, 9, 10))
        for dossier, target in factories:
            if target == State.NOT_PASSED:
                services.transition(
                    dossier,
                    "not_select",
                    by=city,
                    now=at(year, 8, 20),
                    reason="评审得分未进入择优范围",
                    via=Path.ENDPOINT,
                )
        current = [(d, ranking.get(d.pk), "") for d, t in factories if t == State.IN_PUBLICITY]
        if current:
            from workdays.services import ScheduleNotLoaded, next_working_day

            # 第十七条: near the year's end the next schedule may not be loaded; those stay under review.
            with contextlib.suppress(ScheduleNotLoaded, services.TransitionRefused):
                publicity.create_publicity_batch(
                    year=year,
                    title=f"{year}年度深圳市市级绿色工厂拟认定名单（第二批）",
                    starts_on=next_working_day(self.today),
                    picks=current,
                    contact=contact,
                    by=city,
                )
        for dossier, target in self.pending:
            dossier = type(dossier).objects.get(pk=dossier.pk)
            if dossier.kind != Kind.FACTORY and target != State.IN_REVIEW:
                dossier = services.transition(
                    dossier, "nominate", by=city, now=at(year, 8, 25), reason="遴选推荐至工业和信息化部"
                )
                if target != State.NOMINATED:
                    apply_national_listing(
                        year=year,
                        kind=dossier.kind,
                        organisation=dossier.organisation,
                        name=dossier.organisation.name,
                        region="广东省深圳市",
                        by=city,
                    )
                    dossier = type(dossier).objects.get(pk=dossier.pk)
            self._after_listing(dossier, target)

    def _after_listing(self, dossier, target):
        city, year = self.users["municipal"], self.past_cycle
        if target == State.RECHECKING:
            officer = self._officer(dossier.organisation)
            services.transition(
                dossier,
                "open_recheck",
                by=officer,
                now=at(year, 11, 20),
                reason="专项抽查复核（第二十二条）",
                via=Path.ENDPOINT,
            )
        elif target == State.REMOVED:
            factory = dossier.kind == Kind.FACTORY
            ground = RemovalGround.ENVIRONMENTAL_INCIDENT if factory else RemovalGround.ANNUAL_FORM_NOT_FILED
            reason = "经核实发生Ⅱ级突发环境事件" if factory else "拒不按时填报动态管理表"
            remove_from_list(dossier, ground=ground, reason=reason, by=city, now=at(year, 11, 15))

    def _older_cohort(self):
        """Units listed two cycles ago: their annual forms (one flagged with a name change, one overdue), a report."""
        from applications import annual
        from applications.models import AnnualChange
        from greenfactory.sweeps import run_sweep
        from registry.reports import file_report

        year, city = self.past_cycle - 2, self.users["municipal"]
        for set_year in (year + 1, self.past_cycle, self.open_cycle):
            annual.indicator_set_from_template(
                set_year, evaluations.latest_template(Kind.FACTORY, "GB/T 36132-2025"), totals=DEMO_TOTALS
            )
        from registry.services import publish_list
        from reviews import publicity

        picks = []
        for n in range(3):
            org = self._organisation(Kind.FACTORY)
            if n < 2:
                org.district = self.nanshan
                org.save()
            d = services.pool(org, Kind.FACTORY, year, now=at(year, 1, 15), reason="纳入培育库")
            d = self._submit(d, year)
            d = mark_ready(d, by=None, now=at(year, 5, 18))
            d = services.transition(d, "recommend", now=at(year, 5, 20))
            ConformityCheck.objects.create(
                dossier=d, results=dict.fromkeys(CONFORMITY_KEYS, True), passed=True, checked_by=city
            )
            d = services.transition(d, "pass_conformity", by=city, now=at(year, 6, 20))
            d = services.transition(d, "open_review", by=city, now=at(year, 7, 10))
            # Migrated from before the portal: the review was held on paper, as the recorded reason says.
            picks.append((d, None, "往年评审在线下组织完成，评审记录未录入本平台"))
        batch = publicity.create_publicity_batch(
            year=year,
            title=f"{year}年度深圳市市级绿色工厂拟认定名单",
            starts_on=datetime.date(year, 8, 31),
            picks=picks,
            contact="市工业和信息化局节能与综合利用处 0755-88100000",
            by=city,
            now=at(year, 8, 31),
        )
        for d, _score, _note in picks:
            clear_for_publication(d, now=at(year, 9, 9, 1))
        publish_list(batch, title=f"{year}年度深圳市市级绿色工厂名单", by=city, now=at(year, 9, 12))
        cohort = [Dossier.objects.get(pk=d.pk) for d, _score, _note in picks]
        no = {str(c): {"applies": False, "evidence": "经自查无此情形"} for c in range(1, 7)}
        values = {"EN1": "0.048", "EN2": "18", "EN3": "0.15", "RE1": "2.6", "RE2": "88", "RE3": "93", "RE4": "41",
                  "CL1": "0.22", "LA1": "1450", "LA2": "1.3", "energy_total": "5200", "carbon": "12800",
                  "output": "86000"}  # fmt: skip
        contact = cohort[0].organisation.users.first()
        for unit in cohort:
            report = annual.open_report(unit, year + 1)
            annual.submit_report(report, values=values, compliance=no, changes=[], by=contact)
            annual.check_report(report, accept=True, note="", by=self.users["district"])
        flagged = annual.open_report(cohort[0], self.past_cycle)
        worse = values | {"EN1": "0.062", "EN2": "12"}
        name_change = [
            (AnnualChange.Field.NAME, cohort[0].organisation.name.replace("有限公司", "股份有限公司"), "完成股份制改造")
        ]
        flagged = annual.submit_report(flagged, values=worse, compliance=no, changes=name_change, by=contact)
        annual.propose_change(flagged.changes.get(), opinion="已核实营业执照变更登记", by=self.users["district"])
        accepted = annual.open_report(cohort[2], self.past_cycle)
        annual.submit_report(accepted, values=values, compliance=no, changes=[], by=contact)
        run_sweep("mark_overdue_annual_forms", at(self.past_cycle, 3, 16, 1))  # opens cohort[1]'s form, overdue
        file_report(
            organisation=cohort[2].organisation,
            name="张某某",
            contact="13800000000",
            content="该企业年度能耗数据与实际用电量明显不符。",
            evidence=ContentFile(MINIMAL_PDF, name="电费单.pdf"),
        )
        from registry.models import NationalListing

        grades = iter(["A+", "A", "B"])
        for national in Dossier.objects.filter(level="national").select_related("organisation"):
            NationalListing.objects.update_or_create(
                year=self.past_cycle,
                kind=national.kind,
                organisation=national.organisation,
                defaults={
                    "name_in_list": national.organisation.name,
                    "region": "广东省深圳市",
                    "green_code_grade": next(grades, "B"),
                    "green_code_year": self.past_cycle,
                },
            )
        return cohort

    def _rounds(self):
        from decimal import Decimal

        from reviews.models import Criterion, Round

        areas = [("能源低碳化", 25), ("资源高效化", 25), ("生产洁净化", 20), ("产品绿色化", 15), ("用地集约化", 15)]
        for year in (self.past_cycle, self.open_cycle):
            for kind in Kind.values:
                # Last year's factories were evaluated under GB/T 36132-2018; this year's under -2025.
                standard = "GB/T 36132-2018" if kind == Kind.FACTORY and year == self.past_cycle else None
                review_round = Round.objects.create(
                    year=year,
                    kind=kind,
                    template=evaluations.latest_template(kind, standard),
                    standard=standard or Round.Standard.GBT_36132_2025,
                    pass_mark=Decimal(60),
                    scoring_deadline=datetime.date(year, 8, 20),
                    select_count=8,
                    third_party_required=False,
                    objection_contact="市工业和信息化局节能与综合利用处 0755-88100000",
                )
                for order, (name, weight) in enumerate(areas, start=1):
                    Criterion.objects.create(
                        round=review_round,
                        name=name,
                        weight=Decimal(weight),
                        max_score=100,
                        order=order,
                        description=CRITERION_HINTS.get(name, ""),
                    )

    def _submit(self, d, year):
        if d.kind == Kind.FACTORY and d.pk % 2:
            d.evaluation_mode = EvaluationMode.AGENCY
            d.agency = self.agencies[next(self.agency_turn) % len(self.agencies)]
            d.save()
        contact = d.organisation.users.first()
        # Units differ: each figure lies between the template's baseline and leading value.
        examples.fill(
            d, by=contact, strength=0.35 + (d.pk * 37 % 60) / 100, shared_evidence=True, now=self.when(year, 2, 20)
        )
        d.report.save(f"report-{d.pk}.pdf", ContentFile(MINIMAL_PDF), save=False)
        d.report_attested = True
        d.save()
        return services.transition(d, "submit", by=contact, now=self.when(year, 3, 1), reason="提交自评价报告")
