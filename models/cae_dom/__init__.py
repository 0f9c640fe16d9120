"""CAE-DOM convention between the State, the employer and the employee: every Cerfa field.

Source: `shared/seeds/004_022d0843bed3b39c.txt`, annexe III, Cerfa « Contrat unique d'insertion
- contrat d'accès à l'emploi (CAE-DOM) - convention entre l'État, l'employeur et le salarié »
(ASP 0562 12 10), its notice and its code tables. Sandbox-safe pydantic models: the code tables
are read by `rules.cae_dom.referentiel()` on first use and kept for the life of the process.

A bad value is refused with a French message naming the field, the value and the rule; pydantic
adds the field's path.

The modules follow the Cerfa, then the workflow: `parties` (the convention number, addresses,
employer, employee and the employee's situation), `convention` (contract, planned actions,
State support, the whole convention), `evenements` (the ASP's events), `etat` (what the rules
are evaluated on and return, the workflow's state); `commun` what they share. Importers use
this package's names.
"""

from models.cae_dom.convention import (
    ActionAccompagnement,
    ActionFormation,
    ActionsPrevues,
    ContratTravail,
    ConventionCaeDom,
    DureeHebdomadaire,
    Initiative,
    PriseEnCharge,
    TypeAccompagnement,
    TypeContrat,
    TypeFormation,
)
from models.cae_dom.decisions import DecisionCaeDom, TypeDecisionCaeDom
from models.cae_dom.etat import (
    STATUTS_TERMINAUX,
    TRIMESTRES_LIQUIDES,
    TRIMESTRES_SOLDES,
    EntreeEcheancier,
    EntreeLiquidation,
    EtatCaeDom,
    EvaluationConvention,
    Liquidation,
    OrdreCaeDom,
    ParametresPeriode,
    Statut,
    StatutTrimestre,
    TrimestreCaeDom,
    minutes,
)
from models.cae_dom.evenements import (
    WORKFLOW,
    CoordonneesBancairesCaeDom,
    EtatPresenceCaeDom,
    ModificationCaeDom,
    PaiementExecuteCaeDom,
    PaiementRejeteCaeDom,
    PeriodeAbsence,
    RenouvellementCaeDom,
    ReversementRecuCaeDom,
    RuptureCaeDom,
    SituationRenouvellement,
)
from models.cae_dom.parties import (
    Adresse,
    AdresseTerritoire,
    Anciennete,
    AncienneteMinima,
    Civilite,
    Employeur,
    JeuneSortant,
    Nationalite,
    NumeroConvention,
    Salarie,
    SituationAnterieure,
)

__all__ = [
    "STATUTS_TERMINAUX",
    "TRIMESTRES_LIQUIDES",
    "TRIMESTRES_SOLDES",
    "WORKFLOW",
    "ActionAccompagnement",
    "ActionFormation",
    "ActionsPrevues",
    "Adresse",
    "AdresseTerritoire",
    "Anciennete",
    "AncienneteMinima",
    "Civilite",
    "ContratTravail",
    "ConventionCaeDom",
    "CoordonneesBancairesCaeDom",
    "DecisionCaeDom",
    "DureeHebdomadaire",
    "Employeur",
    "EntreeEcheancier",
    "EntreeLiquidation",
    "EtatCaeDom",
    "EtatPresenceCaeDom",
    "EvaluationConvention",
    "Initiative",
    "JeuneSortant",
    "Liquidation",
    "ModificationCaeDom",
    "Nationalite",
    "NumeroConvention",
    "OrdreCaeDom",
    "PaiementExecuteCaeDom",
    "PaiementRejeteCaeDom",
    "ParametresPeriode",
    "PeriodeAbsence",
    "PriseEnCharge",
    "RenouvellementCaeDom",
    "ReversementRecuCaeDom",
    "RuptureCaeDom",
    "Salarie",
    "SituationAnterieure",
    "SituationRenouvellement",
    "Statut",
    "StatutTrimestre",
    "TrimestreCaeDom",
    "TypeAccompagnement",
    "TypeContrat",
    "TypeDecisionCaeDom",
    "TypeFormation",
    "minutes",
]
