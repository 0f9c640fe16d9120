"""EXAPRO candidate import: the file-dropped event, the import's state, and what its activities
take and return.

Source: `shared/seeds/002_2091265ecbf7751f.txt` (« Description des données de l'import
générique des candidatures pour les domaines EXAPRO », v1.7). One workflow per imported file
(`exapro-import`, see docs/exapro.md « Workflow and export »). The file itself never travels
through Temporal: activities read it from the drop directory and keep their work files in the
storage directory; the workflow history only holds paths, counts and the file's SHA-256.
"""

from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.dossier import Anomalie, Registre
from rules.exapro import Examen

WORKFLOW = "exapro-import"
TYPE_FICHIER_DEPOSE = "etablissements.exapro.fichier-depose.v1"
TYPE_CANDIDAT = "guichet.exapro.candidat.v1"
"""Outbound type of one accepted candidate (proposed for models/sortants.py and the catalogue)."""
DESTINATAIRE = "etablissement"
"""`Notification.destinataire` of the import report: the school (or CFA) that dropped the file."""


class SiErreurs(StrEnum):
    """What to do with a file some of whose rows have errors.

    Default `rejeter_le_fichier`: a candidate's outbound id derives from the file's SHA-256,
    so a corrected file (new content, new hash) would publish again, under new ids, the rows a
    partial acceptance had already published; rejecting the whole file until it is clean
    publishes each candidate once. `ecarter_les_lignes` publishes the rows without error and
    leaves the others out (the school then sends the missing candidates in a new file).
    An error on the file itself (name, CSV header, XML `entete`) rejects the whole file either
    way: it concerns every row.
    """

    REJETER_LE_FICHIER = "rejeter_le_fichier"
    ECARTER_LES_LIGNES = "ecarter_les_lignes"


def _chemin_relatif(valeur: str) -> str:
    chemin = PurePosixPath(valeur)
    if "\\" in valeur or "\x00" in valeur or chemin.is_absolute() or ".." in chemin.parts:
        raise ValueError(
            f"chemin « {valeur} » refusé : un chemin relatif au répertoire des dépôts est "
            "attendu (ni « / » au début, ni « .. », ni « \\ »)"
        )
    return valeur


class FichierDepose(BaseModel):
    """A school dropped an EXAPRO candidate file (`etablissements.exapro.fichier-depose.v1`).

    The CloudEvent `subject` is the import's key, `<etablissement>/<nom_fichier>` (e.g.
    `0750001A/BCP2024_1.0_2024_150120241030.csv`): one workflow per file and school.
    """

    model_config = ConfigDict(extra="forbid")

    chemin: str = Field(
        min_length=1,
        max_length=500,
        description="emplacement du fichier, relatif au répertoire des dépôts partagé avec "
        "guichet (ni « / » au début, ni « .. »)",
    )
    nom_fichier: str = Field(
        min_length=1,
        max_length=200,
        description="nom du fichier tel que l'établissement l'a produit ; pour un CSV, au "
        "format <nom_fichier>_<version>_<annee_session>_<JJMMAAAAHHMM>.csv, contrôlé comme dans "
        "guichet exapro validate ; pour un XML, libre",
    )
    etablissement: str = Field(
        pattern=r"^\d{7}[0-9A-Z]$",
        description="code RNE/UAI ou Cyclades de l'établissement qui dépose le fichier",
    )
    examen: Examen | None = Field(
        default=None,
        description="BCP, BP, MC3, MC4, CAP ou ARI ; par défaut, le début du nom du fichier, "
        "ou le seul mot du nom qui est un code d'examen (candidats_bcp.xml)",
    )
    si_erreurs: SiErreurs = Field(
        default=SiErreurs.REJETER_LE_FICHIER,
        description="rejeter_le_fichier (par défaut) : rien n'est publié si une ligne est en "
        "erreur ; ecarter_les_lignes : les candidats sans erreur sont publiés",
    )
    controle_ine: bool = Field(
        default=False,
        description="l'INE est obligatoire pour les candidats scolaires (contrôle INE coché)",
    )

    @field_validator("chemin")
    @classmethod
    def _chemin(cls, valeur: str) -> str:
        return _chemin_relatif(valeur)

    @field_validator("nom_fichier")
    @classmethod
    def _nom(cls, valeur: str) -> str:
        if "/" in valeur or "\\" in valeur or "\x00" in valeur or valeur in (".", ".."):
            raise ValueError(
                f"nom_fichier « {valeur} » refusé : un nom de fichier sans répertoire est attendu"
            )
        return valeur


# --- activities --------------------------------------------------------------------------------


class EntreeValidation(BaseModel):
    """Input of `valider_fichier_exapro`: which file, read how, for which import."""

    cle: str
    depot: FichierDepose


class ProgressionValidation(BaseModel):
    """Heartbeat details of `valider_fichier_exapro`, from which a retry resumes.

    `blocs` counts the blocks read (CSV header or XML `entete`, candidates); `lignes` the
    candidate rows among them (« rows done »). The offsets are the sizes of the two work files
    (errors, valid candidates) at the heartbeat: a retry truncates them there, skips `blocs`
    blocks without validating them again and goes on."""

    blocs: int = 0
    lignes: int = 0
    lignes_valides: int = 0
    erreurs: int = 0
    erreurs_fichier: int = 0
    octets_erreurs: int = 0
    octets_valides: int = 0


class ResultatValidation(BaseModel):
    """What the workflow learns of the file: counts, never rows (the history stays small)."""

    lisible: bool
    raison: str | None = Field(default=None, description="pourquoi le fichier est illisible")
    examen: Examen | None = None
    format: Literal["csv", "xml"] | None = None
    sha256: str | None = None
    annee_session: str | None = None
    lignes: int = 0
    lignes_valides: int = 0
    erreurs: int = 0
    erreurs_fichier: int = Field(
        default=0, description="erreurs sur le fichier lui-même (nom, en-tête CSV, entete XML)"
    )


class EntreePublication(BaseModel):
    """Input of `publier_candidats_exapro`: the valid rows kept by the validation of `cle`."""

    cle: str
    sha256: str
    fichier: str
    etablissement: str
    examen: Examen
    horodatage: datetime = Field(description="`time` of every candidate event (workflow.now())")


class ResultatPublication(BaseModel):
    publies: int = 0
    deja_publie_par: str | None = Field(
        default=None,
        description="clé de l'import qui a déjà publié un fichier au contenu identique",
    )


class EntreeRapport(BaseModel):
    """Input of `stocker_rapport_exapro`: the outcome to write next to the errors."""

    cle: str
    depot: FichierDepose
    validation: ResultatValidation
    statut: str
    motif: str
    publies: int = 0
    deja_publie_par: str | None = None


# --- outbound ----------------------------------------------------------------------------------


class CandidatExapro(BaseModel):
    """`guichet.exapro.candidat.v1`: one candidate accepted from an imported file.

    The event id is `exapro:<sha256 of the file>:<ligne>`, so importing the same content again
    gives the same ids. `candidat` maps the CSV field names of the data description to the
    values read (filled fields only). Not in models/sortants.py yet: proposed there."""

    import_cle: str = Field(description="clé de l'import (sujet du fichier déposé)")
    fichier: str
    etablissement: str = Field(description="établissement qui a déposé le fichier")
    examen: Examen
    annee_session: str | None = None
    ligne: int = Field(description="ligne du fichier CSV, ou position du candidat dans le XML")
    candidat: dict[str, str]


# --- state -------------------------------------------------------------------------------------


class Statut(StrEnum):
    NOUVEAU = "nouveau"
    EN_VALIDATION = "en_validation"
    EN_PUBLICATION = "en_publication"
    ACCEPTE = "accepte"
    ACCEPTE_PARTIELLEMENT = "accepte_partiellement"
    REJETE = "rejete"
    DEJA_IMPORTE = "deja_importe"


STATUTS_TERMINAUX = frozenset(
    {Statut.ACCEPTE, Statut.ACCEPTE_PARTIELLEMENT, Statut.REJETE, Statut.DEJA_IMPORTE}
)


class Motif(StrEnum):
    """`StatutDossier.motif` of the outcome."""

    FICHIER_CONFORME = "FICHIER_CONFORME"
    LIGNES_EN_ERREUR_ECARTEES = "LIGNES_EN_ERREUR_ECARTEES"
    LIGNES_EN_ERREUR = "LIGNES_EN_ERREUR"
    ERREURS_SUR_LE_FICHIER = "ERREURS_SUR_LE_FICHIER"
    AUCUN_CANDIDAT_VALIDE = "AUCUN_CANDIDAT_VALIDE"
    FICHIER_ILLISIBLE = "FICHIER_ILLISIBLE"
    CONTENU_DEJA_IMPORTE = "CONTENU_DEJA_IMPORTE"


def decider(si_erreurs: SiErreurs, validation: ResultatValidation) -> tuple[Statut, Motif]:
    """Accept, accept partially or reject a validated file (docs/exapro.md, « Workflow and
    export »).

    - unreadable: rejected (FICHIER_ILLISIBLE);
    - an error on the file itself (name, CSV header, XML `entete`): rejected whatever
      `si_erreurs` says, since it concerns every row (a missing mandatory column is reported
      once on the header and not on each row);
    - no error: accepted (even with no candidate);
    - row errors: rejected with `rejeter_le_fichier`; with `ecarter_les_lignes` accepted
      partially, or rejected when no row is valid (AUCUN_CANDIDAT_VALIDE).
    """
    if not validation.lisible:
        return Statut.REJETE, Motif.FICHIER_ILLISIBLE
    if validation.erreurs_fichier:
        return Statut.REJETE, Motif.ERREURS_SUR_LE_FICHIER
    if not validation.erreurs:
        return Statut.ACCEPTE, Motif.FICHIER_CONFORME
    if si_erreurs is SiErreurs.REJETER_LE_FICHIER:
        return Statut.REJETE, Motif.LIGNES_EN_ERREUR
    if not validation.lignes_valides:
        return Statut.REJETE, Motif.AUCUN_CANDIDAT_VALIDE
    return Statut.ACCEPTE_PARTIELLEMENT, Motif.LIGNES_EN_ERREUR_ECARTEES


class EtatImportExapro(BaseModel):
    """What the `etat` query returns; also the workflow's result."""

    cle: str
    statut: Statut = Statut.NOUVEAU
    depot: FichierDepose | None = None
    validation: ResultatValidation | None = None
    motif: Motif | None = None
    publies: int = 0
    deja_publie_par: str | None = None
    rapport: str | None = Field(
        default=None, description="chemin du rapport JSON, relatif au répertoire de stockage"
    )
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)
