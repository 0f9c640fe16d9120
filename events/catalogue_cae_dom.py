"""Event types of the CAE-DOM (contrat unique d'insertion, overseas market sector).

Every type comes from the ASP (`partenaires.asp`): the ASP holds the convention (Cerfa notice,
point 5: the prescriber sends it « à l'Agence de services et de paiement, pour paiement »),
collects the employers' quarterly attendance statements, pays and recovers. The subject is the
convention's dossier key `DDD-AA-NNNNN`; renewals and amendments stay in the same dossier.
"""

from events import topics
from events.types import TypeEvenement
from models import cae_dom

CONVENTION_EXEMPLE = {
    "numero_convention": "971-24-00123-00-00",
    "date_depot": "2024-01-08",
    "code_prescripteur": "ML971A",
    "numero_ide": "1234567A",
    "employeur": {
        "denomination": "Boulangerie du Port",
        "adresse": {
            "numero": "12",
            "voie": "rue Frébault",
            "code_postal": "97110",
            "commune": "Pointe-à-Pitre",
            "adresse_electronique": "contact@boulangerie.gp",
        },
        "siret": "73282932000074",
        "code_naf": "10.71C",
        "identifiant_convention_collective": "0843",
        "statut": "99",
        "effectif_au_31_decembre": 8,
        "rib_fourni": True,
        "declaration_a_jour_sans_licenciement_economique": True,
    },
    "salarie": {
        "civilite": "M",
        "nom": "Dupont",
        "prenoms": "Jean",
        "nir": "185069711234533",
        "date_naissance": "1985-06-10",
        "lieu_naissance": "Pointe-à-Pitre",
        "departement_naissance": "971",
        "adresse": {"voie": "rue Nozières", "code_postal": "97110", "commune": "Pointe-à-Pitre"},
        "nationalite": "france",
    },
    "situation": {
        "niveau_formation": "51",
        "sans_emploi_depuis": "12_a_23_mois",
        "inscrit_pole_emploi": True,
        "inscrit_pole_emploi_depuis": "12_a_23_mois",
        "beneficiaire_ass": False,
        "beneficiaire_rsa": False,
        "beneficiaire_aah": False,
        "travailleur_handicape": False,
    },
    "contrat": {
        "type_contrat": "CDD",
        "date_embauche": "2024-01-15",
        "date_fin_prevue": "2025-01-14",
        "code_rome": "D1102",
        "salaire_brut_mensuel": "1365.00",
        "duree_hebdomadaire": {"heures": 26, "minutes": 0},
        "modulation": False,
        "duree_collective": {"heures": 35, "minutes": 0},
    },
    "actions": {
        "tuteur": "M. Martin, chef boulanger",
        "organisme_suivi": "Mission locale de Pointe-à-Pitre",
        "referent": "Mme Jean",
        "accompagnement_social": False,
        "accompagnement_professionnel": [{"type": "aide_a_la_prise_de_poste", "initiative": 1}],
        "formation": [{"type": "adaptation_au_poste_de_travail", "initiative": 1}],
        "formation_interne": True,
    },
    "prise_en_charge": {
        "date_effet": "2024-01-15",
        "date_fin": "2025-01-14",
        "niveau_prime_mensuel": "1000.00",
    },
    "date_signature_employeur_salarie": "2024-01-10",
    "date_signature_etat": "2024-01-12",
    "date_transmission_asp": "2024-01-12",
}
"""A complete Cerfa: 26 h out of 35, 1 000 EUR a month for a full time, 12 months in
Guadeloupe (dossier key `971-24-00123`)."""

RECUS = [
    TypeEvenement(
        nom="asp.cae-dom.convention-enregistree.v1",
        topic=topics.ASP,
        contrat=cae_dom.ConventionCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="L'ASP a enregistré une convention CAE-DOM (le Cerfa complet; sujet: "
        "DDD-AA-NNNNN, la clé du numéro de convention).",
        exemple=CONVENTION_EXEMPLE,
    ),
    TypeEvenement(
        nom="asp.cae-dom.etat-presence.v1",
        topic=topics.ASP,
        contrat=cae_dom.EtatPresenceCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="État de présence trimestriel transmis par l'employeur: mois non "
        "travaillés et absences non rémunérées, retirés des jours pris en charge.",
        exemple={
            "trimestre": "2024-T2",
            "mois_non_travailles": [],
            "absences_non_remunerees": [{"du": "2024-05-13", "au": "2024-05-17"}],
        },
    ),
    TypeEvenement(
        nom="asp.cae-dom.paiement-execute.v1",
        topic=topics.ASP,
        contrat=cae_dom.PaiementExecuteCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="L'ASP a exécuté l'ordre de paiement d'un trimestre.",
        exemple={
            "ordre_id": "cae-dom:971-24-00123/paiement/2024-T2",
            "date_execution": "2024-07-22",
            "montant": "2108.76",
        },
    ),
    TypeEvenement(
        nom="asp.cae-dom.paiement-rejete.v1",
        topic=topics.ASP,
        contrat=cae_dom.PaiementRejeteCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="L'ASP a rejeté l'ordre de paiement d'un trimestre (coordonnées "
        "bancaires...); le trimestre attend de nouvelles coordonnées bancaires.",
        exemple={"ordre_id": "cae-dom:971-24-00123/paiement/2024-T2", "motif": "compte clos"},
    ),
    TypeEvenement(
        nom="asp.cae-dom.coordonnees-bancaires-corrigees.v1",
        topic=topics.ASP,
        contrat=cae_dom.CoordonneesBancairesCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="Nouvelles coordonnées bancaires de l'employeur: chaque trimestre rejeté "
        "fait l'objet d'un nouvel ordre (<trimestre>-<tentative>).",
        exemple={"rib_reference": "RIB-971-0042"},
    ),
    TypeEvenement(
        nom="asp.cae-dom.avenant-renouvellement.v1",
        topic=topics.ASP,
        contrat=cae_dom.RenouvellementCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="Avenant de renouvellement: nouvelle date de fin de prise en charge "
        "(dans la durée maximale, réévaluée selon la situation du salarié au renouvellement "
        "quand elle est transmise: formation qualifiante en cours, RQTH, AAH, ASS, RSA, date "
        "de naissance), niveau ou durées éventuellement modifiés au lendemain de l'ancienne "
        "fin.",
        exemple={
            "numero_convention": "971-24-00123-01-00",
            "date_signature": "2024-12-20",
            "date_fin": "2026-01-14",
        },
    ),
    TypeEvenement(
        nom="asp.cae-dom.avenant-modification.v1",
        topic=topics.ASP,
        contrat=cae_dom.ModificationCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="Avenant de modification: durée hebdomadaire, niveau de prime ou date de "
        "fin modifiés à une date d'effet (dans un trimestre pas encore liquidé).",
        exemple={
            "numero_convention": "971-24-00123-00-01",
            "date_signature": "2024-08-26",
            "date_effet": "2024-09-01",
            "duree_hebdomadaire": {"heures": 30, "minutes": 0},
        },
    ),
    TypeEvenement(
        nom="asp.cae-dom.rupture.v1",
        topic=topics.ASP,
        contrat=cae_dom.RuptureCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="Fin anticipée du contrat (dernier jour d'exécution); une date avant le "
        "début de la prise en charge est une non-exécution. Les sommes versées au-delà font "
        "l'objet d'un ordre de reversement.",
        exemple={"date_fin_effective": "2024-10-11", "motif": "démission du salarié"},
    ),
    TypeEvenement(
        nom="asp.cae-dom.reversement-recu.v1",
        topic=topics.ASP,
        contrat=cae_dom.ReversementRecuCaeDom,
        workflow=cae_dom.WORKFLOW,
        description="L'ASP a encaissé tout ou partie d'un ordre de reversement.",
        exemple={
            "ordre_id": "cae-dom:971-24-00123/reversement/1",
            "montant": "1964.98",
            "date_encaissement": "2025-01-20",
        },
    ),
]
