"""What the ARE activities take and return, per workflow: campaign (import, computation,
commission table, batches), complementary request, spending report."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
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


class SituationBilanN1(StrEnum):
    """A school's N-1 spending report, when it is not one deposited in time (the CSV column
    `bilan_n1` of the commission table)."""

    MANQUANT = "manquant"
    """Asked by guichet, not deposited (or not valid) at its due date."""
    DEPOSE_EN_RETARD = "depose_en_retard"
    """Valid, but deposited after its due date."""


class BilanN1(_Modele):
    """What the commission table says of a school's N-1 spending report: missing at its due
    date, or deposited late. Information for the commission: the allocation does not depend on
    it (docs/are.md, « Choices where the texts are silent »)."""

    situation: SituationBilanN1
    date_limite: date | None = Field(
        default=None,
        description="échéance du bilan (inconnue d'un bilan en retard d'avant le signal)",
    )
    bilan: str | None = Field(default=None, description="le dossier du bilan (are-bilan:...)")


class BilanN1Recu(BilanN1):
    """The campaign's record of it: the internal event that set it, and whether it came after
    the vote (then shown, the voted table unchanged)."""

    evenement_id: str
    apres_vote: bool = False

    def pour_la_table(self) -> BilanN1:
        return BilanN1(situation=self.situation, date_limite=self.date_limite, bilan=self.bilan)


class EntreeCalcul(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    donnees: str
    empreinte: str
    reliquats: dict[str, Montants] = Field(default_factory=dict)
    bilans_n1: dict[str, BilanN1] = Field(
        default_factory=dict,
        description="les établissements dont le bilan n-1 est manquant ou déposé en retard",
    )


class DotationEtablissement(_Modele):
    """What the workflow keeps of a school's allocation: enough to notify, pay and ask the
    spending report (the details are in the table's files)."""

    uai: str
    dotation: Montants
    reliquats: Montants
    motifs: list[str] = Field(default_factory=list)
    bilan_n1: BilanN1 | None = Field(
        default=None,
        description="bilan n-1 manquant ou déposé en retard (sans effet sur la dotation)",
    )

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
