"""ARE events: the partners' (campaign, complementary request, spending report) and the
internal ones one guichet workflow sends another by signal-with-start."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from models.are.commun import (
    Montants,
    _Modele,
    fin_annee_scolaire,
    verifier_annee,
    verifier_annee_connue,
    verifier_code_diplome,
    verifier_montant,
    verifier_uai,
)
from rules.are import Enveloppe

# --- partner events: campaign (subject: the school year) ------------------------------------


class CampagneOuverte(_Modele):
    """The Région opens the year's campaign with the files it received
    (`etablissements.are.campagne-ouverte.v1`, subject: the school year).

    `fichier_effectifs`: the rectorats' stabilised first-year enrolments of the n-1 school start,
    one line per school and formation; `fichier_etablissements`: one line per school with its
    post-bac scholarship rate (services académiques) and whether it answered the regional
    survey. Both are `;`-separated UTF-8 CSV files, described in docs/are.md."""

    annee_scolaire: str = Field(description="année scolaire de la campagne, ex. 2023-2024")
    fichier_effectifs: str = Field(
        min_length=1, max_length=500, description="chemin du fichier des effectifs (rectorats)"
    )
    fichier_etablissements: str = Field(
        min_length=1,
        max_length=500,
        description="chemin du fichier des établissements (taux de boursiers, enquête)",
    )

    date_demande_bilans: date | None = Field(
        default=None,
        description="jour où les bilans de fin d'année sont demandés (par défaut le 1er juillet "
        "de fin d'année scolaire, jamais avant)",
    )

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee_connue(valeur)

    @model_validator(mode="after")
    def _bilans_en_fin_d_annee(self) -> Self:
        fin = fin_annee_scolaire(self.annee_scolaire)
        if self.date_demande_bilans is not None and self.date_demande_bilans < fin:
            raise ValueError(
                f"date_demande_bilans « {self.date_demande_bilans} » : les bilans se demandent à "
                f"l'issue de l'année scolaire, pas avant le {fin:%d/%m/%Y}"
            )
        return self

    def demande_bilans(self) -> date:
        return self.date_demande_bilans or fin_annee_scolaire(self.annee_scolaire)


class FichiersCorriges(_Modele):
    """Corrected files for a campaign not voted yet (`etablissements.are.fichiers-corriges.v1`)."""

    fichier_effectifs: str = Field(min_length=1, max_length=500)
    fichier_etablissements: str = Field(min_length=1, max_length=500)


# --- partner events: complementary request (subject: the request's reference) -------------


class LigneComplement(_Modele):
    """One eligible formation of a complementary request (both seeds, « Dotation
    complémentaire »: « les effectifs supplémentaires par formation éligible au dispositif (code
    nomenclature NSF du diplôme et intitulé de la formation) »)."""

    code_diplome: str = Field(description="code diplôme à 8 chiffres (spécialité NSF incluse)")
    libelle_formation: str = Field(min_length=1, max_length=200)
    enveloppe: Enveloppe = Field(description="pre_bac (élèves) ou post_bac (boursiers)")
    effectif_supplementaire: int = Field(
        description="élèves supplémentaires (pré-bac) ou boursiers supplémentaires (post-bac)"
    )
    effectif_rentree: int | None = Field(
        default=None,
        ge=0,
        description="effectif de la formation à la rentrée de l'année (élèves de première "
        "année en pré-bac, boursiers en post-bac), comparé à l'effectif n-1 retenu par la "
        "campagne pour vérifier l'augmentation ; absent : l'augmentation ne peut pas être "
        "vérifiée et la demande va à l'instructeur",
    )

    @field_validator("code_diplome")
    @classmethod
    def _code(cls, valeur: str) -> str:
        return verifier_code_diplome(valeur)

    @field_validator("effectif_supplementaire")
    @classmethod
    def _effectif(cls, valeur: int) -> int:
        if valeur < 1:
            raise ValueError(
                f"effectif_supplementaire « {valeur} » : au moins un élève supplémentaire"
            )
        return valeur


class DemandeComplementaire(_Modele):
    """A school's written request for a complementary allocation
    (`etablissements.are.demande-complementaire.v1`, subject: the request's reference)."""

    uai: str
    annee_scolaire: str
    date_demande: date
    canal: Literal["courriel", "courrier"] = Field(
        description="« Les demandes sont adressées par courriel ou par voie postale »"
    )
    motif: str = Field(
        min_length=1, max_length=2000, description="insuffisance de crédits constatée"
    )
    lignes: list[LigneComplement] = Field(min_length=1, max_length=200)

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return verifier_uai(valeur)

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee_connue(valeur)

    @model_validator(mode="after")
    def _codes_uniques(self) -> Self:
        vus: set[str] = set()
        for i, ligne in enumerate(self.lignes):
            if ligne.code_diplome in vus:
                raise ValueError(
                    f"lignes[{i}].code_diplome « {ligne.code_diplome} » en double : une ligne "
                    "par formation"
                )
            vus.add(ligne.code_diplome)
        return self


# --- partner events: spending report (subject: « <UAI>:<année scolaire> ») ------------------


class LigneDepense(_Modele):
    """A line of the spending report: by formation, pupils helped, purchases and equipment type
    (both seeds, « Compte rendu d'utilisation des dotations »). The equipment type and the sign
    of the amount are checked by the rules (`rules.are.verifier_bilan`), which report anomalies
    naming the rule rather than refusing the event."""

    code_diplome: str
    libelle_formation: str = Field(min_length=1, max_length=200)
    enveloppe: Enveloppe
    type_equipement: str = Field(min_length=1, max_length=100)
    nombre_eleves: int = Field(ge=0, description="nombre d'élèves aidés")
    montant: Decimal = Field(description="montant des achats, en euros")

    @field_validator("code_diplome")
    @classmethod
    def _code(cls, valeur: str) -> str:
        return verifier_code_diplome(valeur)

    @field_validator("montant")
    @classmethod
    def _montant(cls, valeur: Decimal) -> Decimal:
        return verifier_montant(valeur, "montant", positif=False)


class BilanDepose(_Modele):
    """A school's end-of-year spending report (`etablissements.are.bilan-depose.v1`, subject:
    `<UAI>:<année scolaire>`). A new report replaces the previous one until one is valid."""

    uai: str
    annee_scolaire: str
    date_depot: date
    dotations_recues: Montants = Field(description="total des dotations reçues dans l'année")
    reliquats_anterieurs: Montants = Field(description="reliquats de l'année antérieure")
    depenses: list[LigneDepense] = Field(default_factory=list, max_length=2000)

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return verifier_uai(valeur)

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee(valeur)


# --- internal events (one guichet workflow to another, by signal-with-start) ----------------

BILAN_DEMANDE = "guichet.are.bilan-demande.v1"
COMPLEMENT_ACCORDE = "guichet.are.complement-accorde.v1"
RELIQUATS_CONSTATES = "guichet.are.reliquats-constates.v1"
BILAN_EN_RETARD = "guichet.are.bilan-en-retard.v1"
INTERNES = (BILAN_DEMANDE, COMPLEMENT_ACCORDE, RELIQUATS_CONSTATES, BILAN_EN_RETARD)
"""Sent by a guichet workflow (through the `signaler_dossiers_are` activity) to another one;
never read from Kafka."""


class BilanDemande(_Modele):
    """The campaign asks a school's spending report on 1 July, with what it knows: the initial
    allocation voted and the leftovers of the year before (`guichet.are.bilan-demande.v1`)."""

    uai: str
    annee_scolaire: str
    dotation_initiale: Montants
    reliquats_anterieurs: Montants | None = Field(
        default=None, description="vide si la campagne n'a reçu aucun bilan n-1 de l'établissement"
    )
    campagne: str
    deliberation: str


class ComplementAccorde(_Modele):
    """A complementary allocation was granted and ordered (`guichet.are.complement-accorde.v1`)."""

    uai: str
    annee_scolaire: str
    montants: Montants
    demande: str
    deliberation: str


class ReliquatsConstates(_Modele):
    """A valid spending report's leftovers, for the next year's campaign
    (`guichet.are.reliquats-constates.v1`)."""

    uai: str
    annee_scolaire: str = Field(description="année du bilan (la campagne est l'année suivante)")
    reliquats: Montants
    bilan: str
    depose_en_retard: bool = Field(
        default=False, description="bilan déposé après sa date limite (signalé à la commission)"
    )


class BilanEnRetard(_Modele):
    """A spending report guichet asked is not deposited (or not valid) at its due date: next
    year's campaign flags the school on its commission table (`guichet.are.bilan-en-retard.v1`).
    The allocation does not depend on it (docs/are.md)."""

    uai: str
    annee_scolaire: str = Field(description="année du bilan (la campagne est l'année suivante)")
    date_limite: date
    bilan: str


class SignalDossier(_Modele):
    """Deliver `evenement` to the workflow `<workflow>:<cle>`, starting it if needed."""

    workflow: str
    cle: str
    evenement: dict[str, Any] = Field(description="the CloudEvent, as JSON")


class SignauxDossiers(_Modele):
    signaux: list[SignalDossier]


class RefusSignal(_Modele):
    workflow_id: str
    motif: str


class ResultatSignaux(_Modele):
    refus: list[RefusSignal] = Field(default_factory=list)
