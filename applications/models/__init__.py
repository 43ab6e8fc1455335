from applications.models.annual import AnnualChange, AnnualReport, Indicator, IndicatorSet
from applications.models.dossiers import (
    REASON_REQUIRED,
    TRANSITION_LABELS,
    TRANSITION_NAMES,
    Dossier,
    EvaluationMode,
    RemovalGround,
    State,
    TransitionLog,
)
from applications.models.evaluation import INDICATORS, PoolRequest, SelfEvaluation
from applications.models.organisations import (
    ELIGIBILITY_CRITERIA,
    Agency,
    EligibilityCriterion,
    EligibilityDeclaration,
    ExclusionCondition,
    ExclusionDeclaration,
    Organisation,
)
from applications.models.reference import District, Kind, Level

__all__ = [
    "ELIGIBILITY_CRITERIA",
    "INDICATORS",
    "REASON_REQUIRED",
    "TRANSITION_LABELS",
    "TRANSITION_NAMES",
    "Agency",
    "AnnualChange",
    "AnnualReport",
    "District",
    "Dossier",
    "EligibilityCriterion",
    "EligibilityDeclaration",
    "EvaluationMode",
    "ExclusionCondition",
    "ExclusionDeclaration",
    "Indicator",
    "IndicatorSet",
    "Kind",
    "Level",
    "Organisation",
    "PoolRequest",
    "RemovalGround",
    "SelfEvaluation",
    "State",
    "TransitionLog",
]
