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
        TypeEvenement(
            nom="opco.contrat-pro.rompu.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.ContratRompu,
            workflow=contrat_pro.WORKFLOW,
            description="Rupture anticipée du contrat (date de fin effective).",
            exemple={"date_fin_effective": "2025-03-14"},
        ),
        TypeEvenement(
            nom="opco.contrat-pro.suspendu.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.SuspensionNonRemuneree,
            workflow=contrat_pro.WORKFLOW,
            description="Suspension du contrat sans rémunération (période, fin vide si en cours).",
            exemple={"du": "2025-01-06", "au": "2025-02-16"},
        ),
        TypeEvenement(
            nom="opco.contrat-pro.repris.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.ContratRepris,
            workflow=contrat_pro.WORKFLOW,
            description="Reprise du travail après une suspension en cours.",
            exemple={"date_reprise": "2025-02-17"},
        ),
        TypeEvenement(
            nom="opco.contrat-pro.avenant.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.AvenantDuree,
            workflow=contrat_pro.WORKFLOW,
            description="Avenant modifiant la durée hebdomadaire de travail.",
            exemple={"date_effet": "2025-01-01", "duree_hebdomadaire_heures": "28"},
        ),
        TypeEvenement(
            nom="portail.contrat-pro.demande-deposee.v1",
            topic=topics.PORTAIL,
            contrat=contrat_pro.DemandeDeposee,
            workflow=contrat_pro.WORKFLOW,
            description="L'employeur a déposé la demande d'aide sur le portail des aides "
            "régionales.",
            exemple={
                "date_demande": "2024-10-15",
                "dans_effectif_6_mois": False,
                "employeur_a_jour": True,
                "licenciement_economique_6_mois": False,
                "cumul_aides_annee": "0",
                "documents": [
                    {"type": "cerfa", "reference": "PORTAIL-DOC-1001"},
                    {"type": "decision_prise_en_charge_opco", "reference": "PORTAIL-DOC-1002"},
                ],
            },
        ),
        TypeEvenement(
            nom="portail.contrat-pro.document-ajoute.v1",
            topic=topics.PORTAIL,
            contrat=contrat_pro.DocumentAjoute,
            workflow=contrat_pro.WORKFLOW,
            description="Une pièce a été ajoutée au dossier sur le portail.",
            exemple={"document": {"type": "cerfa", "reference": "PORTAIL-DOC-1003"}},
        ),
        TypeEvenement(
            nom="portail.contrat-pro.convention-signee.v1",
            topic=topics.PORTAIL,
            contrat=contrat_pro.ConventionSignee,
            workflow=contrat_pro.WORKFLOW,
            description="L'employeur a signé la convention (aides cumulées > 23 000 EUR).",
            exemple={"date_signature": "2024-11-20"},
        ),
        TypeEvenement(
            nom="portail.contrat-pro.demande-paiement-deposee.v1",
            topic=topics.PORTAIL,
            contrat=contrat_pro.DemandePaiementDeposee,
            workflow=contrat_pro.WORKFLOW,
            description="L'employeur a déposé la demande de paiement.",
            exemple={"date_demande_paiement": "2025-09-10", "rib_reference": "RIB-2024-0042"},
        ),
        TypeEvenement(
            nom="portail.contrat-pro.coordonnees-bancaires-corrigees.v1",
            topic=topics.PORTAIL,
            contrat=contrat_pro.CoordonneesBancairesCorrigees,
            workflow=contrat_pro.WORKFLOW,
            description="Nouvelles coordonnées bancaires après un paiement rejeté.",
            exemple={"rib_reference": "RIB-2024-0043"},
        ),
        TypeEvenement(
            nom="asp.contrat-pro.paiement-execute.v1",
            topic=topics.ASP,
            contrat=contrat_pro.PaiementExecute,
            workflow=contrat_pro.WORKFLOW,
            description="L'ASP a exécuté un ordre de paiement.",
            exemple={
                "ordre_id": "contrat-pro:OPCO-2024-000123/paiement/1",
                "date_execution": "2025-09-20",
            },
        ),
        TypeEvenement(
            nom="asp.contrat-pro.paiement-rejete.v1",
            topic=topics.ASP,
            contrat=contrat_pro.PaiementRejete,
            workflow=contrat_pro.WORKFLOW,
            description="L'ASP a rejeté un ordre de paiement (coordonnées bancaires...).",
            exemple={
                "ordre_id": "contrat-pro:OPCO-2024-000123/paiement/1",
                "motif": "compte clos",
            },
        ),
        TypeEvenement(
            nom="asp.contrat-pro.titre-recouvre.v1",
            topic=topics.ASP,
            contrat=contrat_pro.TitreRecouvre,
            workflow=contrat_pro.WORKFLOW,
            description="Un titre exécutoire a été recouvré (en tout ou partie).",
            exemple={"ordre_id": "contrat-pro:OPCO-2024-000123/titre/2", "montant": "6000.00"},
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
        TypeSortant(
            nom="guichet.dossier.statut.v1",
            topic=topics.DOSSIERS,
            contrat=sortants.StatutDossier,
            description="Le dossier a changé de statut.",
            exemple={
                "dispositif": "contrat-pro",
                "statut": "instruction",
                "precedent": "attente_demande",
                "motif": "DEMANDE_DEPOSEE",
            },
        ),
        TypeSortant(
            nom="guichet.dossier.archive.v1",
            topic=topics.DOSSIERS,
            contrat=sortants.DossierArchive,
            description="Fin de la durée de conservation: données personnelles et pièces à "
            "purger partout.",
            exemple={"dispositif": "contrat-pro", "date_fin_conservation": "2035-09-20"},
        ),
        TypeSortant(
            nom="guichet.notification.v1",
            topic=topics.NOTIFICATIONS,
            contrat=sortants.Notification,
            description="Un message pour le bénéficiaire ou les instructeurs: rappel, décision, "
            "invitation.",
            exemple={
                "dispositif": "contrat-pro",
                "destinataire": "employeur",
                "objet": "RAPPEL_DEMANDE",
                "message": "Rappel : échéance le 02/12/2024.",
                "echeance": "2024-12-02",
            },
        ),
        TypeSortant(
            nom="guichet.paiement.ordre.v1",
            topic=topics.PAIEMENTS,
            contrat=sortants.OrdrePaiementEmis,
            description="Ordre de paiement; `ordre_id` est la clé d'idempotence.",
            exemple={
                "ordre_id": "contrat-pro:OPCO-2024-000123/paiement/1",
                "dispositif": "contrat-pro",
                "beneficiaire": "73282932000074",
                "montant": "6000.00",
                "rib_reference": "RIB-2024-0042",
                "objet": "aide contrat de professionnalisation OPCO-2024-000123",
            },
        ),
        TypeSortant(
            nom="guichet.paiement.titre-executoire.v1",
            topic=topics.PAIEMENTS,
            contrat=sortants.TitreExecutoire,
            description="Titre exécutoire: récupérer une somme indûment versée.",
            exemple={
                "ordre_id": "contrat-pro:OPCO-2024-000123/titre/2",
                "dispositif": "contrat-pro",
                "debiteur": "73282932000074",
                "montant": "6000.00",
                "motif": "contrat fictif",
            },
        ),
    ]
}
