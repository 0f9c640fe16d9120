"""The console's dead-letter pages over plain HTTP, on the console's real Temporal and worker:
the list and its filters, the scheme scope, the record masked then shown in clear (a POST with
the CSRF token, audited), a replay refused by the intake, a corrected replay, ignoring with a
motive."""

import html
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlmodel import Session, select

from events import topics
from events.registre import CodeRejet, RebutRecu, origine_kafka
from models.tables import Audit, Rebut
from tests.console.conftest import Pile
from tests.factories import NIR, contrat_enregistre, convention_enregistree
from tests.factories import convention_personnelle as donnees_convention
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import creer_jeton, creer_utilisateur

pytestmark = pytest.mark.integration

SUP_CP = "sup.contrat-pro"


@asynccontextmanager
async def connecte(pile: Pile, nom: str) -> AsyncIterator[httpx.AsyncClient]:
    if nom == SUP_CP and nom not in pile.jetons:
        with Session(pile.engine) as session:
            creer_utilisateur(
                session=session, nom=nom, role="superviseur", dispositifs=["contrat-pro"]
            )
            session.flush()
            pile.jetons[nom], _ = creer_jeton(session=session, nom=nom)
            session.commit()
    async with httpx.AsyncClient(base_url=pile.url, follow_redirects=False) as client:
        page = await client.get("/console/connexion")
        reponse = await client.post(
            "/console/connexion",
            data={"csrf": csrf_de(page), "nom": nom, "jeton": pile.jetons[nom], "suite": ""},
        )
        assert reponse.status_code == 303, reponse.text
        yield client


def csrf_de(page: httpx.Response) -> str:
    trouve = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert trouve is not None
    return trouve.group(1)


def texte(reponse: httpx.Response) -> str:
    return html.unescape(reponse.text)


async def consigner(pile: Pile, valeur: bytes, *, topic: str, type_: str | None) -> int:
    offset = uuid.uuid4().int % 10**9
    origine = origine_kafka(topic, 0, offset)
    await RegistreRebutsSql.pour(pile.settings, pile.engine).consigner(
        RebutRecu(
            origine=origine,
            topic=topic,
            partition=0,
            offset=offset,
            cle=None,
            code=CodeRejet.CONTRAT,
            motif="données non conformes au contrat: date_fin: champ obligatoire",
            type=type_,
            recu_le=datetime.now(UTC),
            valeur=valeur,
        )
    )
    with Session(pile.engine) as session:
        row = session.exec(select(Rebut).where(Rebut.origine == origine)).one()
        assert row.id is not None
        return row.id


def contrat_sans_fin(numero: str) -> bytes:
    event = json.loads(contrat_enregistre(numero, event_id=f"{numero}/r").model_dump_json())
    del event["data"]["date_fin"]
    return json.dumps(event).encode()


async def rebut_contrat(pile: Pile) -> tuple[int, str]:
    numero = f"CONS-REBUT-{uuid.uuid4().hex[:6].upper()}"
    id_ = await consigner(
        pile, contrat_sans_fin(numero), topic=topics.OPCO, type_="opco.contrat-pro.enregistre.v1"
    )
    return id_, numero


async def rebut_cae(pile: Pile) -> int:
    cle = "971-24-00888"
    valeur = convention_enregistree(
        cle, donnees_convention(cle, date(2024, 3, 1), date(2025, 2, 28))
    ).model_dump_json()
    return await consigner(
        pile, valeur.encode(), topic=topics.ASP, type_="asp.cae-dom.convention-enregistree.v1"
    )


async def test_supervisors_list_the_dead_letters_of_their_schemes_and_filter_them(
    pile_console: Pile,
) -> None:
    contrat, _ = await rebut_contrat(pile_console)
    cae = await rebut_cae(pile_console)

    async with connecte(pile_console, "sophie.superviseure") as client:
        tout = await client.get("/console/rebuts")
        asp = await client.get("/console/rebuts", params={"topic": topics.ASP})
        mauvais = await client.get("/console/rebuts", params={"code": "x", "depuis": "hier"})
    async with connecte(pile_console, SUP_CP) as client:
        perimetre = await client.get("/console/rebuts")
        refus = await client.get(f"/console/rebuts/{cae}")

    assert tout.status_code == 200
    assert f'href="/console/rebuts/{contrat}"' in tout.text
    assert f'href="/console/rebuts/{cae}"' in tout.text
    assert 'aria-current="page">Événements rejetés' in texte(tout)
    assert f'href="/console/rebuts/{contrat}"' not in asp.text
    assert f'href="/console/rebuts/{cae}"' in asp.text
    assert mauvais.status_code == 422
    assert "motif de rejet inconnu" in texte(mauvais)
    assert "AAAA-MM-JJ" in texte(mauvais)
    assert f'href="/console/rebuts/{contrat}"' in perimetre.text
    assert f'href="/console/rebuts/{cae}"' not in perimetre.text
    assert refus.status_code == 403
    assert "périmètre" in texte(refus)


async def test_an_instructor_neither_sees_the_link_nor_opens_the_pages(pile_console: Pile) -> None:
    id_, _ = await rebut_contrat(pile_console)
    async with connecte(pile_console, "claire.instructrice") as client:
        file = await client.get("/console/file")
        liste = await client.get("/console/rebuts")
        fiche = await client.get(f"/console/rebuts/{id_}")
    assert "Événements rejetés" not in texte(file)
    assert liste.status_code == 403
    assert fiche.status_code == 403


async def test_the_record_is_masked_and_shown_in_clear_only_by_a_csrf_checked_post_audited(
    pile_console: Pile,
) -> None:
    id_ = await rebut_cae(pile_console)
    async with connecte(pile_console, "sophie.superviseure") as client:
        masque = await client.get(f"/console/rebuts/{id_}")
        sans_jeton = await client.post(f"/console/rebuts/{id_}/clair", data={})
        clair = await client.post(f"/console/rebuts/{id_}/clair", data={"csrf": csrf_de(masque)})

    assert masque.status_code == 200
    assert NIR not in masque.text
    assert "[masqué]" in texte(masque)
    assert sans_jeton.status_code == 403
    assert clair.status_code == 200
    assert NIR in clair.text
    assert "inscrite au journal d'audit" in texte(clair)
    with Session(pile_console.engine) as session:
        lignes = session.exec(select(Audit).where(Audit.dossier == f"rebut:{id_}")).all()
    assert [(a.type, a.auteur) for a in lignes] == [
        ("consultation_en_clair", "sophie.superviseure")
    ]


async def test_ignoring_needs_a_motive_then_closes_the_dead_letter(pile_console: Pile) -> None:
    id_, _ = await rebut_contrat(pile_console)
    async with connecte(pile_console, "sophie.superviseure") as client:
        page = await client.get(f"/console/rebuts/{id_}")
        sans_motif = await client.post(
            f"/console/rebuts/{id_}/ignorer", data={"csrf": csrf_de(page), "motif": "  "}
        )
        fait = await client.post(
            f"/console/rebuts/{id_}/ignorer",
            data={"csrf": csrf_de(page), "motif": "doublon envoyé par l'OPCO"},
        )
        apres = await client.get(fait.headers["location"])

    assert sans_motif.status_code == 422
    assert "motif obligatoire" in texte(sans_motif)
    assert fait.status_code == 303
    assert "Rebut ignoré" in texte(apres)
    assert "doublon envoyé par l'OPCO" in texte(apres)
    assert 'id="titre-rejouer"' not in apres.text  # nothing left to do


async def test_a_refused_replay_keeps_the_dead_letter_and_a_corrected_one_reaches_the_dossier(
    pile_console: Pile,
) -> None:
    id_, numero = await rebut_contrat(pile_console)
    corrige = contrat_enregistre(
        numero, debut=pile_console.aujourd_hui, event_id=f"{numero}/r"
    ).model_dump_json()
    async with connecte(pile_console, "sophie.superviseure") as client:
        page = await client.get(f"/console/rebuts/{id_}")
        refuse = await client.post(
            f"/console/rebuts/{id_}/rejouer", data={"csrf": csrf_de(page), "corrige": ""}
        )
        accepte = await client.post(
            f"/console/rebuts/{id_}/rejouer", data={"csrf": csrf_de(page), "corrige": corrige}
        )
        apres = await client.get(accepte.headers["location"])

    assert refuse.status_code == 422
    assert "Rejeu refusé" in texte(refuse)
    assert "date_fin" in texte(refuse)
    assert accepte.status_code == 303, texte(accepte)
    assert "Rebut rejoué" in texte(apres)
    assert 'id="statut">Rejoué' in texte(apres)
    await pile_console.attendre_statut(f"contrat-pro:{numero}", "attente_demande")
