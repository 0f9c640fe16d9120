"""`/rebuts` against a real Temporal and SQLite and PostgreSQL: who may see what, the record
masked or in clear (audited), a replay refused by the intake, a corrected replay that reaches
the dossier's workflow, a dead letter ignored with a motive."""

import json
import uuid
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from events import topics
from events.registre import CodeRejet, RebutRecu, origine_kafka
from models.tables import Audit, Rebut
from tests.api.conftest import Pile
from tests.factories import NIR, contrat_enregistre, convention_enregistree
from tests.factories import convention_personnelle as donnees_convention
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import creer_jeton, creer_utilisateur


async def consigner(
    pile: Pile, valeur: bytes, *, topic: str = topics.OPCO, type_: str | None = None
) -> int:
    """A fresh dead letter; its id."""
    origine = origine_kafka(topic, 0, uuid.uuid4().int % 10**9)
    await RegistreRebutsSql.pour(pile.settings, pile.engine).consigner(
        RebutRecu(
            origine=origine,
            topic=topic,
            partition=0,
            offset=int(origine.rsplit("/", 1)[1]),
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


def jeton_superviseur_contrat_pro(pile: Pile) -> dict[str, str]:
    nom = "sup-cp"
    if nom not in pile.jetons:
        with Session(pile.engine) as session:
            creer_utilisateur(
                session=session, nom=nom, role="superviseur", dispositifs=["contrat-pro"]
            )
            session.commit()
            pile.jetons[nom], _ = creer_jeton(session=session, nom=nom)
            session.commit()
    return pile.entetes(nom)


async def test_only_supervisors_and_admins_reach_the_dead_letters(pile: Pile) -> None:
    id_ = await consigner(pile, b"{}", type_="opco.contrat-pro.enregistre.v1")
    for nom in ("instructeur", "lecteur", "partenaire"):
        for reponse in (
            await pile.http.get("/rebuts", headers=pile.entetes(nom)),
            await pile.http.get(f"/rebuts/{id_}", headers=pile.entetes(nom)),
            await pile.http.post(
                f"/rebuts/{id_}/ignorer", json={"motif": "x"}, headers=pile.entetes(nom)
            ),
        ):
            assert reponse.status_code == 403, (nom, reponse.text)
            assert "rôle" in reponse.json()["detail"]
    assert (await pile.http.get("/rebuts")).status_code == 401
    for nom in ("superviseur", "admin"):
        assert (await pile.http.get("/rebuts", headers=pile.entetes(nom))).status_code == 200
    inconnu = await pile.http.get("/rebuts/999999999", headers=pile.entetes("admin"))
    assert inconnu.status_code == 404
    assert "rebut inconnu" in inconnu.json()["detail"]


async def test_a_supervisor_scoped_to_contrat_pro_does_not_see_a_cae_dom_dead_letter(
    pile: Pile,
) -> None:
    contrat = await consigner(pile, b"{}", type_="opco.contrat-pro.enregistre.v1")
    cae = await consigner(
        pile, b"{}", topic=topics.ASP, type_="asp.cae-dom.convention-enregistree.v1"
    )
    entetes = jeton_superviseur_contrat_pro(pile)

    liste = await pile.http.get("/rebuts", params={"limite": 500}, headers=entetes)
    refus = await pile.http.get(f"/rebuts/{cae}", headers=entetes)

    ids = {r["id"] for r in liste.json()["rebuts"]}
    assert contrat in ids
    assert cae not in ids
    assert {r["dispositif"] for r in liste.json()["rebuts"]} == {"contrat-pro"}
    assert refus.status_code == 403
    assert "périmètre" in refus.json()["detail"]
    filtre = await pile.http.get(
        "/rebuts", params={"topic": topics.ASP}, headers=pile.entetes("superviseur")
    )
    assert cae in {r["id"] for r in filtre.json()["rebuts"]}
    assert {r["topic"] for r in filtre.json()["rebuts"]} == {topics.ASP}


async def test_the_record_is_masked_unless_asked_in_clear_which_is_audited(pile: Pile) -> None:
    cle = "971-24-00777"
    valeur = convention_enregistree(
        cle, donnees_convention(cle, date(2024, 3, 1), date(2025, 2, 28))
    ).model_dump_json()
    id_ = await consigner(
        pile,
        valeur.encode(),
        topic=topics.ASP,
        type_="asp.cae-dom.convention-enregistree.v1",
    )

    masque = await pile.http.get(f"/rebuts/{id_}", headers=pile.entetes("superviseur"))
    clair = await pile.http.get(
        f"/rebuts/{id_}", params={"clair": "true"}, headers=pile.entetes("superviseur")
    )

    assert masque.status_code == 200
    assert NIR not in masque.text
    assert masque.json()["contenu"]["data"]["salarie"] == "[masqué]"
    assert clair.json()["contenu"]["data"]["salarie"]["nir"] == NIR
    with Session(pile.engine) as session:
        lignes = session.exec(select(Audit).where(Audit.dossier == f"rebut:{id_}")).all()
    assert [(a.type, a.auteur) for a in lignes] == [("consultation_en_clair", "superviseur")]


async def test_a_dead_letter_is_ignored_once_with_a_motive(pile: Pile) -> None:
    id_ = await consigner(pile, b"{}", type_="opco.contrat-pro.enregistre.v1")
    entetes = pile.entetes("superviseur")

    sans_motif = await pile.http.post(f"/rebuts/{id_}/ignorer", json={"motif": ""}, headers=entetes)
    fait = await pile.http.post(
        f"/rebuts/{id_}/ignorer", json={"motif": "doublon envoyé par l'OPCO"}, headers=entetes
    )
    encore = await pile.http.post(f"/rebuts/{id_}/ignorer", json={"motif": "x"}, headers=entetes)

    assert sans_motif.status_code == 422
    assert sans_motif.json()["erreurs"][0]["champ"] == "motif"
    assert fait.status_code == 200
    assert (fait.json()["statut"], fait.json()["traite_par"]) == ("ignore", "superviseur")
    assert encore.status_code == 409
    assert "déjà traité" in encore.json()["detail"]


async def test_a_replay_the_intake_refuses_answers_422_and_the_dead_letter_stays_new(
    pile: Pile,
) -> None:
    numero = f"REBUT-{uuid.uuid4().hex[:8]}"
    id_ = await consigner(pile, contrat_sans_fin(numero), type_="opco.contrat-pro.enregistre.v1")

    reponse = await pile.http.post(f"/rebuts/{id_}/rejouer", headers=pile.entetes("superviseur"))

    assert reponse.status_code == 422
    assert "date_fin" in reponse.json()["detail"]
    lu = await pile.http.get(f"/rebuts/{id_}", headers=pile.entetes("superviseur"))
    assert lu.json()["rebut"]["statut"] == "nouveau"
    assert pile.ligne(f"contrat-pro:{numero}") is None


async def test_a_corrected_replay_reaches_the_dossier_and_marks_the_dead_letter_replayed(
    pile: Pile,
) -> None:
    numero = f"REBUT-{uuid.uuid4().hex[:8]}"
    id_ = await consigner(pile, contrat_sans_fin(numero), type_="opco.contrat-pro.enregistre.v1")
    corrige = json.loads(
        contrat_enregistre(
            numero, debut=datetime.now(UTC).date(), event_id=f"{numero}/r"
        ).model_dump_json()
    )

    reponse = await pile.http.post(
        f"/rebuts/{id_}/rejouer", json=corrige, headers=pile.entetes("admin")
    )

    assert reponse.status_code == 200, reponse.text
    assert reponse.json()["rebut"]["statut"] == "rejoue"
    assert reponse.json()["rebut"]["traite_par"] == "admin"
    assert reponse.json()["evenement"]["workflow_id"] == f"contrat-pro:{numero}"
    await pile.attendre(f"contrat-pro:{numero}", lambda r: r.statut == "attente_demande")
    encore = await pile.http.post(f"/rebuts/{id_}/rejouer", headers=pile.entetes("admin"))
    assert encore.status_code == 409
