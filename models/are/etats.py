"""The instructors' decisions and the states of the three ARE workflows, and the ids derived
from them (dossier keys, notifications, payment orders)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field

from models.are.activites import (
    BilanN1Recu,
    ConditionsComplement,
    EvaluationComplement,
    ReliquatRecu,
    ResultatCalcul,
    ResultatImport,
    SessionCommission,
    TableCommission,
    VerificationBilan,
)
from models.are.commun import ZERO, Montants, _Modele
from models.are.evenements import BilanDemande, BilanDepose, DemandeComplementaire, RefusSignal
from models.dossier import Anomalie, Registre
from rules.are import Enveloppe

# --- anomalies, decisions -------------------------------------------------------------------


class TypeDecisionCampagne(StrEnum):
    VOTER = "voter"
    """Record the commission permanente's vote of the table (its version)."""
    RECALCULER = "recalculer"
    """Import and compute again (the files were fixed in place, leftovers arrived late...)."""


class DecisionCampagne(_Modele):
    """An instructor's decision on a campaign, through the `decider` update."""

    type: TypeDecisionCampagne
    auteur: str = Field(min_length=1, max_length=200)
    date_vote: date | None = None
    deliberation: str | None = Field(
        default=None, max_length=100, description="référence de la délibération, ex. CP 2023-456"
    )
    version_table: int | None = Field(
        default=None, ge=1, description="version de la table soumise au vote"
    )
    motif: str | None = Field(default=None, max_length=2000)


class TypeDecisionComplement(StrEnum):
    INSCRIRE = "inscrire"
    """Queue the request for the next commission permanente session."""
    REJETER = "rejeter"
    AJOURNER = "ajourner"
    """The session postponed it: queue it for the following session."""
    STATUER = "statuer"
    """Record the commission's decision: the amounts granted (may differ, with a reason)."""
    REEXAMINER = "reexaminer"
    """Check the conditions again (e.g. the campaign has been voted since)."""


class DecisionComplement(_Modele):
    type: TypeDecisionComplement
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    montants_accordes: Montants | None = None
    deliberation: str | None = Field(default=None, max_length=100)


class TypeDecisionBilan(StrEnum):
    PROROGER = "proroger"
    """Give the school a new deadline."""
    CLORE_SANS_SUITE = "clore_sans_suite"


class DecisionBilan(_Modele):
    type: TypeDecisionBilan
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    date_limite: date | None = None


# --- states ---------------------------------------------------------------------------------


class StatutCampagne(StrEnum):
    NOUVELLE = "nouvelle"
    """Started by leftovers of last year's reports; the Région has not opened it yet."""
    IMPORT_REFUSE = "import_refuse"
    TABLE_PRODUITE = "table_produite"
    VOTEE = "votee"
    PAYEE = "payee"
    """Notifications and payment orders published; waiting for the end of the school year."""
    BILANS_DEMANDES = "bilans_demandes"


class VoteCommission(_Modele):
    auteur: str
    date_vote: date
    deliberation: str
    version_table: int


class EtatCampagne(_Modele):
    """What the `etat` query returns; also the workflow's result."""

    cle: str
    statut: StatutCampagne = StatutCampagne.NOUVELLE
    annee_scolaire: str | None = None
    fichier_effectifs: str | None = None
    fichier_etablissements: str | None = None
    date_demande_bilans: date | None = None
    a_recalculer: bool = False
    version: int = 0
    import_: ResultatImport | None = None
    calcul: ResultatCalcul | None = None
    table: TableCommission | None = None
    reliquats: dict[str, ReliquatRecu] = Field(default_factory=dict)
    bilans_n1: dict[str, BilanN1Recu] = Field(
        default_factory=dict,
        description="par UAI, le bilan n-1 manquant à son échéance ou déposé en retard (un "
        "bilan déposé à temps n'y figure pas)",
    )
    vote: VoteCommission | None = None
    lots_publies: int = 0
    ordres_emis: int = 0
    montant_ordonne: Decimal = ZERO
    lots_bilans: int = 0
    bilans_demandes: int = 0
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)


class StatutComplement(StrEnum):
    NOUVEAU = "nouveau"
    CONDITIONS_NON_REMPLIES = "conditions_non_remplies"
    """Instruction: the campaign is not voted or a line shows no increase (the reasons are
    in `EtatComplement.conditions`); the request is not priced. Decisions: `reexaminer`,
    `rejeter`; a new version of the request is checked again."""
    INSTRUCTION = "instruction"
    ATTENTE_COMMISSION = "attente_commission"
    EN_COMMISSION = "en_commission"
    REJETEE = "rejetee"
    PAIEMENT_EMIS = "paiement_emis"


STATUTS_COMPLEMENT_TERMINAUX = frozenset({StatutComplement.REJETEE, StatutComplement.PAIEMENT_EMIS})


class DecisionCommission(_Modele):
    session: SessionCommission
    deliberation: str
    montants_accordes: Montants
    motif: str | None
    auteur: str


class OrdreAre(_Modele):
    id: str
    enveloppe: Enveloppe
    montant: Decimal
    statut: Literal["emis"] = "emis"


class EtatComplement(_Modele):
    cle: str
    statut: StatutComplement = StatutComplement.NOUVEAU
    demande: DemandeComplementaire | None = None
    evaluation: EvaluationComplement | None = None
    conditions: ConditionsComplement | None = None
    session: SessionCommission | None = None
    sessions_ajournees: list[SessionCommission] = Field(default_factory=list)
    commission: DecisionCommission | None = None
    ordres: list[OrdreAre] = Field(default_factory=list)
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    decisions: list[DecisionComplement] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)


class StatutBilan(StrEnum):
    NOUVEAU = "nouveau"
    ATTENTE_BILAN = "attente_bilan"
    A_CORRIGER = "a_corriger"
    EN_RETARD = "en_retard"
    VALIDE = "valide"
    CLOS_SANS_SUITE = "clos_sans_suite"


STATUTS_BILAN_TERMINAUX = frozenset({StatutBilan.VALIDE, StatutBilan.CLOS_SANS_SUITE})


class ComplementRecu(_Modele):
    demande: str
    montants: Montants
    deliberation: str


class EtatBilan(_Modele):
    cle: str
    uai: str | None = None
    annee_scolaire: str | None = None
    statut: StatutBilan = StatutBilan.NOUVEAU
    date_demande: date | None = None
    date_limite: date | None = None
    campagne: BilanDemande | None = None
    complements: list[ComplementRecu] = Field(default_factory=list)
    bilan: BilanDepose | None = None
    bilans_recus: int = 0
    verification: VerificationBilan | None = None
    reliquats: Montants | None = None
    depose_en_retard: bool = False
    transmis_a: str | None = None
    rappels_envoyes: list[str] = Field(default_factory=list)
    decisions: list[DecisionBilan] = Field(default_factory=list)
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def dotations_versees(self) -> Montants | None:
        """Initial allocation (known once the campaign asked the report) plus complements."""
        if self.campagne is None:
            return None
        total = self.campagne.dotation_initiale
        for complement in self.complements:
            total = total.plus(complement.montants)
        return total


# --- ids ------------------------------------------------------------------------------------


def cle_etablissement(uai: str, annee_scolaire: str) -> str:
    """The school-year key: the spending report's workflow key and the subject of every
    outbound event about that school and year."""
    return f"{uai}:{annee_scolaire}"


def id_notification_campagne(campagne: str, uai: str) -> str:
    return f"{campagne}/notification/{uai}"


def id_ordre_campagne(campagne: str, uai: str, enveloppe: Enveloppe) -> str:
    """Idempotency key of an initial allocation's payment order: one per school and envelope
    (the envelopes are separate budget lines, never merged)."""
    return f"{campagne}/paiement/{uai}/{enveloppe.value}"
