"""The catalogue of event types: for each partner type, its topic, its payload contract and the
dossier workflow it feeds; for each type guichet publishes, its topic and payload. A scheme
plugs in by adding its types here. docs/evenements.md is generated from it
(`guichet events catalogue`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from events import topics
from models import contrat_pro, sortants


@dataclass(frozen=True)
class TypeEvenement:
    """A partner event type, delivered to a dossier workflow."""

    nom: str
    topic: str
    contrat: type[BaseModel]
    workflow: str
    description: str
    exemple: Mapping[str, Any]

    def workflow_id(self, cle: str) -> str:
        return workflow_id(self.workflow, cle)


@dataclass(frozen=True)
class TypeSortant:
    """An event type guichet publishes."""

    nom: str
    topic: str
    contrat: type[BaseModel]
    description: str
    exemple: Mapping[str, Any]


def workflow_id(workflow: str, cle: str) -> str:
    """The id of the dossier workflow for a business key: `<workflow type>:<key>`."""
    return f"{workflow}:{cle}"


CATALOGUE: dict[str, TypeEvenement] = {
    t.nom: t
    for t in [
        TypeEvenement(
            nom="opco.contrat-pro.enregistre.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.ContratEnregistre,
            workflow=contrat_pro.WORKFLOW,
            description="L'OPCO a enregistré un contrat de professionnalisation "
            "(sujet: le numéro de contrat OPCO).",
            exemple={
                "numero_contrat": "OPCO-2024-000123",
                "siret_etablissement": "73282932000074",
                "code_postal_etablissement": "44000",
                "date_debut": "2024-09-02",
                "date_fin": "2025-09-01",
                "duree_hebdomadaire_heures": "35",
                "certification": {"rncp": "35510"},
                "nature_contrat": "standard",
                "date_naissance_salarie": "1985-03-14",
                "demandeur_emploi": True,
            },
        ),
    ]
}

SORTANTS: dict[str, TypeSortant] = {
    t.nom: t
    for t in [
        TypeSortant(
            nom="guichet.dossier.ouvert.v1",
            topic=topics.DOSSIERS,
            contrat=sortants.DossierOuvert,
            description="Un dossier a été ouvert.",
            exemple={
                "dispositif": "contrat-pro",
                "statut": "attente_demande",
                "date_limite_demande": "2024-12-02",
            },
        ),
        TypeSortant(
            nom="guichet.dossier.prescrit.v1",
            topic=topics.DOSSIERS,
            contrat=sortants.DossierPrescrit,
            description="Un délai est dépassé: le dossier est prescrit.",
            exemple={"motif": "DEMANDE_HORS_DELAI", "date_limite_demande": "2024-12-02"},
        ),
        TypeSortant(
            nom="guichet.dossier.anomalie.v1",
            topic=topics.DOSSIERS,
            contrat=sortants.AnomalieDossier,
            description="Un événement partenaire n'a pas de sens dans l'état du dossier; "
            "un instructeur doit l'examiner.",
            exemple={
                "evenement_id": "opco-evt-2",
                "type": "opco.contrat-pro.enregistre.v1",
                "motif": "événement opco.contrat-pro.enregistre.v1 inattendu au statut "
                "attente_demande",
            },
        ),
    ]
}
