"""The tamper-evident audit log on SQLite and on a real PostgreSQL (docs/audit.md): every way
of writing a line extends its dossier's hash chain, a duplicate does not, concurrent writers do
not fork it, each kind of tampering is named by the verifier, the GDPR purge is not one, the
daily digest is signed, kept, published once and checked."""

import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.testing import ActivityEnvironment

from activities.retention import RetentionActivities
from events import topics
from models import depot, depot_audit, depot_rgpd
from models.chaine_audit import (
    GENESE,
    ContenuLigne,
    Signataire,
    empreinte_detail,
    empreinte_ligne,
    empreinte_purge,
    json_canonique,
    racine,
)
from models.depot_audit import Rapport
from models.dossier import EntreeAudit, Nature, ProjectionDossier
from models.retention import PurgeDemandee, RechercheEchus
from models.tables import Audit, CondensatAudit
from tests.fakes import FakePublisher
from workers.runtime.database import alembic_config, engine_for, upgrade

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DOSSIER = "contrat-pro:OPCO-2026-1"
AUTRE = "cae-dom:971-2026-7"
SIGNATAIRE = Signataire.nouveau()


def entree(n: int, dossier: str = DOSSIER, **champs: Any) -> EntreeAudit:
    valeurs: dict[str, Any] = {
        "dossier": dossier,
        "cle_unique": f"evt-{n}",
        "horodatage": T0 + timedelta(minutes=n),
        "nature": Nature.EVENEMENT,
        "type": "opco.contrat-pro.enregistre.v1",
        "auteur": "/opco/akto",
        "evenement_source": f"evt-{n}",
        "detail": {"statut_avant": "attente_demande", "motif": f"ligne {n}", "montant": "6000.00"},
    }
    valeurs.update(champs)
    return EntreeAudit.model_validate(valeurs)


def remplir(engine: Engine, n: int = 5, dossier: str = DOSSIER) -> None:
    with Session(engine) as session:
        for i in range(1, n + 1):
            depot.ajouter_audit(session=session, entree=entree(i, dossier))
        session.commit()


def lignes(engine: Engine, dossier: str = DOSSIER) -> list[Audit]:
    with Session(engine) as session:
        query = select(Audit).where(Audit.dossier == dossier).order_by(col(Audit.rang))
        return list(session.exec(query).all())


def verifier(engine: Engine, dossier: str | None = None) -> Rapport:
    with Session(engine) as session:
        return depot_audit.verifier(
            session=session, verificateur=SIGNATAIRE.verificateur, dossier=dossier
        )


def graves(rapport: Rapport) -> list[str]:
    return [a.texte() for a in rapport.anomalies if a.grave]


def executer(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as connexion:
        connexion.execute(text(sql), params)


def condenser(engine: Engine, jour: date) -> CondensatAudit:
    with Session(engine, expire_on_commit=False) as session:
        condensat = depot_audit.condenser(
            session=session, jour=jour, signataire=SIGNATAIRE, quand=T0
        )
        session.commit()
    return condensat


# --- the chain as written ----------------------------------------------------------------------


def test_each_line_carries_the_hash_of_the_previous_line_of_its_dossier(engine: Engine) -> None:
    remplir(engine, 3)
    remplir(engine, 2, AUTRE)

    chaine = lignes(engine)
    assert [ligne.rang for ligne in chaine] == [1, 2, 3]
    assert chaine[0].precedent == GENESE
    assert [ligne.precedent for ligne in chaine[1:]] == [ligne.empreinte for ligne in chaine[:-1]]
    assert lignes(engine, AUTRE)[0].precedent == GENESE  # one chain per dossier
    rapport = verifier(engine)
    assert (rapport.chaines, rapport.lignes, rapport.anomalies) == (2, 5, [])


def test_the_hash_covers_the_fields_and_the_detail_through_its_own_hash(engine: Engine) -> None:
    remplir(engine, 1)
    (ligne,) = lignes(engine)
    detail = {"statut_avant": "attente_demande", "motif": "ligne 1", "montant": "6000.00"}
    assert ligne.empreinte_detail == empreinte_detail(detail)
    assert ligne.empreinte_purge == empreinte_detail(
        {"statut_avant": "attente_demande", "motif": "[purgé]", "montant": "6000.00"}
    )
    contenu = ContenuLigne(
        dossier=DOSSIER,
        cle_unique="evt-1",
        horodatage=T0 + timedelta(minutes=1),
        nature="evenement",
        type="opco.contrat-pro.enregistre.v1",
        auteur="/opco/akto",
        evenement_source="evt-1",
        empreinte_detail=ligne.empreinte_detail,
        empreinte_purge=ligne.empreinte_purge,
    )
    assert ligne.empreinte == empreinte_ligne(GENESE, contenu)


def test_a_duplicate_line_is_written_once_and_does_not_extend_the_chain(engine: Engine) -> None:
    remplir(engine, 2)
    with Session(engine) as session:
        depot.ajouter_audit(session=session, entree=entree(2, motif="rejoué"))
        depot_rgpd.ajouter_ligne(
            session=session,
            dossier=DOSSIER,
            cle_unique="evt-1",
            horodatage=T0,
            nature="rgpd",
            type_="autre",
            auteur="x",
            detail={},
        )
        session.commit()
    assert [ligne.rang for ligne in lignes(engine)] == [1, 2]
    assert verifier(engine).anomalies == []


def test_a_steps_lines_are_chained_together_in_order_once_each(engine: Engine) -> None:
    """A step's lines, written together (one lock, one head, one insert; issue 16): in order,
    each once (one already written, one twice in the step), two dossiers in one step."""
    remplir(engine, 1)
    with Session(engine) as session:
        depot.ajouter_audits(
            session=session,
            entrees=[entree(1), entree(2), entree(3), entree(2), entree(1, AUTRE), entree(4)],
        )
        session.commit()

    assert [(ligne.cle_unique, ligne.rang) for ligne in lignes(engine)] == [
        ("evt-1", 1),
        ("evt-2", 2),
        ("evt-3", 3),
        ("evt-4", 4),
    ]
    assert [ligne.rang for ligne in lignes(engine, AUTRE)] == [1]
    rapport = verifier(engine)
    assert (rapport.lignes, rapport.anomalies) == (5, [])


def test_service_lines_join_the_same_chain_as_the_workflows_lines(engine: Engine) -> None:
    remplir(engine, 2)
    with Session(engine) as session:
        depot_rgpd.ajouter_ligne(
            session=session,
            dossier=DOSSIER,
            cle_unique="rgpd/export/1",
            horodatage=T0 - timedelta(days=1),  # earlier than the lines before: order is rang
            nature=Nature.RGPD,
            type_="rgpd_export",
            auteur="admin",
            detail={"identifiant": "nir", "documents": 2},
        )
        session.commit()
    chaine = lignes(engine)
    assert [ligne.cle_unique for ligne in chaine] == ["evt-1", "evt-2", "rgpd/export/1"]
    assert chaine[2].precedent == chaine[1].empreinte
    assert verifier(engine).anomalies == []


def test_a_time_with_an_offset_is_stored_in_utc_and_verifies(engine: Engine) -> None:
    paris = timezone(timedelta(hours=2))
    with Session(engine) as session:
        depot.ajouter_audit(
            session=session, entree=entree(1, horodatage=datetime(2026, 6, 1, 11, 0, tzinfo=paris))
        )
        session.commit()
    (ligne,) = lignes(engine)
    stocke = ligne.horodatage
    assert (stocke.replace(tzinfo=UTC) if stocke.tzinfo is None else stocke) == datetime(
        2026, 6, 1, 9, 0, tzinfo=UTC
    )
    assert verifier(engine).anomalies == []


def test_canonical_json_sorts_keys_normalises_times_to_utc_and_writes_no_float() -> None:
    naif = datetime(2026, 3, 2, 9, 30)  # noqa: DTZ001 (SQLite hands these back, meaning UTC)
    assert json_canonique({"b": 1.5, "a": naif, "c": Decimal("2.10")}) == (
        '{"a":"2026-03-02T09:30:00.000000+00:00","b":"1.5","c":"2.10"}'
    )
    assert json_canonique({"t": T0.astimezone(timezone(timedelta(hours=-4)))}) == (
        '{"t":"2026-03-02T09:30:00.000000+00:00"}'
    )


# --- concurrent writers -------------------------------------------------------------------------


def _course(engine: Engine, monkeypatch: pytest.MonkeyPatch, par_ecrivain: int = 4) -> list[str]:
    """Two writers append to one dossier at once, each pausing between reading the head and
    inserting (the widest window); returns the errors they met."""
    tete = depot_audit.tete

    def tete_lente(**kwargs: Any) -> Any:
        resultat = tete(**kwargs)
        time.sleep(0.05)
        return resultat

    monkeypatch.setattr(depot_audit, "tete", tete_lente)
    depart = threading.Barrier(2)
    erreurs: list[str] = []

    def ecrire(nom: str) -> None:
        depart.wait()
        for i in range(par_ecrivain):
            try:
                with Session(engine) as session:
                    depot.ajouter_audit(session=session, entree=entree(i, cle_unique=f"{nom}-{i}"))
                    session.commit()
            except IntegrityError as exc:
                erreurs.append(type(exc).__name__)

    fils = [threading.Thread(target=ecrire, args=(nom,)) for nom in ("projection", "api")]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    return erreurs


def test_two_concurrent_writers_on_one_dossier_do_not_fork_its_chain(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _course(engine, monkeypatch) == []
    chaine = lignes(engine)
    assert [ligne.rang for ligne in chaine] == list(range(1, 9))
    assert {ligne.cle_unique.split("-")[0] for ligne in chaine} == {"projection", "api"}
    assert verifier(engine).anomalies == []


def test_without_the_per_dossier_lock_the_same_race_forks_and_the_constraint_refuses_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(depot_audit, "verrouiller_chaine", lambda **_: None)
    assert _course(engine, monkeypatch)  # the race is real: the lock is what prevents it


# --- tampering ----------------------------------------------------------------------------------


def test_an_edited_field_is_named_with_its_dossier_and_line(engine: Engine) -> None:
    remplir(engine)
    executer(engine, "UPDATE audit SET auteur = 'quelqu''un' WHERE cle_unique = 'evt-3'")
    assert graves(verifier(engine)) == [
        f"dossier {DOSSIER} ligne 3 (evt-3): ligne modifiée: son contenu ne correspond plus à "
        "son empreinte"
    ]


def test_an_edited_detail_is_named(engine: Engine) -> None:
    remplir(engine)
    ligne = lignes(engine)[1]
    with Session(engine) as session:
        stockee = session.get(Audit, ligne.id)
        assert stockee is not None
        stockee.detail = {**stockee.detail, "montant": "9000.00"}
        session.add(stockee)
        session.commit()
    (anomalie,) = graves(verifier(engine))
    assert anomalie.startswith(f"dossier {DOSSIER} ligne 2 (evt-2): détail modifié")


def test_an_edited_time_is_named(engine: Engine) -> None:
    remplir(engine)
    executer(
        engine,
        "UPDATE audit SET horodatage = :t WHERE cle_unique = 'evt-4'",
        t=T0 - timedelta(days=30),
    )
    assert [a.split(": ")[0] for a in graves(verifier(engine))] == [
        f"dossier {DOSSIER} ligne 4 (evt-4)"
    ]


def test_a_deleted_line_is_named_at_the_gap(engine: Engine) -> None:
    remplir(engine)
    executer(engine, "DELETE FROM audit WHERE cle_unique = 'evt-3'")
    anomalies = graves(verifier(engine))
    assert anomalies[0] == (
        f"dossier {DOSSIER} ligne 4 (evt-4): ligne 3 absente(s) de la chaîne: supprimée(s)"
    )
    assert "chaînage rompu" in anomalies[1]
    assert len(anomalies) == 2


def test_a_deleted_first_line_is_named(engine: Engine) -> None:
    remplir(engine, 3)
    executer(engine, "DELETE FROM audit WHERE cle_unique = 'evt-1'")
    assert len(graves(verifier(engine))) == 2  # line 1 missing, line 2's link broken


def test_two_swapped_lines_are_named_as_moved(engine: Engine) -> None:
    remplir(engine)
    executer(engine, "UPDATE audit SET rang = 100 WHERE cle_unique = 'evt-2'")
    executer(engine, "UPDATE audit SET rang = 2 WHERE cle_unique = 'evt-4'")
    executer(engine, "UPDATE audit SET rang = 4 WHERE cle_unique = 'evt-2'")
    anomalies = graves(verifier(engine))
    assert {a.split(": ")[0] for a in anomalies} == {
        f"dossier {DOSSIER} ligne {n} ({cle})"
        for n, cle in [(2, "evt-4"), (3, "evt-3"), (4, "evt-2"), (5, "evt-5")]
    }
    assert all("chaînage rompu" in a for a in anomalies)


def test_a_forged_line_inserted_with_a_well_computed_hash_breaks_the_next_link(
    engine: Engine,
) -> None:
    remplir(engine, 3)
    deuxieme = lignes(engine)[1]
    executer(engine, "UPDATE audit SET rang = 4 WHERE cle_unique = 'evt-3'")
    detail = {"motif": "paiement accordé"}
    contenu = ContenuLigne(
        dossier=DOSSIER,
        cle_unique="faux",
        horodatage=T0,
        nature="decision",
        type="accepter",
        auteur="instructeur",
        evenement_source=None,
        empreinte_detail=empreinte_detail(detail),
        empreinte_purge=empreinte_purge(detail),
    )
    with Session(engine) as session:
        session.add(
            Audit(
                dossier=DOSSIER,
                cle_unique="faux",
                horodatage=T0,
                nature="decision",
                type="accepter",
                auteur="instructeur",
                detail=detail,
                rang=3,
                empreinte_detail=contenu.empreinte_detail,
                empreinte_purge=contenu.empreinte_purge,
                precedent=deuxieme.empreinte,
                empreinte=empreinte_ligne(deuxieme.empreinte, contenu),
            )
        )
        session.commit()
    assert graves(verifier(engine)) == [
        f"dossier {DOSSIER} ligne 4 (evt-3): chaînage rompu: l'empreinte précédente enregistrée "
        "ne correspond pas à la ligne qui précède (ligne supprimée, insérée ou déplacée)"
    ]


def _reecrire(engine: Engine, dossier: str) -> None:
    """What an attacker who knows the algorithm does: rewrite a line, rehash the whole chain."""
    precedent = GENESE
    with Session(engine) as session:
        for ligne in session.exec(
            select(Audit).where(Audit.dossier == dossier).order_by(col(Audit.rang))
        ).all():
            if ligne.rang == 2:
                ligne.detail = {**ligne.detail, "montant": "1.00"}
                ligne.empreinte_detail = empreinte_detail(ligne.detail)
            contenu = ContenuLigne(
                dossier=ligne.dossier,
                cle_unique=ligne.cle_unique,
                horodatage=ligne.horodatage,
                nature=ligne.nature,
                type=ligne.type,
                auteur=ligne.auteur,
                evenement_source=ligne.evenement_source,
                empreinte_detail=ligne.empreinte_detail,
                empreinte_purge=ligne.empreinte_purge,
            )
            ligne.precedent = precedent
            ligne.empreinte = precedent = empreinte_ligne(precedent, contenu)
            session.add(ligne)
        session.commit()


def test_a_chain_rehashed_after_a_signed_digest_is_caught_by_the_digest(engine: Engine) -> None:
    remplir(engine, 3)
    remplir(engine, 2, AUTRE)
    condenser(engine, date(2026, 3, 2))
    _reecrire(engine, DOSSIER)

    assert graves(verifier(engine)) == [
        f"dossier {DOSSIER} ligne 3: la tête de chaîne signée le 2026-03-02 est différente "
        "aujourd'hui: lignes réécrites ou supprimées depuis"
    ]
    assert graves(verifier(engine, AUTRE)) == []


def test_lines_deleted_from_the_end_after_a_digest_are_caught(engine: Engine) -> None:
    remplir(engine, 3)
    condenser(engine, date(2026, 3, 2))
    executer(engine, "DELETE FROM audit WHERE cle_unique = 'evt-3'")
    (anomalie,) = graves(verifier(engine))
    assert "ligne 3: la tête de chaîne signée le 2026-03-02 est absente" in anomalie


# --- the digest ---------------------------------------------------------------------------------


def test_the_daily_digest_lists_every_head_is_signed_and_chains_to_the_previous_one(
    engine: Engine,
) -> None:
    remplir(engine, 3)
    premier = condenser(engine, date(2026, 3, 2))
    remplir(engine, 2, AUTRE)
    second = condenser(engine, date(2026, 3, 3))

    assert premier.precedent == GENESE
    assert (premier.nombre_chaines, second.nombre_chaines) == (1, 2)
    assert [t[0] for t in second.tetes] == sorted([DOSSIER, AUTRE])
    assert second.precedent == depot_audit.message(premier).empreinte()
    assert second.cle_id == SIGNATAIRE.cle_id
    assert SIGNATAIRE.verificateur.verifie(depot_audit.message(second), second.signature)
    assert condenser(engine, date(2026, 3, 3)).racine == second.racine  # once a day
    rapport = verifier(engine)
    assert (rapport.condensats, rapport.anomalies) == (2, [])


def test_an_altered_digest_is_named(engine: Engine) -> None:
    remplir(engine, 2)
    condenser(engine, date(2026, 3, 2))
    executer(engine, "UPDATE condensat_audit SET nombre_chaines = 5")
    anomalies = graves(verifier(engine))
    assert anomalies[0] == (
        "audit: condensat du 2026-03-02: la liste des têtes ne correspond plus à sa racine "
        "(liste modifiée)"
    )
    assert "signature invalide" in anomalies[1]


def test_a_digest_whose_heads_and_root_were_recomputed_fails_its_signature(
    engine: Engine,
) -> None:
    remplir(engine, 3)
    condenser(engine, date(2026, 3, 2))
    _reecrire(engine, DOSSIER)
    with Session(engine) as session:
        condensat = session.get(CondensatAudit, date(2026, 3, 2))
        assert condensat is not None
        nouvelles = depot_audit.tetes(session=session)
        condensat.tetes = [[t.dossier, t.rang, t.empreinte] for t in nouvelles]
        condensat.racine = racine(nouvelles)
        session.add(condensat)
        session.commit()
    assert graves(verifier(engine)) == [
        "audit: condensat du 2026-03-02: signature invalide (condensat modifié ou signature "
        "falsifiée)"
    ]


def test_an_altered_signature_is_named(engine: Engine) -> None:
    remplir(engine, 2)
    condensat = condenser(engine, date(2026, 3, 2))
    autre = Signataire.nouveau().signe(depot_audit.message(condensat))
    executer(engine, "UPDATE condensat_audit SET signature = :s", s=autre)
    assert graves(verifier(engine)) == [
        "audit: condensat du 2026-03-02: signature invalide (condensat modifié ou signature "
        "falsifiée)"
    ]


def test_a_digest_signed_by_another_key_is_named(engine: Engine) -> None:
    remplir(engine, 2)
    with Session(engine) as session:
        depot_audit.condenser(
            session=session, jour=date(2026, 3, 2), signataire=Signataire.nouveau(), quand=T0
        )
        session.commit()
    (anomalie,) = graves(verifier(engine))
    assert "pas par la clé configurée" in anomalie


def test_a_deleted_digest_breaks_the_chain_of_digests(engine: Engine) -> None:
    remplir(engine, 2)
    for jour in (2, 3, 4):
        condenser(engine, date(2026, 3, jour))
    executer(engine, "DELETE FROM condensat_audit WHERE jour = :j", j=date(2026, 3, 3))
    (anomalie,) = graves(verifier(engine))
    assert anomalie.startswith("audit: condensat du 2026-03-04: chaînage des condensats rompu")


# --- the GDPR purge -----------------------------------------------------------------------------


def _projeter(engine: Engine) -> None:
    with Session(engine) as session:
        depot.projeter_dossier(
            session=session,
            projection=ProjectionDossier(
                cle=DOSSIER,
                dispositif="contrat-pro",
                reference="OPCO-2026-1",
                statut="paye",
                beneficiaire="73282932000074",
                version=1,
                maj_le=T0,
            ),
        )
        session.commit()


def test_a_recorded_gdpr_purge_keeps_the_chain_verifiable(engine: Engine) -> None:
    _projeter(engine)
    remplir(engine, 3)
    condenser(engine, date(2026, 3, 2))
    activites = RetentionActivities(engine)
    fait = activites._purger(
        PurgeDemandee(
            cle=DOSSIER,
            fin_conservation=date(2036, 3, 2),
            aujourdhui=date(2036, 3, 3),
            quand=datetime(2036, 3, 3, 2, 0, tzinfo=UTC),
        )
    )
    assert fait.purge
    chaine = lignes(engine)
    assert chaine[0].detail["motif"] == "[purgé]"
    assert chaine[-1].nature == "purge"
    rapport = verifier(engine)
    assert graves(rapport) == []
    assert [a.texte() for a in rapport.anomalies if a.rang == 1] == [
        f"info: dossier {DOSSIER} ligne 1 (evt-1): détail purgé (fin de conservation enregistrée)"
    ]


def test_a_detail_purged_without_a_recorded_purge_is_tampering(engine: Engine) -> None:
    _projeter(engine)
    remplir(engine, 2)
    with Session(engine) as session:
        for ligne in session.exec(select(Audit)).all():
            ligne.detail = depot_rgpd.detail_purge(ligne.detail)[0]
            session.add(ligne)
        session.commit()
    anomalies = graves(verifier(engine))
    assert len(anomalies) == 2
    assert "détail purgé sans purge enregistrée" in anomalies[0]


def test_a_purged_dossier_whose_kept_figures_are_edited_is_still_caught(engine: Engine) -> None:
    _projeter(engine)
    remplir(engine, 2)
    with Session(engine) as session:
        depot_rgpd.purger_lecture(session=session, cle=DOSSIER, quand=T0)
        depot_rgpd.ajouter_ligne(
            session=session,
            dossier=DOSSIER,
            cle_unique="purge/2036-03-03",
            horodatage=T0,
            nature=Nature.PURGE,
            type_="fin_de_conservation",
            auteur="guichet/retention",
            detail={},
        )
        session.commit()
    executer(
        engine,
        "UPDATE audit SET detail = :d WHERE cle_unique = 'evt-1'",
        d='{"statut_avant": "attente_demande", "motif": "[purgé]", "montant": "1.00"}',
    )
    (anomalie,) = graves(verifier(engine))
    assert anomalie.startswith(f"dossier {DOSSIER} ligne 1 (evt-1): détail modifié")


# --- inside the daily retention activity -------------------------------------------------------


async def test_the_retention_activity_signs_keeps_and_publishes_the_digest_once(
    engine: Engine,
) -> None:
    remplir(engine, 2)
    publieur = FakePublisher()
    activites = RetentionActivities(engine, signataire=SIGNATAIRE, publisher=publieur)
    recherche = RechercheEchus(aujourdhui=date(2026, 3, 2))

    await ActivityEnvironment().run(activites.dossiers_a_purger, recherche)
    await ActivityEnvironment().run(activites.dossiers_a_purger, recherche)  # a retry

    ((topic, cle, evenement),) = publieur.records
    assert (topic, cle, evenement.id) == (topics.AUDIT, "audit", "audit/condensat/2026-03-02")
    assert evenement.type == "guichet.audit.condensat.v1"
    with Session(engine) as session:
        condensat = session.get(CondensatAudit, date(2026, 3, 2))
        assert condensat is not None
        assert condensat.publie_le is not None
        assert evenement.data == {
            "jour": "2026-03-02",
            "nombre_chaines": 1,
            "racine": condensat.racine,
            "precedent": GENESE,
            "cle_id": SIGNATAIRE.cle_id,
            "signature": condensat.signature,
        }


async def test_a_digest_whose_publication_failed_is_published_on_the_retry(
    engine: Engine,
) -> None:
    class KafkaEnPanne(FakePublisher):
        async def publish(self, *args: Any, **kwargs: Any) -> None:
            raise ConnectionError("kafka")

    recherche = RechercheEchus(aujourdhui=date(2026, 3, 2))
    with pytest.raises(ConnectionError):
        await ActivityEnvironment().run(
            RetentionActivities(
                engine, signataire=SIGNATAIRE, publisher=KafkaEnPanne()
            ).dossiers_a_purger,
            recherche,
        )
    publieur = FakePublisher()
    await ActivityEnvironment().run(
        RetentionActivities(engine, signataire=SIGNATAIRE, publisher=publieur).dossiers_a_purger,
        recherche,
    )
    assert publieur.ids() == ["audit/condensat/2026-03-02"]


# --- lines written before the chain ------------------------------------------------------------


def test_the_migration_chains_the_lines_written_before_it_in_time_order(
    database_url: str,
) -> None:
    engine = engine_for(database_url)
    try:
        config = alembic_config(database_url)
        with engine.begin() as connexion:
            config.attributes["connection"] = connexion
            command.upgrade(config, "0004")
        anciennes = [  # id order is not time order
            (DOSSIER, "b", T0 + timedelta(hours=2)),
            (DOSSIER, "a", T0),
            (AUTRE, "x", T0),
            (DOSSIER, "c", T0 + timedelta(hours=1)),
        ]
        with engine.begin() as connexion:
            for dossier, cle, quand in anciennes:
                connexion.execute(
                    text(
                        "INSERT INTO audit (dossier, cle_unique, horodatage, nature, type, "
                        "auteur, detail) VALUES (:d, :c, :h, 'evenement', 't', 'a', :detail)"
                    ),
                    {"d": dossier, "c": cle, "h": quand, "detail": '{"motif": "avant"}'},
                )
        upgrade(engine)

        assert [(ligne.cle_unique, ligne.rang) for ligne in lignes(engine)] == [
            ("a", 1),
            ("c", 2),
            ("b", 3),
        ]
        remplir(engine, 1)
        assert lignes(engine)[-1].rang == 4
        rapport = verifier(engine)
        assert (rapport.chaines, rapport.lignes, rapport.anomalies) == (2, 5, [])
    finally:
        engine.dispose()
