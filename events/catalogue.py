"""The catalogue of event types: for each partner type, its topic, its payload contract and the
dossier workflow it feeds; for each type guichet publishes, its topic and payload. Each scheme
lists its partner types in `events/catalogue_<scheme>.py`; the outbound types, shared by every
scheme, are here. docs/evenements.md is generated from it (`guichet events catalogue`)."""

from events import (
    catalogue_are,
    catalogue_cae_dom,
    catalogue_contrat_pro,
    catalogue_exapro,
    topics,
)
from events.types import TypeEvenement, TypeSortant, workflow_id
from models import exapro, sortants

__all__ = ["CATALOGUE", "SORTANTS", "TypeEvenement", "TypeSortant", "workflow_id"]

CATALOGUE: dict[str, TypeEvenement] = {
    t.nom: t
    for t in [
        *catalogue_contrat_pro.RECUS,
        *catalogue_cae_dom.RECUS,
        *catalogue_are.RECUS,
        *catalogue_exapro.RECUS,
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
        TypeSortant(
            nom="guichet.audit.condensat.v1",
            topic=topics.AUDIT,
            contrat=sortants.CondensatAuditSigne,
            description="Le condensat quotidien signé (Ed25519) des têtes de chaîne du journal "
            "d'audit: à conserver hors de guichet, il permet de voir une réécriture du journal "
            "(docs/audit.md). Clé `audit`, id `audit/condensat/<jour>`.",
            exemple={
                "jour": "2026-12-05",
                "nombre_chaines": 1824,
                "racine": "9f2c7c0e5b8a4d1f3e6a2b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e",
                "precedent": "5e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d",
                "cle_id": "3a7bd3e2360a3d29",
                "signature": "Zm9vYmFy" * 11,
            },
        ),
        TypeSortant(
            nom="guichet.exapro.candidat.v1",
            topic=topics.CANDIDATURES,
            contrat=exapro.CandidatExapro,
            description="Une candidature acceptée d'un fichier EXAPRO importé (id "
            "`exapro:<sha256 du fichier>:<ligne>`: réimporter le même contenu ne publie rien "
            "de nouveau).",
            exemple={
                "import_cle": "0750785A/BCP2024_1.0_2024_150120241030.csv",
                "fichier": "BCP2024_1.0_2024_150120241030.csv",
                "etablissement": "0750785A",
                "examen": "BCP",
                "annee_session": "2024",
                "ligne": 2,
                "candidat": {"civilite": "2", "nom_famille": "MARTIN", "prenoms": "Jeanne"},
            },
        ),
    ]
}
