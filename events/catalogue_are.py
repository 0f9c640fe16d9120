"""Event types of the aide régionale à l'équipement (ARE, Île-de-France lycées).

Partner events only, on `partenaires.etablissements` (the Région's lycées service relays the
rectorats' files and the schools' letters and reports). The internal events one ARE workflow
sends another (`guichet.are.*`, see `models.are.INTERNES`) never travel on Kafka: they are not
listed here.
"""

from events import topics
from events.types import TypeEvenement
from models import are

BTS_MHR = "MANAGEMENT EN HOTELLERIE-RESTAURATION BTS 1ERE ANNEE COMMUNE"

RECUS = [
    TypeEvenement(
        nom="etablissements.are.campagne-ouverte.v1",
        topic=topics.ETABLISSEMENTS,
        contrat=are.CampagneOuverte,
        workflow=are.WORKFLOW_CAMPAGNE,
        description="La Région ouvre la campagne ARE de l'année avec le fichier des effectifs "
        "des rectorats et le fichier des établissements (sujet : l'année scolaire).",
        exemple={
            "annee_scolaire": "2023-2024",
            "fichier_effectifs": "depot/are/2023-2024/effectifs-rentree-2022.csv",
            "fichier_etablissements": "depot/are/2023-2024/etablissements.csv",
        },
    ),
    TypeEvenement(
        nom="etablissements.are.fichiers-corriges.v1",
        topic=topics.ETABLISSEMENTS,
        contrat=are.FichiersCorriges,
        workflow=are.WORKFLOW_CAMPAGNE,
        description="Fichiers corrigés d'une campagne pas encore votée (sujet : l'année "
        "scolaire) : l'import et le calcul sont refaits.",
        exemple={
            "fichier_effectifs": "depot/are/2023-2024/effectifs-rentree-2022-v2.csv",
            "fichier_etablissements": "depot/are/2023-2024/etablissements.csv",
        },
    ),
    TypeEvenement(
        nom="etablissements.are.demande-complementaire.v1",
        topic=topics.ETABLISSEMENTS,
        contrat=are.DemandeComplementaire,
        workflow=are.WORKFLOW_COMPLEMENT,
        description="Demande écrite de dotation complémentaire d'un lycée : effectifs "
        "supplémentaires par formation éligible et effectif de la rentrée, comparé à l'effectif "
        "n-1 retenu par la campagne votée (sujet : la référence de la demande).",
        exemple={
            "uai": "0750001A",
            "annee_scolaire": "2023-2024",
            "date_demande": "2023-11-06",
            "canal": "courriel",
            "motif": "ouverture d'une seconde classe de CAP cuisine à la rentrée 2023",
            "lignes": [
                {
                    "code_diplome": "50022139",
                    "libelle_formation": "CUISINE (CAP)",
                    "enveloppe": "pre_bac",
                    "effectif_supplementaire": 12,
                    "effectif_rentree": 34,
                },
                {
                    "code_diplome": "32033422",
                    "libelle_formation": BTS_MHR,
                    "enveloppe": "post_bac",
                    "effectif_supplementaire": 3,
                    "effectif_rentree": 9,
                },
            ],
        },
    ),
    TypeEvenement(
        nom="etablissements.are.bilan-depose.v1",
        topic=topics.ETABLISSEMENTS,
        contrat=are.BilanDepose,
        workflow=are.WORKFLOW_BILAN,
        description="Bilan des dépenses ARE de fin d'année d'un lycée (sujet : "
        "<UAI>:<année scolaire>) ; un nouveau bilan remplace le précédent tant qu'aucun n'est "
        "valide.",
        exemple={
            "uai": "0750001A",
            "annee_scolaire": "2023-2024",
            "date_depot": "2024-09-12",
            "dotations_recues": {"pre_bac": "3775.00", "post_bac": "755.00"},
            "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "120.00"},
            "depenses": [
                {
                    "code_diplome": "50022139",
                    "libelle_formation": "CUISINE (CAP)",
                    "enveloppe": "pre_bac",
                    "type_equipement": "materiel_outillage_instruments",
                    "nombre_eleves": 24,
                    "montant": "2880.00",
                },
                {
                    "code_diplome": "50022139",
                    "libelle_formation": "CUISINE (CAP)",
                    "enveloppe": "pre_bac",
                    "type_equipement": "protection_individuelle",
                    "nombre_eleves": 24,
                    "montant": "720.00",
                },
                {
                    "code_diplome": "32033422",
                    "libelle_formation": BTS_MHR,
                    "enveloppe": "post_bac",
                    "type_equipement": "vetement_representation",
                    "nombre_eleves": 5,
                    "montant": "750.00",
                },
            ],
        },
    ),
]
