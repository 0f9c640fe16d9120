"""Realistic ARE events for `guichet demo`: the 2023-2024 campaign opened with the sample files
of `tests/data/are/` (3 lycées: one per académie, one without survey answer), two
complementary requests (one partly ineligible), a 2022-2023 spending report whose leftovers go
to the 2023-2024 campaign, another with anomalies, and two records for the dead-letter topic.
Event ids are fixed, so running the demo twice applies nothing twice.

The campaign's files are referenced by absolute path in this checkout: the worker must run on
the same machine (the embedded stack does) and, if `AreActivities` is given a `depot`, it must
contain them.
"""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from events import topics
from models.evenements import CloudEvent

DONNEES = Path(__file__).resolve().parents[2] / "tests" / "data" / "are"
SOURCE_REGION = "/region-ile-de-france/lycees"
SOURCE_LYCEE = "/lycees/{uai}"


def _evenement(
    type_: str, sujet: str, event_id: str, jour: date, data: dict[str, Any], *, source: str
) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source=source,
        type=type_,
        subject=sujet,
        time=datetime.combine(jour, time(9), tzinfo=UTC),
        data=data,
    )


def _ligne(code: str, libelle: str, enveloppe: str, eleves: int) -> dict[str, Any]:
    return {
        "code_diplome": code,
        "libelle_formation": libelle,
        "enveloppe": enveloppe,
        "effectif_supplementaire": eleves,
    }


def _depense(
    code: str, libelle: str, enveloppe: str, type_equipement: str, *, eleves: int, montant: str
) -> dict[str, Any]:
    return {
        "code_diplome": code,
        "libelle_formation": libelle,
        "enveloppe": enveloppe,
        "type_equipement": type_equipement,
        "nombre_eleves": eleves,
        "montant": montant,
    }


def demo(today: date) -> list[tuple[str, bytes | CloudEvent]]:
    ouverture = _evenement(
        "etablissements.are.campagne-ouverte.v1",
        "2023-2024",
        "demo-are-campagne-2023-2024",
        today - timedelta(days=2),
        {
            "annee_scolaire": "2023-2024",
            "fichier_effectifs": str(DONNEES / "effectifs-2023-2024.csv"),
            "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
        },
        source=SOURCE_REGION,
    )
    complement = _evenement(
        "etablissements.are.demande-complementaire.v1",
        "DEMO-ARE-DC-0001",
        "demo-are-dc-0001",
        today - timedelta(days=1),
        {
            "uai": "0750001A",
            "annee_scolaire": "2023-2024",
            "date_demande": (today - timedelta(days=1)).isoformat(),
            "canal": "courriel",
            "motif": "ouverture d'une seconde classe de CAP cuisine",
            "lignes": [_ligne("50022139", "CUISINE (CAP)", "pre_bac", 12)],
        },
        source=SOURCE_LYCEE.format(uai="0750001A"),
    )
    complement_en_partie_non_eligible = _evenement(
        "etablissements.are.demande-complementaire.v1",
        "DEMO-ARE-DC-0002",
        "demo-are-dc-0002",
        today,
        {
            "uai": "0930002B",
            "annee_scolaire": "2023-2024",
            "date_demande": today.isoformat(),
            "canal": "courrier",
            "motif": "hausse des boursiers en BTS",
            "lignes": [
                _ligne(
                    "32020112",
                    "SYSTEMES NUMERIQUES OPTION A : INFORMATIQUE ET RESEAUX (BTS)",
                    "post_bac",
                    4,
                ),
                _ligne("32031404", "COMPTABILITE ET GESTION (BTS)", "post_bac", 6),
            ],
        },
        source=SOURCE_LYCEE.format(uai="0930002B"),
    )
    bilan_valide = _evenement(
        "etablissements.are.bilan-depose.v1",
        "0750001A:2022-2023",
        "demo-are-bilan-0750001A-2022-2023",
        today - timedelta(days=3),
        {
            "uai": "0750001A",
            "annee_scolaire": "2022-2023",
            "date_depot": (today - timedelta(days=3)).isoformat(),
            "dotations_recues": {"pre_bac": "7952.00", "post_bac": "852.00"},
            "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "0.00"},
            "depenses": [
                _depense(
                    "50022139",
                    "CUISINE (CAP)",
                    "pre_bac",
                    "materiel_outillage_instruments",
                    eleves=22,
                    montant="5600.00",
                ),
                _depense(
                    "50022139",
                    "CUISINE (CAP)",
                    "pre_bac",
                    "protection_individuelle",
                    eleves=22,
                    montant="1850.00",
                ),
                _depense(
                    "32033422",
                    "MANAGEMENT EN HOTELLERIE-RESTAURATION BTS 1ERE ANNEE COMMUNE",
                    "post_bac",
                    "vetement_representation",
                    eleves=6,
                    montant="852.00",
                ),
            ],
        },
        source=SOURCE_LYCEE.format(uai="0750001A"),
    )  # 502.00 EUR pre-bac left: deducted from the 2023-2024 allocation of 0750001A
    bilan_a_corriger = _evenement(
        "etablissements.are.bilan-depose.v1",
        "0930002B:2022-2023",
        "demo-are-bilan-0930002B-2022-2023",
        today - timedelta(days=3),
        {
            "uai": "0930002B",
            "annee_scolaire": "2022-2023",
            "date_depot": (today - timedelta(days=3)).isoformat(),
            "dotations_recues": {"pre_bac": "6816.00", "post_bac": "994.00"},
            "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "0.00"},
            "depenses": [
                _depense(
                    "40020006",
                    "METIERS DE LA CONSTRUCTION DURABLE DU BATIMENT ET DES TRAVAUX PUBLICS",
                    "pre_bac",
                    "tablette_numerique",
                    eleves=30,
                    montant="4200.00",
                ),
                _depense(
                    "32020112",
                    "SYSTEMES NUMERIQUES OPTION A : INFORMATIQUE ET RESEAUX (BTS)",
                    "post_bac",
                    "materiel_outillage_instruments",
                    eleves=7,
                    montant="1400.00",
                ),
            ],
        },
        source=SOURCE_LYCEE.format(uai="0930002B"),
    )  # an unknown equipment type and the post-bac envelope overspent: to be corrected
    uai_invalide = _evenement(
        "etablissements.are.demande-complementaire.v1",
        "DEMO-ARE-DC-0003",
        "demo-are-dc-0003",
        today,
        {
            "uai": "75001A",
            "annee_scolaire": "2023-2024",
            "date_demande": today.isoformat(),
            "canal": "courriel",
            "motif": "effectifs en hausse",
            "lignes": [_ligne("50022139", "CUISINE (CAP)", "pre_bac", 3)],
        },
        source=SOURCE_LYCEE.format(uai="75001A"),
    )  # refused by its contract (UAI format): goes to the dead-letter topic
    return [
        (topics.ETABLISSEMENTS, bilan_valide),
        (topics.ETABLISSEMENTS, ouverture),
        (topics.ETABLISSEMENTS, ouverture),  # delivered twice, applied once
        (topics.ETABLISSEMENTS, complement),
        (topics.ETABLISSEMENTS, complement_en_partie_non_eligible),
        (topics.ETABLISSEMENTS, bilan_a_corriger),
        (topics.ETABLISSEMENTS, uai_invalide),
        (topics.ETABLISSEMENTS, b'{"type": "etablissements.are.bilan-depose.v1"'),
    ]
