"""What the ARE activities take and return, per workflow: campaign (import, computation,
commission table, batches), complementary request, spending report."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from models.are.commun import Montants, _Modele
from models.are.evenements import BilanDepose, LigneComplement
from rules.are import Enveloppe

# --- campaign: activity inputs and results --------------------------------------------------


class ErreurImport(_Modele):
    """One refused value of an imported file: file, line (the header is line 1), field, value
    and the rule, with the French message built from them."""

    fichier: Literal["effectifs", "etablissements"]
    ligne: int
    champ: str
    valeur: str
    regle: str
    message: str


class EntreeImport(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    fichier_effectifs: str
    fichier_etablissements: str


class ResultatImport(_Modele):
    version: int
    valide: bool
    nombre_etablissements: int = 0
    nombre_lignes: int = 0
    nombre_erreurs: int = 0
    erreurs: list[ErreurImport] = Field(
        default_factory=list, description="les premières erreurs (toutes dans le rapport)"
    )
    rapport_erreurs: str | None = None
    donnees: str | None = Field(default=None, description="import normalisé (JSON)")
    empreinte: str | None = Field(default=None, description="SHA-256 de l'import normalisé")


class ReliquatRecu(_Modele):
    reliquats: Montants
    bilan: str
    evenement_id: str
    apres_vote: bool = False


class EntreeCalcul(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    donnees: str
    empreinte: str
    reliquats: dict[str, Montants] = Field(default_factory=dict)


class DotationEtablissement(_Modele):
    """What the workflow keeps of a school's allocation: enough to notify, pay and ask the
    spending report (the details are in the table's files)."""

    uai: str
    dotation: Montants
    reliquats: Montants
    motifs: list[str] = Field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.dotation.total


class ResultatCalcul(_Modele):
    version: int
    version_regle: str
    forfait_standard: Decimal
    forfait_prepa_metiers: Decimal
    brut: Montants
    reliquats: Montants
    dotation: Montants
    nombre_etablissements: int
    nombre_dotes: int
    dotations: list[DotationEtablissement]
    calcul: str = Field(description="calcul détaillé (JSON)")
    empreinte: str

    @property
    def total(self) -> Decimal:
        return self.dotation.total


class EntreeTable(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    calcul: str
    empreinte: str


class TableCommission(_Modele):
    version: int
    csv: str
    rapport: str
    empreinte_csv: str


class LotCampagne(_Modele):
    """A batch of schools to notify and pay after the vote."""

    campagne: str
    annee_scolaire: str
    deliberation: str
    date_vote: date
    horodatage: datetime
    dotations: list[DotationEtablissement]


class ResultatLot(_Modele):
    notifications: int
    ordres: int
    montant: Decimal


# --- complementary request: activity inputs and results -------------------------------------


class EntreeEvaluationComplement(_Modele):
    annee_scolaire: str
    lignes: list[LigneComplement]


class LigneEvaluee(_Modele):
    code_diplome: str
    enveloppe: Enveloppe
    effectif_supplementaire: int
    eligible: bool
    hors_liste: bool
    forfait: Decimal
    montant: Decimal
    motif: str | None = None


class EvaluationComplement(_Modele):
    version_regle: str
    lignes: list[LigneEvaluee]
    montants_demandes: Montants = Field(description="lignes éligibles seulement")

    @property
    def eligible(self) -> bool:
        return self.montants_demandes.total > 0


class EntreeConditionsComplement(_Modele):
    uai: str
    annee_scolaire: str
    lignes: list[LigneComplement]


class LigneCondition(_Modele):
    """One line of a complementary request against the campaign's n-1 count."""

    code_diplome: str
    enveloppe: Enveloppe
    effectif_n1: int = Field(description="effectif n-1 retenu par la campagne (0 si absent)")
    effectif_rentree: int | None
    effectif_supplementaire: int
    motif: str | None = None
    message: str | None = None


class ConditionsComplement(_Modele):
    """The seed's conditions of a complement, checked against the year's campaign
    (`verifier_conditions_complement_are`): voted, and an increase on every line."""

    campagne: str
    statut_campagne: str | None = Field(description="None : campagne inconnue")
    deliberation: str | None = None
    version_table: int | None = None
    lignes: list[LigneCondition] = Field(default_factory=list)
    motifs: list[str] = Field(
        default_factory=list, description="les raisons, en français (vide : conditions remplies)"
    )

    @property
    def remplies(self) -> bool:
        return not self.motifs


class SessionCommission(_Modele):
    reference: str
    date_session: date


class EntreeSession(_Modele):
    jour: date = Field(description="la prochaine session est strictement après ce jour")


class ResultatSession(_Modele):
    session: SessionCommission | None = None


# --- spending report: activity inputs and results -------------------------------------------


class EntreeVerificationBilan(_Modele):
    bilan: BilanDepose
    dotations_versees: Montants | None = None
    reliquats_connus: Montants | None = None


class AnomalieBilan(_Modele):
    code: str
    message: str
    ligne: int | None = None
    enveloppe: Enveloppe | None = None


class VerificationBilan(_Modele):
    valide: bool
    anomalies: list[AnomalieBilan]
    ressources: Montants
    depenses: Montants
    reliquats: Montants
    eleves_aides: int
