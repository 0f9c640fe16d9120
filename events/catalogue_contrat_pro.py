"""Event types of the aide au contrat de professionnalisation (Pays de la Loire)."""

from events import topics
from events.types import TypeEvenement
from models import contrat_pro

RECUS = [
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
        description="L'employeur a déposé la demande d'aide sur le portail des aides régionales.",
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
        nom="portail.contrat-pro.etat-recapitulatif-depose.v1",
        topic=topics.PORTAIL,
        contrat=contrat_pro.EtatRecapitulatifDepose,
        workflow=contrat_pro.WORKFLOW_CUMUL,
        description="L'employeur présente l'état récapitulatif annexé à sa convention (aides "
        "au-delà de 23 000 EUR dans l'année civile) : les aides à verser, une ligne par "
        "contrat. Sujet : `<SIREN>:<année>` de la convention. Chaque ligne reconnue devient la "
        "demande de paiement de son dossier.",
        exemple={
            "numero_etat": "ER-2025-001",
            "date_depot": "2025-09-10",
            "rib_reference": "RIB-2024-0042",
            "lignes": [{"numero_contrat": "OPCO-2024-000123", "montant": "6000.00"}],
        },
        dispositif=contrat_pro.WORKFLOW,
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
