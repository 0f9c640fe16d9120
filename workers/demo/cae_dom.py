"""Realistic CAE-DOM partner events for `guichet demo`: conventions in different states right
after `make run`. Event ids are fixed (per convention), so running the demo twice applies
nothing twice.

- 971 (Guadeloupe): registered ten days ago, waiting for the end of its first quarter;
  its registration is delivered twice and applied once.
- 972 (Martinique): started two quarters ago; the first quarter's statement (with five days of
  unpaid absence) was paid, the second quarter's statement is awaited.
- 974 (La Réunion): refused, the State signed after the hiring (CONVENTION_APRES_EMBAUCHE).
- 973 (Guyane): started three quarters ago, first quarter paid, then a break reported late,
  in that quarter: an ordre de reversement for the days after the break.
- a statement for a quarter « 2024-T5 »: refused by its contract, to the dead-letter topic.
"""

import copy
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from events import topics
from models.cae_dom import WORKFLOW
from models.evenements import CloudEvent
from rules.cae_dom import Trimestre, ajouter_mois

COMMUNES = {
    "971": ("97110", "Pointe-à-Pitre"),
    "972": ("97200", "Fort-de-France"),
    "973": ("97300", "Cayenne"),
    "974": ("97400", "Saint-Denis"),
}


def convention(
    cle: str,
    embauche: date,
    fin: date,
    *,
    signature_etat: date | None = None,
    niveau: str = "1000.00",
    heures: int = 26,
    **situation: Any,
) -> dict[str, Any]:
    """A complete CDI Cerfa for the dossier `cle` (`DDD-AA-NNNNN`): signed two and three days
    before the hiring (unless `signature_etat` says otherwise), coverage from the hiring to
    `fin`, `heures` out of 35 a week; `situation` overrides the employee's prior situation."""
    departement = cle[:3]
    code_postal, commune = COMMUNES[departement]
    signature = embauche - timedelta(days=3)
    donnees: dict[str, Any] = {
        "numero_convention": f"{cle}-00-00",
        "code_prescripteur": f"ML{departement}A",
        "numero_ide": "1234567A",
        "employeur": {
            "denomination": "Boulangerie du Port",
            "adresse": {
                "numero": "12",
                "voie": "rue du Port",
                "code_postal": code_postal,
                "commune": commune,
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
            "adresse": {"voie": "rue Nozières", "code_postal": code_postal, "commune": commune},
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
            **situation,
        },
        "contrat": {
            "type_contrat": "CDI",
            "date_embauche": embauche.isoformat(),
            "code_rome": "D1102",
            "salaire_brut_mensuel": "1365.00",
            "duree_hebdomadaire": {"heures": heures, "minutes": 0},
            "modulation": False,
            "duree_collective": {"heures": 35, "minutes": 0},
        },
        "actions": {
            "tuteur": "M. Martin, chef boulanger",
            "organisme_suivi": f"Mission locale de {commune}",
            "referent": "Mme Jean",
            "accompagnement_social": False,
            "accompagnement_professionnel": [{"type": "aide_a_la_prise_de_poste", "initiative": 1}],
            "formation": [{"type": "adaptation_au_poste_de_travail", "initiative": 1}],
            "formation_interne": True,
        },
        "prise_en_charge": {
            "date_effet": embauche.isoformat(),
            "date_fin": fin.isoformat(),
            "niveau_prime_mensuel": niveau,
        },
        "date_signature_employeur_salarie": (signature - timedelta(days=1)).isoformat(),
        "date_signature_etat": (signature_etat or signature).isoformat(),
    }
    return copy.deepcopy(donnees)


def _asp(
    event_id: str, quoi: str, cle: str, jour: date, data: dict[str, Any]
) -> tuple[str, bytes | CloudEvent]:
    return (
        topics.ASP,
        CloudEvent(
            id=event_id,
            source="/asp",
            type=f"asp.cae-dom.{quoi}.v1",
            subject=cle,
            time=datetime.combine(jour, time(13), tzinfo=UTC),
            data=data,
        ),
    )


def _precedent(trimestre: Trimestre) -> Trimestre:
    return Trimestre.de_date(trimestre.premier_jour - timedelta(days=1))


def _cle(departement: str, embauche: date, ordre: int) -> str:
    return f"{departement}-{embauche.year % 100:02d}-{ordre:05d}"


def demo(today: date) -> list[tuple[str, bytes | CloudEvent]]:
    courant = Trimestre.de_date(today)
    evenements: list[tuple[str, bytes | CloudEvent]] = []

    embauche = today - timedelta(days=10)
    recent = _cle("971", embauche, 90001)
    enregistree = _asp(
        "demo-cae-0001",
        "convention-enregistree",
        recent,
        today,
        convention(recent, embauche, ajouter_mois(embauche, 12) - timedelta(days=1)),
    )
    evenements += [enregistree, enregistree]  # delivered twice, applied once

    premier = _precedent(_precedent(courant))
    embauche = premier.premier_jour + timedelta(days=14)
    paye = _cle("972", embauche, 90002)
    evenements += [
        _asp(
            "demo-cae-0002",
            "convention-enregistree",
            paye,
            embauche,
            convention(paye, embauche, ajouter_mois(embauche, 24) - timedelta(days=1)),
        ),
        _asp(
            "demo-cae-0003",
            "etat-presence",
            paye,
            premier.date_paiement,
            {
                "trimestre": premier.libelle,
                "absences_non_remunerees": [
                    {
                        "du": (embauche + timedelta(days=20)).isoformat(),
                        "au": (embauche + timedelta(days=24)).isoformat(),
                    }
                ],
            },
        ),
        _asp(
            "demo-cae-0004",
            "paiement-execute",
            paye,
            premier.date_paiement + timedelta(days=10),
            {
                "ordre_id": f"{WORKFLOW}:{paye}/paiement/{premier.libelle}",
                "date_execution": (premier.date_paiement + timedelta(days=10)).isoformat(),
            },
        ),
    ]

    embauche = today - timedelta(days=20)
    refusee = _cle("974", embauche, 90003)
    evenements.append(
        _asp(
            "demo-cae-0005",
            "convention-enregistree",
            refusee,
            today,
            convention(
                refusee,
                embauche,
                ajouter_mois(embauche, 12) - timedelta(days=1),
                signature_etat=embauche + timedelta(days=2),
            ),
        )
    )

    ancien = _precedent(premier)
    embauche = ancien.premier_jour
    rompue = _cle("973", embauche, 90004)
    rupture = ancien.premier_jour + timedelta(days=40)
    evenements += [
        _asp(
            "demo-cae-0006",
            "convention-enregistree",
            rompue,
            embauche,
            convention(rompue, embauche, ajouter_mois(embauche, 24) - timedelta(days=1)),
        ),
        _asp(
            "demo-cae-0007",
            "etat-presence",
            rompue,
            ancien.date_paiement,
            {"trimestre": ancien.libelle},
        ),
        _asp(
            "demo-cae-0008",
            "paiement-execute",
            rompue,
            ancien.date_paiement + timedelta(days=10),
            {
                "ordre_id": f"{WORKFLOW}:{rompue}/paiement/{ancien.libelle}",
                "date_execution": (ancien.date_paiement + timedelta(days=10)).isoformat(),
            },
        ),
        _asp(
            "demo-cae-0009",
            "rupture",
            rompue,
            today,
            {"date_fin_effective": rupture.isoformat(), "motif": "démission du salarié"},
        ),
        _asp(
            "demo-cae-0010",
            "etat-presence",
            recent,
            today,
            {"trimestre": f"{today.year}-T5"},
        ),
    ]
    return evenements
