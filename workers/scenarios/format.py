"""The scenario file format (YAML, see docs/scenarios.md): dossiers, steps at dates (partner
events, instructor decisions, documents, "advance to") and expectations at dates (status,
amounts, payment orders, notifications, anomalies, deadline, any field of the workflow's
`etat`). `charger` reads and checks a file, or says in French what is wrong.
"""

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from events.catalogue import CATALOGUE
from events.types import workflow_id
from rules.calendrier import PARIS

HEURE_ACTION = time(12)
"""An action without `a:` happens at noon, Paris time."""
HEURE_VERIFICATION = time(23)
"""An expectation alone at a date is checked at 23:00 Paris: after that day's steps and after
the deadlines of the day before (a deadline day ends at midnight)."""


class ErreurScenario(Exception):
    """A scenario file that cannot be run: the message (French) names the step and the field."""


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DossierScenario(_Modele):
    workflow: str = Field(description="type de workflow: contrat-pro, cae-dom, are-campagne...")
    cle: str = Field(min_length=1, description="clé métier (sujet des événements)")

    @property
    def workflow_id(self) -> str:
        return workflow_id(self.workflow, self.cle)


class OrdreAttendu(_Modele):
    montant: Decimal
    periode: str | None = None
    statut: str | None = None


class NotificationAttendue(_Modele):
    objet: str
    le: date | None = None
    destinataire: str | None = None


class Attendu(_Modele):
    """Expectations; only the fields written are checked (`echeance: null`: no deadline)."""

    statut: str | None = None
    montant_accorde: Decimal | None = None
    montant_verse: Decimal | None = None
    montant_a_recuperer: Decimal | None = None
    echeance: date | None = None
    libelle_echeance: str | None = None
    anomalies: int | None = None
    anomalies_contiennent: list[str] | None = None
    ordres: list[OrdreAttendu] | None = None
    notifications: list[NotificationAttendue] | None = None
    publies: dict[str, int] | None = None
    etat: dict[str, Any] | None = None


class Etape(_Modele):
    le: date
    a: time | None = None
    dossier: str | None = None
    evenement: str | None = None
    donnees: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None
    source: str | None = None
    sujet: str | None = None
    decision: dict[str, Any] | None = None
    ensemble: list[str] = Field(
        default_factory=list,
        description="autres dossiers qui reçoivent la même décision au même instant "
        "(envois simultanés : une concurrence)",
    )
    document: dict[str, Any] | None = None
    avancer: bool = False
    refus: str | None = None
    """Expected refusal: text found in the decision's refusal or the event's rejection."""
    verifier: Attendu | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _une_action(self) -> "Etape":
        actions = [
            nom
            for nom, present in (
                ("evenement", self.evenement is not None),
                ("decision", self.decision is not None),
                ("document", self.document is not None),
                ("avancer", self.avancer),
            )
            if present
        ]
        if len(actions) > 1:
            raise ValueError(f"une étape fait une seule chose, celle-ci en fait {len(actions)}")
        if not actions and self.verifier is None:
            raise ValueError("étape vide: evenement, decision, document, avancer ou verifier")
        return self

    def instant(self) -> datetime:
        defaut = HEURE_ACTION if self.action() else HEURE_VERIFICATION
        return datetime.combine(self.le, self.a or defaut, tzinfo=PARIS)

    def action(self) -> str | None:
        for nom in ("evenement", "decision", "document"):
            if getattr(self, nom) is not None:
                return nom
        return "avancer" if self.avancer else None


class Scenario(_Modele):
    titre: str
    description: str = ""
    dossiers: dict[str, DossierScenario] = Field(min_length=1)
    fichiers: dict[str, str] = Field(
        default_factory=dict,
        description="fichiers copiés dans le stockage avant le départ: destination -> source "
        "(relative au fichier du scénario)",
    )
    etapes: list[Etape] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> "Scenario":
        precedent: datetime | None = None
        for rang, etape in enumerate(self.etapes, start=1):
            if etape.dossier is None and len(self.dossiers) > 1:
                raise ValueError(f"étape {rang}: `dossier` obligatoire (plusieurs dossiers)")
            if etape.dossier is not None and etape.dossier not in self.dossiers:
                raise ValueError(
                    f"étape {rang}: dossier {etape.dossier!r} inconnu "
                    f"(déclarés: {', '.join(self.dossiers)})"
                )
            if etape.ensemble and (etape.decision is None or etape.refus is not None):
                raise ValueError(
                    f"étape {rang}: `ensemble` accompagne une décision attendue appliquée "
                    "(sans `refus`)"
                )
            if inconnus := [nom for nom in etape.ensemble if nom not in self.dossiers]:
                raise ValueError(
                    f"étape {rang}: ensemble: dossier(s) {', '.join(inconnus)} inconnu(s) "
                    f"(déclarés: {', '.join(self.dossiers)})"
                )
            if etape.evenement is not None and etape.evenement not in CATALOGUE:
                raise ValueError(
                    f"étape {rang}: type d'événement {etape.evenement!r} absent du catalogue"
                )
            if precedent is not None and etape.instant() < precedent:
                raise ValueError(
                    f"étape {rang}: le {etape.le} à {etape.instant():%H:%M} vient avant "
                    "l'étape précédente: les étapes sont dans l'ordre chronologique"
                )
            precedent = etape.instant()
        return self

    def dossier(self, etape: Etape) -> tuple[str, DossierScenario]:
        nom = etape.dossier or next(iter(self.dossiers))
        return nom, self.dossiers[nom]


def _erreurs(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(racine)'}: {err['msg']}"
        + (f" (valeur: {err['input']!r})" if err["loc"] and "input" in err else "")
        for err in exc.errors()
    )


def charger(chemin: Path) -> Scenario:
    """Read and check a scenario file (`yaml.safe_load`), or say in French what is wrong."""
    try:
        brut = yaml.safe_load(chemin.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ErreurScenario(f"{chemin}: lecture impossible ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ErreurScenario(f"{chemin}: YAML invalide ({exc})") from exc
    try:
        return Scenario.model_validate(brut)
    except ValidationError as exc:
        raise ErreurScenario(f"{chemin}: scénario invalide: {_erreurs(exc)}") from exc
