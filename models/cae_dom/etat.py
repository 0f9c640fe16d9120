"""What the CAE-DOM rules are evaluated on and return (`activities.regles_cae_dom`), and the
workflow's state (`EtatCaeDom`: statuses, quarters, orders, amounts)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.cae_dom.convention import ConventionCaeDom, DureeHebdomadaire
from models.cae_dom.decisions import DecisionCaeDom
from models.cae_dom.evenements import EtatPresenceCaeDom
from models.dossier import Anomalie, Registre
from rules import cae_dom

# --- what the rules are evaluated on, and what they return (activities.regles_cae_dom) -------


class ParametresPeriode(BaseModel):
    """The aid parameters in force from `a_partir_du` until the next period (amendments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a_partir_du: date
    niveau_prime_mensuel: Decimal
    duree_hebdomadaire_minutes: int = Field(gt=0)
    duree_collective_minutes: int = Field(gt=0)

    @property
    def montant_mensuel(self) -> Fraction:
        return cae_dom.montant_mensuel(
            self.niveau_prime_mensuel,
            cae_dom.quotite(self.duree_hebdomadaire_minutes, self.duree_collective_minutes),
        )


def minutes(duree: DureeHebdomadaire) -> int:
    return duree.heures * 60 + duree.minutes


class EvaluationConvention(BaseModel):
    """`evaluer_convention_cae_dom`: eligibility, maximum duration, the territory's time zone,
    the first aid period and the planned schedule, with the rule version."""

    version_regles: str
    motifs: list[str]
    duree_maximale_mois: int
    date_fin_maximale: date
    debut_initial: date | None = Field(
        default=None,
        description="début de la prise en charge initiale, d'où compte la durée maximale "
        "(absent des évaluations antérieures : le début de la première période)",
    )
    duree_reevaluee_par: str | None = Field(
        default=None,
        description="avenant de renouvellement dont la situation a fixé la durée maximale",
    )
    departement: str
    fuseau_horaire: str
    periode: ParametresPeriode
    echeancier: list[cae_dom.EcheanceTrimestrielle]


class EntreeEcheancier(BaseModel):
    """The aid periods, the planned coverage end and the effective end, if any."""

    periodes: list[ParametresPeriode] = Field(min_length=1)
    fin: date
    date_fin_effective: date | None = None


class EntreeLiquidation(EntreeEcheancier):
    etats: list[EtatPresenceCaeDom] = Field(min_length=1)


class Liquidation(BaseModel):
    """One quarter's amount from its attendance statement (`liquider_trimestres_cae_dom`)."""

    version_regles: str
    trimestre: str
    du: date | None = Field(description="premier jour couvert (vide: aucun jour dû)")
    au: date | None
    jours_couverts: int
    jours_non_travailles: int
    montant_sans_absence: Decimal
    montant: Decimal


# --- the workflow's state -------------------------------------------------------------------


class Statut(StrEnum):
    NOUVEAU = "nouveau"
    REFUSE = "refuse"
    EN_COURS = "en_cours"
    SUSPENDU = "suspendu"
    """Payments suspended by an instructor (decision `suspendre_paiements`)."""
    ROMPU = "rompu"
    RECOUVREMENT = "recouvrement"
    CLOS = "clos"


STATUTS_TERMINAUX = frozenset({Statut.REFUSE, Statut.CLOS})


class StatutTrimestre(StrEnum):
    A_VENIR = "a_venir"
    ATTENTE_ETAT = "attente_etat"
    EN_INSTRUCTION = "en_instruction"
    """The statement's deadline passed without it: an instructor decides."""
    SUSPENDU = "suspendu"
    """Liquidated while payments are suspended: ordered when they resume."""
    ORDONNE = "ordonne"
    REJETE = "rejete"
    PAYE = "paye"
    NEANT = "neant"
    ANNULE = "annule"


TRIMESTRES_LIQUIDES = frozenset(
    {
        StatutTrimestre.ORDONNE,
        StatutTrimestre.REJETE,
        StatutTrimestre.PAYE,
        StatutTrimestre.NEANT,
        StatutTrimestre.SUSPENDU,
    }
)
TRIMESTRES_SOLDES = frozenset({StatutTrimestre.PAYE, StatutTrimestre.NEANT, StatutTrimestre.ANNULE})


class TrimestreCaeDom(BaseModel):
    """One calendar quarter of the schedule and where it stands."""

    trimestre: str
    du: date
    au: date
    montant_prevu: Decimal = Field(description="montant de l'échéancier, sans absence")
    date_paiement: date = Field(description="lendemain de la fin du trimestre")
    statut: StatutTrimestre = StatutTrimestre.A_VENIR
    etat_presence: EtatPresenceCaeDom | None = None
    liquidation: Liquidation | None = None
    montant_du: Decimal | None = Field(
        default=None, description="montant liquidé; après une rupture, recalculé à la fin effective"
    )
    montant_verse: Decimal = Decimal("0.00")
    tentatives: int = Field(default=0, description="ordres de paiement émis pour ce trimestre")
    rappels: list[str] = Field(default_factory=list, description="échéances traitées")
    date_limite_etat: date | None = Field(
        default=None,
        description="date limite de l'état de présence, fixée quand il est demandé "
        "(absente des trimestres demandés avant qu'elle existe)",
    )
    sans_etat_presence: bool = Field(
        default=False,
        description="payé sur la durée du contrat, sans état de présence (décision)",
    )

    @property
    def dernier_jour(self) -> date:
        return cae_dom.Trimestre.depuis_libelle(self.trimestre).dernier_jour


class OrdreCaeDom(BaseModel):
    id: str
    nature: Literal["paiement", "reversement"]
    periode: str = Field(description="trimestre payé, ou « reversement »")
    montant: Decimal
    statut: Literal["emis", "execute", "rejete", "recouvre"]
    rib_reference: str | None = None
    emis_le: date
    solde_le: date | None = None
    montant_recu: Decimal = Decimal("0.00")


class EtatCaeDom(BaseModel):
    """What the `etat` query returns; also carried over continue-as-new and returned."""

    cle: str
    statut: Statut = Statut.NOUVEAU
    convention: ConventionCaeDom | None = None
    evaluation: EvaluationConvention | None = None
    motifs_refus: list[str] = Field(default_factory=list)
    periodes: list[ParametresPeriode] = Field(default_factory=list)
    date_fin: date | None = Field(default=None, description="fin de prise en charge en vigueur")
    date_fin_effective: date | None = None
    motif_rupture: str | None = None
    avenants: list[str] = Field(default_factory=list, description="numéros des avenants appliqués")
    rib_reference: str | None = None
    trimestres: list[TrimestreCaeDom] = Field(default_factory=list)
    ordres: list[OrdreCaeDom] = Field(default_factory=list)
    montant_accorde: Decimal = Decimal("0.00")
    montant_verse: Decimal = Decimal("0.00")
    montant_du: Decimal = Decimal("0.00")
    montant_a_recuperer: Decimal = Decimal("0.00")
    montant_recouvre: Decimal = Decimal("0.00")
    motif_suspension: str | None = None
    decisions: list[DecisionCaeDom] = Field(
        default_factory=list, description="décisions des instructeurs appliquées"
    )
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def trimestre(self, libelle: str) -> TrimestreCaeDom | None:
        return next((t for t in self.trimestres if t.trimestre == libelle), None)

    def ordre(self, ordre_id: str, nature: str) -> OrdreCaeDom | None:
        return next((o for o in self.ordres if o.id == ordre_id and o.nature == nature), None)
