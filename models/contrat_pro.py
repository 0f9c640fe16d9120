"""Aide au contrat de professionnalisation (Pays de la Loire): event payloads and dossier state.

Source: `shared/seeds/003_78a5ddbbdc7b9add.txt`.
"""

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.dossier import Registre

WORKFLOW = "contrat-pro"


class Certification(BaseModel):
    """The certification prepared: an RNCP code, or a CERTIFINFO code for branch CQPs."""

    model_config = ConfigDict(extra="forbid")

    rncp: str | None = Field(default=None, pattern=r"^\d{1,6}$")
    certifinfo: str | None = Field(default=None, pattern=r"^\d{1,7}$")

    @model_validator(mode="after")
    def _un_code_au_moins(self) -> Self:
        if self.rncp is None and self.certifinfo is None:
            raise ValueError("la certification doit porter un code RNCP ou un code CERTIFINFO")
        return self


class ContratEnregistre(BaseModel):
    """OPCO: a contrat de professionnalisation was registered (`opco.contrat-pro.enregistre.v1`).

    The OPCO contract number is the dossier's business key (the CloudEvent `subject`).
    """

    model_config = ConfigDict(extra="forbid")

    numero_contrat: str = Field(
        min_length=1, max_length=30, description="numéro du contrat à l'OPCO (clé du dossier)"
    )
    siret_etablissement: str = Field(description="SIRET de l'établissement employeur, 14 chiffres")
    code_postal_etablissement: str = Field(
        pattern=r"^\d{5}$", description="code postal de l'établissement employeur"
    )
    date_debut: date = Field(description="date de début d'exécution du contrat")
    date_fin: date = Field(description="date de fin prévue du contrat")
    duree_hebdomadaire_heures: Decimal = Field(
        gt=0, le=48, decimal_places=2, description="durée hebdomadaire de travail, en heures"
    )
    certification: Certification = Field(
        description="certification visée: code RNCP ou code CERTIFINFO"
    )
    nature_contrat: Literal["standard", "experimental", "qualification_ccn"] = Field(
        default="standard",
        description="standard, experimental ou qualification_ccn (les deux derniers exclus)",
    )
    date_naissance_salarie: date = Field(
        description="date de naissance du salarié (donnée personnelle)"
    )
    demandeur_emploi: bool = Field(description="le salarié était demandeur d'emploi à l'embauche")

    @field_validator("siret_etablissement")
    @classmethod
    def _siret(cls, value: str) -> str:
        if not re.fullmatch(r"\d{14}", value):
            raise ValueError("le SIRET doit compter 14 chiffres")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.date_fin < self.date_debut:
            raise ValueError(
                f"date_fin ({self.date_fin}) est antérieure à date_debut ({self.date_debut})"
            )
        return self


class Statut(StrEnum):
    NOUVEAU = "nouveau"
    ATTENTE_DEMANDE = "attente_demande"
    PRESCRIT = "prescrit"


STATUTS_TERMINAUX = frozenset({Statut.PRESCRIT})


class Anomalie(BaseModel):
    """Something a partner sent that makes no sense in the dossier's state: for an instructor."""

    evenement_id: str
    type: str
    motif: str


class EtatContratPro(BaseModel):
    """What the `etat` query returns; also the workflow's result."""

    cle: str
    statut: Statut = Statut.NOUVEAU
    contrat: ContratEnregistre | None = None
    date_limite_demande: date | None = None
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)
