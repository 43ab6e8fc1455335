"""Scoring an evaluation against its template (EVALUATION.md), the same rules the browser shows live.

- 基本要求 (veto): every one must be met, or the evaluation fails whatever its points.
- 必选 (required): points when met; one not met fails the evaluation (GB/T 36132-2018 §5).
- 可选 (optional): points when met.
- 定量 (quantitative): by where the value lies between the baseline (基准值) and the leading value
  (引领值): nothing short of the baseline, ``baseline_share`` of the points at it, all points at or beyond
  the leading value, linear between. ``direction`` says whether lower or higher is better.
- The total passes when nothing vetoes and it reaches the round's pass mark.

``static/js/scoring.js`` mirrors this module for the live score; a browser test compares the two.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from applications.models.standards import Direction, ItemKind

TWO_PLACES = Decimal("0.01")


def quantitative_points(value, *, points, baseline, leading, direction, baseline_share):
    """Points of a figure between baseline and leading value; None when it cannot be scored yet."""
    if value is None or baseline is None or leading is None:
        return None
    value, baseline, leading = Decimal(value), Decimal(baseline), Decimal(leading)
    if baseline == leading:
        reached = value <= leading if direction == Direction.LOWER else value >= leading
        return points if reached else Decimal(0)
    # Progress from the baseline (0) to the leading value (1), whichever way is better.
    progress = (value - baseline) / (leading - baseline)
    if progress < 0:
        return Decimal(0)
    if progress >= 1:
        return Decimal(points)
    share = Decimal(baseline_share)
    return Decimal(points) * (share + (1 - share) * progress)


@dataclass
class ItemResult:
    code: str
    kind: str
    points: Decimal
    earned: Decimal | None  # None: not answered (or not yet scorable)
    met: bool | None
    value: Decimal | None


@dataclass
class AreaResult:
    code: str
    name: str
    earned: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    items: list = field(default_factory=list)


@dataclass
class Score:
    areas: list
    total: Decimal
    possible: Decimal
    vetoed: list  # codes of basic requirements not met
    required_unmet: list  # codes of required items not met
    unanswered: list  # codes of items with no answer yet
    pass_mark: Decimal | None

    @property
    def passes(self):
        if self.vetoed or self.required_unmet or self.unanswered:
            return False
        return self.pass_mark is None or self.total >= self.pass_mark

    def as_json(self):
        """The frozen form kept with a submission (decimals as strings)."""
        return {
            "total": str(self.total),
            "possible": str(self.possible),
            "pass_mark": None if self.pass_mark is None else str(self.pass_mark),
            "passes": self.passes,
            "vetoed": self.vetoed,
            "required_unmet": self.required_unmet,
            "unanswered": self.unanswered,
            "areas": [
                {
                    "code": area.code,
                    "name": area.name,
                    "earned": str(area.earned),
                    "possible": str(area.possible),
                    "items": {r.code: None if r.earned is None else str(r.earned) for r in area.items},
                }
                for area in self.areas
            ],
        }


def as_decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def score(template, answers, *, pass_mark=None, items=None):
    """Score ``answers`` ({item code: {"met": bool|None, "value": number|None}}) against ``template``."""
    items = list(items if items is not None else template.ordered_items())
    areas, by_area = [], {}
    vetoed, required_unmet, unanswered = [], [], []
    for item in items:
        area = by_area.get(item.area_id)
        if area is None:
            area = by_area[item.area_id] = AreaResult(item.area.code, item.area.name)
            areas.append(area)
        answer = answers.get(item.code) or {}
        met, value = answer.get("met"), as_decimal(answer.get("value"))
        earned = None
        if item.kind == ItemKind.QUANTITATIVE:
            earned = quantitative_points(
                value,
                points=item.points,
                baseline=item.baseline,
                leading=item.leading,
                direction=item.direction,
                baseline_share=template.baseline_share,
            )
            if value is None:
                unanswered.append(item.code)
        elif met is None:
            unanswered.append(item.code)
        elif item.kind == ItemKind.VETO:
            if not met:
                vetoed.append(item.code)
        else:
            earned = Decimal(item.points) if met else Decimal(0)
            if item.kind == ItemKind.REQUIRED and not met:
                required_unmet.append(item.code)
        if earned is not None:
            earned = earned.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            area.earned += earned
        if item.kind != ItemKind.VETO:
            area.possible += Decimal(item.points)
        area.items.append(ItemResult(item.code, item.kind, Decimal(item.points), earned, met, value))
    total = sum((a.earned for a in areas), Decimal(0))
    possible = sum((a.possible for a in areas), Decimal(0))
    return Score(areas, total, possible, vetoed, required_unmet, unanswered, as_decimal(pass_mark))


def template_json(template, items=None):
    """What the browser needs to score as the applicant types (mirrors ``score``)."""
    items = list(items if items is not None else template.ordered_items())
    return {
        "baseline_share": str(template.baseline_share),
        "items": [
            {
                "code": item.code,
                "area": item.area.code,
                "kind": item.kind,
                "points": str(item.points),
                "baseline": None if item.baseline is None else str(item.baseline),
                "leading": None if item.leading is None else str(item.leading),
                "direction": item.direction,
            }
            for item in items
        ],
    }
