"""The dead-letter store on SQLite and on a real PostgreSQL: consigned once per origin, the
record encrypted at rest, listed within the user's schemes, read masked (clear on request,
audited), ignored with a motive, replayed through the intake, purged by retention."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.retention import RetentionActivities, limite_rebuts
from events import topics
from events.delivery import Livrable
from events.registre import CodeRejet, RebutRecu, origine_kafka
from models.retention import RechercheEchus
from models.tables import Audit, Rebut
from tests.factories import NIR, NOM, contrat_enregistre, convention_enregistree
from tests.factories import convention_personnelle as donnees_convention
from workers.runtime.codec import lire_trousseau, nouvelle_cle
from workers.runtime.redaction import MASK
from workers.runtime.retention import activites_retention
from workers.services import evenements, rebuts
from workers.services.evenements import ResultatEvenement
from workers.services.rebuts import (
    FiltresRebuts,
    RebutDejaTraite,
    RebutInconnu,
    RegistreRebutsSql,
    StatutRebut,
)
from workers.services.utilisateurs import AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TROUSSEAU = lire_trousseau(f"k1:{nouvelle_cle()}")
SUPERVISEUR = Identite("sup", Role.SUPERVISEUR, ("*",), None)
SUPERVISEUR_CP = Identite("sup-cp", Role.SUPERVISEUR, ("contrat-pro",), None)
ADMIN = Identite("adm", Role.ADMIN, ("*",), None)
INSTRUCTEUR = Identite("ins", Role.INSTRUCTEUR, ("*",), None)
LECTEUR = Identite("lec", Role.LECTEUR, ("*",), None)


async def faux_client() -> Client:
    """Never used: `livrer` is replaced (`livraisons`), or the intake refuses first."""
    return cast(Client, object())


@pytest.fixture
def registre(engine: Engine) -> RegistreRebutsSql:
    return RegistreRebutsSql(engine, TROUSSEAU)


def convention_json(cle: str = "971-24-00777") -> bytes:
    donnees = donnees_convention(cle, date(2024, 3, 1), date(2025, 2, 28))
    return convention_enregistree(cle, donnees).model_dump_json().encode()


def recu(
    offset: int,
    valeur: bytes,
    *,
    topic: str = topics.OPCO,
    code: CodeRejet = CodeRejet.CONTRAT,
    type_: str | None = "opco.contrat-pro.enregistre.v1",
    quand: datetime = T0,
    entetes: tuple[tuple[str, bytes], ...] = (),
) -> RebutRecu:
    return RebutRecu(
        origine=origine_kafka(topic, 0, offset),
        topic=topic,
        partition=0,
        offset=offset,
        cle="OPCO-2024-000123",
        code=code,
        motif="données non conformes au contrat: date_fin: champ obligatoire",
        type=type_,
        recu_le=quand,
        valeur=valeur,
        entetes=entetes,
    )


def contrat_sans_fin(numero: str = "OPCO-2024-000123") -> bytes:
    event = json.loads(contrat_enregistre(numero).model_dump_json())
    del event["data"]["date_fin"]
    return json.dumps(event).encode()


def contrat_valide(numero: str = "OPCO-2024-000123") -> bytes:
    return contrat_enregistre(numero).model_dump_json().encode()


def registre_engine(registre: RegistreRebutsSql) -> Engine:
    return registre._engine


def lignes(engine: Engine) -> list[Rebut]:
    with Session(engine) as session:
        return list(session.exec(select(Rebut).order_by(Rebut.id)).all())  # type: ignore[arg-type]


def audit(engine: Engine, dossier: str) -> list[Audit]:
    with Session(engine) as session:
        return list(session.exec(select(Audit).where(Audit.dossier == dossier)).all())


# --- the table --------------------------------------------------------------------------------


def test_the_migration_creates_the_table_the_model_describes(engine: Engine) -> None:
    with engine.connect() as connexion:
        differences = compare_metadata(MigrationContext.configure(connexion), SQLModel.metadata)
    assert differences == []


# --- consigning -------------------------------------------------------------------------------


async def test_a_record_consigned_twice_is_one_row_and_the_second_call_does_not_fail(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(recu(7, contrat_sans_fin()))
    await registre.consigner(recu(7, contrat_sans_fin()))
    await registre.consigner(recu(8, b"pas du JSON", code=CodeRejet.JSON_INVALIDE, type_=None))

    rows = lignes(engine)
    assert [(r.origine, r.statut, r.dispositif, r.code) for r in rows] == [
        ("kafka:partenaires.opco/0/7", "nouveau", "contrat-pro", "contrat"),
        ("kafka:partenaires.opco/0/8", "nouveau", None, "json_invalide"),
    ]
    assert rows[0].taille == len(contrat_sans_fin())


async def test_the_record_is_encrypted_in_the_row_and_its_personal_values_are_not_readable(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    valeur = convention_json()
    await registre.consigner(
        recu(
            1,
            valeur,
            topic=topics.ASP,
            type_="asp.cae-dom.convention-enregistree.v1",
            entetes=(("ce_subject", NIR.encode()),),
        )
    )
    with engine.connect() as connexion:
        brut = connexion.execute(text("SELECT charge FROM rebut")).scalar_one()
    assert NIR.encode() in valeur
    assert NOM.encode() in valeur
    assert NIR.encode() not in bytes(brut)
    assert NOM.encode() not in bytes(brut)
    assert bytes(brut)[1:3] == b"k1"  # the key id, for rotation


async def test_an_unreachable_database_raises_so_the_consumer_backs_off() -> None:
    engine = create_engine("postgresql+psycopg://guichet@127.0.0.1:1/absente")
    with pytest.raises(OperationalError):
        await RegistreRebutsSql(engine, TROUSSEAU).consigner(recu(1, b"{}"))


# --- listing ------------------------------------------------------------------------------------


async def test_the_list_is_newest_first_filtered_and_paginated(
    registre: RegistreRebutsSql,
) -> None:
    for i in range(5):
        await registre.consigner(recu(i, contrat_sans_fin(), quand=T0 + timedelta(hours=i)))
    await registre.consigner(
        recu(9, b"x", topic=topics.ASP, code=CodeRejet.JSON_INVALIDE, type_=None)
    )

    premiere = registre.lister(SUPERVISEUR, limite=2)
    assert premiere.total == 6
    assert [r.offset for r in premiere.rebuts] == [4, 3]
    assert premiere.suivant is not None
    seconde = registre.lister(SUPERVISEUR, limite=2, curseur=premiere.suivant)
    assert [r.offset for r in seconde.rebuts] == [2, 1]

    def offsets(**filtres: Any) -> list[int | None]:
        return [r.offset for r in registre.lister(SUPERVISEUR, FiltresRebuts(**filtres)).rebuts]

    assert offsets(topic=topics.ASP) == [9]
    assert offsets(code="json_invalide") == [9]
    assert offsets(type="opco.contrat-pro.enregistre.v1") == [4, 3, 2, 1, 0]
    assert offsets(depuis=T0 + timedelta(hours=1), jusqu_a=T0 + timedelta(hours=3)) == [2, 1]
    assert offsets(statut=StatutRebut.IGNORE) == []
    with pytest.raises(EntreeInvalide, match="curseur"):
        registre.lister(SUPERVISEUR, curseur="n'importe quoi")
    with pytest.raises(EntreeInvalide, match="limite"):
        registre.lister(SUPERVISEUR, limite=0)


async def test_a_supervisor_scoped_to_contrat_pro_sees_neither_cae_dom_rows_nor_unknown_ones(
    registre: RegistreRebutsSql,
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    await registre.consigner(
        recu(2, convention_json(), topic=topics.ASP, type_="asp.cae-dom.convention-enregistree.v1")
    )
    await registre.consigner(recu(3, b"?", code=CodeRejet.JSON_INVALIDE, type_=None))
    par_offset = {r.offset: r.id for r in registre.lister(SUPERVISEUR).rebuts}

    page = registre.lister(SUPERVISEUR_CP)

    assert [(r.offset, r.dispositif) for r in page.rebuts] == [(1, "contrat-pro")]
    assert page.total == 1
    for offset in (2, 3):
        with pytest.raises(AccesRefuse, match="périmètre"):
            registre.lire(par_offset[offset], SUPERVISEUR_CP)
        with pytest.raises(AccesRefuse):
            registre.ignorer(par_offset[offset], SUPERVISEUR_CP, "doublon")
    with Session(registre_engine(registre)) as session:
        assert {c.code for c in rebuts.comptes(session, SUPERVISEUR_CP)} == {"contrat"}
        assert [r.offset for r in rebuts.derniers(session, SUPERVISEUR_CP)] == [1]
        assert len(rebuts.comptes(session, None)) == 2


@pytest.mark.parametrize("acteur", [INSTRUCTEUR, LECTEUR])
async def test_instructors_and_readers_have_no_access_to_dead_letters(
    registre: RegistreRebutsSql, acteur: Identite
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    with pytest.raises(AccesRefuse, match="rôle"):
        registre.lister(acteur)
    with pytest.raises(AccesRefuse, match="rôle"):
        registre.lire(1, acteur)


# --- reading ------------------------------------------------------------------------------------


async def test_the_record_is_shown_masked_and_in_clear_only_on_request_which_is_audited(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(
        recu(
            1,
            convention_json(),
            topic=topics.ASP,
            type_="asp.cae-dom.convention-enregistree.v1",
            entetes=(("ce_nom", NOM.encode()), ("content-type", b"application/json")),
        )
    )
    id_ = registre.lister(ADMIN).rebuts[0].id

    masque = registre.lire(id_, SUPERVISEUR)
    clair = registre.lire(id_, SUPERVISEUR, en_clair=True)

    assert masque.format == "json"
    assert not masque.en_clair
    rendu = json.dumps(masque.model_dump(mode="json"), ensure_ascii=False)
    assert NIR not in rendu
    assert NOM not in rendu
    assert masque.contenu["data"]["salarie"] == MASK, "marked personal in the catalogue"
    assert masque.contenu["data"]["actions"]["tuteur"] == MASK, "marked, whatever its name"
    assert masque.contenu["type"] == "asp.cae-dom.convention-enregistree.v1"
    assert [(e.nom, e.valeur) for e in masque.entetes] == [
        ("ce_nom", MASK),
        ("content-type", "application/json"),
    ]
    assert clair.en_clair
    assert clair.contenu["data"]["salarie"]["nir"] == NIR
    assert clair.entetes[0].valeur == NOM
    lignes_audit = audit(engine, f"rebut:{id_}")
    assert [(a.nature, a.type, a.auteur) for a in lignes_audit] == [
        ("rebut", "consultation_en_clair", "sup")
    ]
    with pytest.raises(RebutInconnu):
        registre.lire(id_ + 100, SUPERVISEUR)


async def test_a_record_that_is_not_json_is_shown_as_text_or_base64(
    registre: RegistreRebutsSql,
) -> None:
    await registre.consigner(recu(1, f"nir={NIR}".encode(), type_=None))
    await registre.consigner(recu(2, b"\xff\xfe\x00", type_=None))
    texte, binaire = (registre.lire(r.id, ADMIN) for r in registre.lister(ADMIN).rebuts[::-1])
    assert (texte.format, texte.contenu) == ("texte", f"nir={MASK}")
    assert (binaire.format, binaire.contenu) == ("binaire", "//4A")


# --- ignoring -----------------------------------------------------------------------------------


async def test_ignoring_needs_a_motive_is_audited_and_happens_once(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    id_ = registre.lister(ADMIN).rebuts[0].id
    for motif in ("", "   "):
        with pytest.raises(EntreeInvalide, match="motif"):
            registre.ignorer(id_, SUPERVISEUR, motif)
    assert lignes(engine)[0].statut == "nouveau"

    fait = registre.ignorer(id_, SUPERVISEUR, f"doublon du contrat, salarié NIR {NIR}")

    assert (fait.statut, fait.traite_par) == (StatutRebut.IGNORE, "sup")
    assert fait.traite_le is not None
    assert fait.motif_traitement == f"doublon du contrat, salarié NIR {NIR}"
    (ligne,) = audit(engine, f"rebut:{id_}")
    assert (ligne.nature, ligne.type, ligne.auteur) == ("rebut", "ignore", "sup")
    assert NIR not in json.dumps(ligne.detail)  # the audit log outlives the row
    with pytest.raises(RebutDejaTraite, match="déjà traité"):
        registre.ignorer(id_, ADMIN, "encore")


# --- replaying ----------------------------------------------------------------------------------


async def test_a_replay_the_intake_refuses_keeps_the_row_new_and_says_why(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    id_ = registre.lister(ADMIN).rebuts[0].id

    with pytest.raises(EntreeInvalide, match="date_fin") as refus:
        await registre.rejouer(id_, SUPERVISEUR, client=faux_client, task_queue="q")
    with pytest.raises(EntreeInvalide, match="JSON"):
        await registre.rejouer(id_, SUPERVISEUR, b"{", client=faux_client, task_queue="q")

    assert "contrat" in refus.value.detail
    assert lignes(engine)[0].statut == "nouveau"
    assert [a.type for a in audit(engine, f"rebut:{id_}")] == ["rejeu_refuse", "rejeu_refuse"]


@pytest.fixture
def livraisons(monkeypatch: pytest.MonkeyPatch) -> list[Livrable]:
    """`livrer` recorded instead of signalling Temporal (the real path: tests/api)."""
    livres: list[Livrable] = []

    async def livrer(_client: Client, _task_queue: str, livrable: Livrable) -> ResultatEvenement:
        livres.append(livrable)
        return ResultatEvenement(
            id=livrable.event.id,
            type=livrable.event.type,
            dossier=livrable.event.subject,
            workflow_id=livrable.type.workflow_id(livrable.event.subject),
        )

    monkeypatch.setattr(evenements, "livrer", livrer)
    return livres


async def test_a_corrected_replay_is_delivered_marks_the_row_replayed_and_is_audited(
    engine: Engine, registre: RegistreRebutsSql, livraisons: list[Livrable]
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin("OPCO-REJEU-1")))
    id_ = registre.lister(ADMIN).rebuts[0].id

    fait = await registre.rejouer(
        id_, SUPERVISEUR, contrat_valide("OPCO-REJEU-1"), client=faux_client, task_queue="q"
    )

    assert [livre.event.subject for livre in livraisons] == ["OPCO-REJEU-1"]
    assert fait.evenement.workflow_id == "contrat-pro:OPCO-REJEU-1"
    assert (fait.rebut.statut, fait.rebut.traite_par) == (StatutRebut.REJOUE, "sup")
    (ligne,) = audit(engine, f"rebut:{id_}")
    assert (ligne.type, ligne.auteur, ligne.detail["corrige"]) == ("rejeu", "sup", True)
    with pytest.raises(RebutDejaTraite):
        await registre.rejouer(id_, ADMIN, client=faux_client, task_queue="q")
    with pytest.raises(RebutDejaTraite):
        registre.ignorer(id_, ADMIN, "trop tard")


async def test_a_stored_record_valid_today_replays_as_it_was(
    registre: RegistreRebutsSql, livraisons: list[Livrable]
) -> None:
    await registre.consigner(recu(1, contrat_valide("OPCO-CLOS-1"), code=CodeRejet.DOSSIER_CLOS))
    id_ = registre.lister(ADMIN).rebuts[0].id

    fait = await registre.rejouer(id_, ADMIN, client=faux_client, task_queue="q")

    assert fait.rebut.statut is StatutRebut.REJOUE
    assert fait.rebut.motif_traitement == "rejoué tel quel"
    assert len(livraisons) == 1


async def test_a_correction_cannot_move_a_record_outside_the_users_schemes(
    registre: RegistreRebutsSql, livraisons: list[Livrable]
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    id_ = registre.lister(ADMIN).rebuts[0].id
    cae = Identite("sup-cae", Role.SUPERVISEUR, ("cae-dom", "contrat-pro"), None)
    corrige = json.loads(convention_json())
    corrige["source"] = "/opco/akto"

    with pytest.raises(EntreeInvalide, match="mauvais_topic"):
        await registre.rejouer(
            id_, cae, json.dumps(corrige).encode(), client=faux_client, task_queue="q"
        )
    assert livraisons == []


# --- purging ------------------------------------------------------------------------------------


async def test_purging_deletes_the_rows_received_before_the_date_and_is_audited(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(recu(1, b"a", quand=T0 - timedelta(days=200)))
    await registre.consigner(recu(2, b"b", quand=T0))

    with pytest.raises(AccesRefuse):
        registre.purger(T0 - timedelta(days=1), SUPERVISEUR)
    assert registre.purger(T0 - timedelta(days=1), ADMIN) == 1
    assert registre.purger(T0 - timedelta(days=1), ADMIN) == 0

    assert [r.offset for r in lignes(engine)] == [2]
    (ligne,) = audit(engine, "rebuts")
    assert (ligne.type, ligne.auteur, ligne.detail["supprimes"]) == ("purge", "adm", 1)


async def test_the_daily_retention_run_deletes_dead_letters_past_their_retention(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    aujourdhui = date(2026, 9, 1)
    limite = limite_rebuts(aujourdhui, 180)  # midnight in Paris, 180 days before
    await registre.consigner(recu(1, b"a", quand=limite - timedelta(seconds=1)))
    await registre.consigner(recu(2, b"b", quand=limite))
    activites = RetentionActivities(engine, conservation_rebuts=180)

    echus = await ActivityEnvironment().run(
        activites.dossiers_a_purger, RechercheEchus(aujourdhui=aujourdhui)
    )

    assert echus == []
    assert [r.offset for r in lignes(engine)] == [2]
    assert limite == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
    (ligne,) = audit(engine, "rebuts")
    assert (ligne.auteur, ligne.detail["supprimes"]) == ("guichet/retention", 1)


async def test_the_retention_activity_purges_dead_letters_past_the_days_it_is_given(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    aujourdhui = datetime.now(UTC).date()
    await registre.consigner(recu(1, b"a", quand=datetime.now(UTC) - timedelta(days=40)))
    await registre.consigner(recu(2, b"b", quand=datetime.now(UTC) - timedelta(days=20)))
    a_purger = activites_retention(engine, conservation_rebuts=30)[0]

    await ActivityEnvironment().run(a_purger, RechercheEchus(aujourdhui=aujourdhui))

    assert [r.offset for r in lignes(engine)] == [2]


async def test_a_record_whose_key_left_the_ring_is_shown_unreadable_and_replays_only_corrected(
    engine: Engine, registre: RegistreRebutsSql
) -> None:
    await registre.consigner(recu(1, contrat_sans_fin()))
    id_ = registre.lister(ADMIN).rebuts[0].id
    autre = RegistreRebutsSql(engine, lire_trousseau(f"k2:{nouvelle_cle()}"))

    vue = autre.lire(id_, ADMIN, en_clair=True)

    assert (vue.format, vue.contenu) == ("illisible", None)
    assert vue.note is not None
    assert "k1" in vue.note
    with pytest.raises(EntreeInvalide, match="illisible"):
        await autre.rejouer(id_, ADMIN, client=faux_client, task_queue="q")
