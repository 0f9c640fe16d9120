"""Who may do what: each role against each endpoint, tokens, schemes. Real Temporal, SQLite
and PostgreSQL (the `pile` fixture)."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from events.catalogue import CATALOGUE
from models import depot
from models.dossier import ProjectionDossier
from tests.api.conftest import PDF, Pile
from tests.factories import contrat_enregistre_data
from workers.services.utilisateurs import desactiver

ROLES = ("admin", "instructeur", "superviseur", "lecteur", "partenaire")


@pytest.fixture(scope="module")
async def dossier(pile: Pile) -> str:
    return await pile.dossier_en_instruction()


def _evenement_opco(cle: str) -> dict[str, Any]:
    """A registration already applied (same id): accepted and ignored by the workflow."""
    numero = cle.split(":", 1)[1]
    return {
        "id": f"{numero}/reg",
        "source": "/opco/akto",
        "type": "opco.contrat-pro.enregistre.v1",
        "subject": numero,
        "time": "2024-09-03T09:30:00+00:00",
        "data": contrat_enregistre_data(numero),
    }


async def _appel(pile: Pile, action: str, cle: str, role: str) -> httpx.Response:
    entetes = pile.entetes(role)
    http = pile.http
    fichier = {"fichier": ("cerfa.pdf", PDF, "application/pdf")}
    appels = {
        "lister": lambda: http.get("/dossiers", headers=entetes),
        "montrer": lambda: http.get(f"/dossiers/{cle}", headers=entetes),
        "historique": lambda: http.get(f"/dossiers/{cle}/timeline", headers=entetes),
        # no deadline: the workflow's validator refuses it (409), nothing changes
        "decider": lambda: http.post(
            f"/dossiers/{cle}/decisions", json={"type": "demander_pieces"}, headers=entetes
        ),
        "deposer": lambda: http.post(
            f"/dossiers/{cle}/documents",
            files=fichier,
            data={"type_document": "autre"},
            headers=entetes,
        ),
        "exporter": lambda: http.get("/dossiers/export?format=csv", headers=entetes),
        "beneficiaires": lambda: http.get(
            "/rapports/beneficiaires?annee=2024&format=csv", headers=entetes
        ),
        "evenement": lambda: http.post("/evenements", json=_evenement_opco(cle), headers=entetes),
    }
    return await appels[action]()


ATTENDU = {
    "lister": {"admin": 200, "instructeur": 200, "superviseur": 200, "lecteur": 200},
    "montrer": {"admin": 200, "instructeur": 200, "superviseur": 200, "lecteur": 200},
    "historique": {"admin": 200, "instructeur": 200, "superviseur": 200, "lecteur": 200},
    "decider": {"admin": 409, "instructeur": 409},
    "deposer": {"admin": 201, "instructeur": 201},
    "exporter": {"admin": 200, "instructeur": 200, "superviseur": 200},
    "beneficiaires": {"admin": 200, "instructeur": 200, "superviseur": 200},
    "evenement": {"admin": 202, "partenaire": 202},
}
"""Status per action and role; a role not listed gets 403."""


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ATTENDU))
async def test_each_role_gets_exactly_its_rights_on_each_endpoint(
    pile: Pile, dossier: str, action: str, role: str
) -> None:
    response = await _appel(pile, action, dossier, role)

    attendu = ATTENDU[action].get(role, 403)
    assert response.status_code == attendu, response.text
    if attendu == 403:
        assert "rôle" in response.json()["detail"]


HORS_PERIMETRE = {
    "lister": {"admin": 200, "instructeur": 200, "superviseur": 200, "lecteur": 200},
    "exporter": {"admin": 200, "instructeur": 200, "superviseur": 200},
}
"""Scoped to CAE-DOM, on the contrat-pro dossier: the lists answer without it; every other
action a role may take is refused for the scheme (403 naming it), the yearly list of the
contrat-pro beneficiaries included (one scheme's report: an empty file would read « nobody »);
the rest for the role."""


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ATTENDU))
async def test_each_role_scoped_to_another_scheme_is_refused_the_dossier_on_each_endpoint(
    pile: Pile, dossier: str, action: str, role: str
) -> None:
    response = await _appel(pile, action, dossier, f"{role}-cae")

    attendu = HORS_PERIMETRE.get(action, {}).get(role, 403)
    assert response.status_code == attendu, response.text
    if attendu == 200:
        assert dossier not in response.text, "listed or exported outside the scope"
    elif role in ATTENDU[action]:
        assert "contrat-pro" in response.json()["detail"], response.text
    else:
        assert "rôle" in response.json()["detail"], response.text


async def test_a_reader_cannot_decide_and_the_dossier_does_not_change(
    pile: Pile, dossier: str
) -> None:
    avant = await pile.http.get(f"/dossiers/{dossier}/timeline", headers=pile.entetes("admin"))

    response = await pile.http.post(
        f"/dossiers/{dossier}/decisions", json={"type": "accepter"}, headers=pile.entetes("lecteur")
    )

    assert response.status_code == 403
    apres = await pile.http.get(f"/dossiers/{dossier}/timeline", headers=pile.entetes("admin"))
    assert apres.json() == avant.json()
    assert pile.ligne(dossier).statut == "instruction"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("entetes", "motif"),
    [
        ({}, "absent"),
        ({"Authorization": "Bearer pas-un-jeton"}, "inconnu"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "absent"),
    ],
)
async def test_a_missing_or_unknown_token_gets_401_in_french(
    pile: Pile, dossier: str, entetes: dict[str, str], motif: str
) -> None:
    for url in (
        "/dossiers",
        f"/dossiers/{dossier}",
        "/dossiers/export",
        "/rapports/beneficiaires?annee=2024",
    ):
        response = await pile.http.get(url, headers=entetes)

        assert response.status_code == 401
        assert motif in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"


async def test_an_expired_token_gets_401_naming_the_expiry(pile: Pile, dossier: str) -> None:
    response = await pile.http.get(f"/dossiers/{dossier}", headers=pile.entetes("expire"))

    assert response.status_code == 401
    assert "expiré" in response.json()["detail"]


async def test_a_disabled_user_token_no_longer_works(pile: Pile) -> None:
    assert (await pile.http.get("/dossiers", headers=pile.entetes("ancien"))).status_code == 200
    with Session(pile.engine) as session:
        desactiver(session=session, nom="ancien")
        session.commit()

    response = await pile.http.get("/dossiers", headers=pile.entetes("ancien"))

    assert response.status_code == 401
    assert "désactivé" in response.json()["detail"]


async def test_a_user_of_another_scheme_is_refused_the_dossier_and_does_not_list_it(
    pile: Pile, dossier: str
) -> None:
    entetes = pile.entetes("instructeur-cae")

    for response in (
        await pile.http.get(f"/dossiers/{dossier}", headers=entetes),
        await pile.http.get(f"/dossiers/{dossier}/timeline", headers=entetes),
        await pile.http.post(
            f"/dossiers/{dossier}/decisions", json={"type": "accepter"}, headers=entetes
        ),
    ):
        assert response.status_code == 403
        assert "contrat-pro" in response.json()["detail"]
    listed = await pile.http.get("/dossiers?dispositif=contrat-pro", headers=entetes)
    assert listed.json()["dossiers"] == []
    exported = await pile.http.get("/dossiers/export?format=csv", headers=entetes)
    assert dossier not in exported.text


async def test_a_scheme_pattern_scopes_the_list_to_the_matching_schemes(pile: Pile) -> None:
    with Session(pile.engine) as session:
        for dispositif in ("are-bilan", "cae-dom"):
            depot.projeter_dossier(
                session=session,
                projection=ProjectionDossier(
                    cle=f"{dispositif}:{uuid.uuid4().hex[:6]}",
                    dispositif=dispositif,
                    reference="ref",
                    statut="nouveau",
                    version=1,
                    maj_le=datetime.now(UTC),
                ),
            )
        session.commit()

    response = await pile.http.get("/dossiers?limite=500", headers=pile.entetes("lecteur"))

    dispositifs = {d["dispositif"] for d in response.json()["dossiers"]}
    assert "are-bilan" in dispositifs
    assert "cae-dom" not in dispositifs


async def test_a_partner_cannot_send_another_partners_event_type(pile: Pile, dossier: str) -> None:
    numero = dossier.split(":", 1)[1]
    event = {
        "id": f"{numero}/usurpe",
        "source": "/opco/akto",
        "type": "portail.contrat-pro.document-ajoute.v1",
        "subject": numero,
        "time": "2024-09-03T09:30:00+00:00",
        "data": dict(CATALOGUE["portail.contrat-pro.document-ajoute.v1"].exemple),
    }

    response = await pile.http.post("/evenements", json=event, headers=pile.entetes("partenaire"))

    assert response.status_code == 403
    assert "opco" in response.json()["detail"]
    accepted = await pile.http.post("/evenements", json=event, headers=pile.entetes("portail"))
    assert accepted.status_code == 202
