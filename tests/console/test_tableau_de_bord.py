"""The dashboard's aggregates, dead letters included, on a real SQLite read model migrated by
Alembic."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from events import topics
from events.catalogue import CATALOGUE
from events.registre import CodeRejet, RebutRecu, origine_kafka
from models import depot
from models.dossier import EntreeAudit, Nature, ProjectionDossier
from workers.console.tableau_de_bord import (
    CompteStatut,
    comptes_par_statut,
    echeances_par_jour,
    echeances_prochaines,
    en_retard,
    lire_rebuts,
    mois_entre,
    montants_par_mois,
)
from workers.runtime.codec import lire_trousseau, nouvelle_cle
from workers.runtime.database import engine_for, upgrade
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import Identite, Role

AUJOURDHUI = date(2026, 11, 23)
TOUS = Identite(nom="sup", role=Role.SUPERVISEUR, dispositifs=("*",), partenaire=None)
CAE_DOM = Identite(nom="sup.cae", role=Role.SUPERVISEUR, dispositifs=("cae-dom",), partenaire=None)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = engine_for(f"sqlite:///{tmp_path / 'lecture.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _dossier(session: Session, cle: str, statut: str, **champs: object) -> None:
    dispositif = cle.split(":", 1)[0]
    depot.projeter_dossier(
        session=session,
        projection=ProjectionDossier(
            cle=cle,
            dispositif=dispositif,
            reference=cle.split(":", 1)[1],
            statut=statut,
            version=1,
            maj_le=datetime(2026, 11, 1, tzinfo=UTC),
            **champs,
        ),
    )


def _audit(session: Session, dossier: str, quand: datetime, nature: Nature, type_: str) -> None:
    depot.ajouter_audit(
        session=session,
        entree=EntreeAudit(
            dossier=dossier,
            cle_unique=f"{type_}/{quand.isoformat()}",
            horodatage=quand,
            nature=nature,
            type=type_,
            auteur="test",
        ),
    )


def test_counts_are_per_scheme_and_status(engine: Engine) -> None:
    with Session(engine) as session:
        _dossier(session, "contrat-pro:A", "instruction")
        _dossier(session, "contrat-pro:B", "instruction")
        _dossier(session, "contrat-pro:C", "en_cours")
        _dossier(session, "cae-dom:D", "en_cours")
        session.commit()
        assert comptes_par_statut(session=session) == [
            CompteStatut("cae-dom", "en_cours", 1),
            CompteStatut("contrat-pro", "en_cours", 1),
            CompteStatut("contrat-pro", "instruction", 2),
        ]


def test_granted_counts_in_the_month_of_the_acceptance_paid_when_executed_recovery_apart(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        _dossier(session, "contrat-pro:A", "paye", montant_accorde=Decimal("6000.00"))
        _audit(session, "contrat-pro:A", datetime(2026, 6, 2, 9, tzinfo=UTC), Nature.EVENEMENT, "x")
        _audit(
            session,
            "contrat-pro:A",
            datetime(2026, 8, 14, 9, tzinfo=UTC),
            Nature.DECISION,
            "accepter",
        )
        # granted without a decision (CAE-DOM): the month of its first audit line
        _dossier(session, "cae-dom:B", "en_cours", montant_accorde=Decimal("1200.50"))
        _audit(
            session, "cae-dom:B", datetime(2026, 9, 30, 23, 30, tzinfo=UTC), Nature.EVENEMENT, "y"
        )
        # not granted: never counted
        _dossier(session, "contrat-pro:C", "instruction")
        _audit(
            session,
            "contrat-pro:C",
            datetime(2026, 8, 1, tzinfo=UTC),
            Nature.DECISION,
            "demander_pieces",
        )
        for ordre_id, periode, montant, statut, quand in [
            ("A/paiement/1", "paiement", "6000.00", "execute", datetime(2026, 11, 3, tzinfo=UTC)),
            ("A/paiement/0", "paiement", "999.00", "rejete", datetime(2026, 11, 2, tzinfo=UTC)),
            ("B/2026-T3", "2026-T3", "300.25", "execute", datetime(2026, 10, 5, tzinfo=UTC)),
            ("B/2026-T4", "2026-T4", "300.25", "emis", datetime(2026, 11, 5, tzinfo=UTC)),
            (
                "A/titre/2",
                "titre_executoire",
                "1500.00",
                "emis",
                datetime(2026, 11, 20, tzinfo=UTC),
            ),
            ("B/reversement", "reversement", "100.00", "emis", datetime(2026, 10, 1, tzinfo=UTC)),
        ]:
            depot.enregistrer_ordre(
                session=session,
                id=ordre_id,
                dossier="x",
                periode=periode,
                montant=Decimal(montant),
                statut=statut,
                maj_le=quand,
            )
        session.commit()
        mois = {
            m.mois: m
            for m in montants_par_mois(session=session, aujourd_hui=AUJOURDHUI, identite=TOUS)
        }
        cae_dom = {
            m.mois: m
            for m in montants_par_mois(session=session, aujourd_hui=AUJOURDHUI, identite=CAE_DOM)
        }
    # a supervisor of CAE-DOM sees its amounts only (issue 19: scope everywhere)
    assert cae_dom["2026-10"].accorde == Decimal("1200.50")
    assert cae_dom["2026-08"].accorde == Decimal("0.00")
    assert cae_dom["2026-11"].verse == Decimal("0.00")
    assert (len(mois), min(mois), max(mois)) == (12, "2025-12", "2026-11")
    assert mois["2026-08"].accorde == Decimal("6000.00")
    # 30 Sept 23:30 UTC is 1 Oct in Paris
    assert mois["2026-10"].accorde == Decimal("1200.50")
    assert mois["2026-09"].accorde == Decimal("0.00")
    assert mois["2026-11"].verse == Decimal("6000.00")
    assert mois["2026-10"].verse == Decimal("300.25")
    assert mois["2026-11"].a_recuperer == Decimal("1500.00")
    assert mois["2026-10"].a_recuperer == Decimal("100.00")
    assert mois["2026-11"].libelle == "nov. 2026"


def test_deadlines_in_the_next_30_days_are_listed_earliest_first_and_overdue_counted(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        _dossier(
            session, "contrat-pro:TARD", "attente_demande", prochaine_echeance=date(2026, 11, 20)
        )
        _dossier(
            session, "contrat-pro:J30", "attente_demande", prochaine_echeance=date(2026, 12, 23)
        )
        _dossier(
            session, "contrat-pro:J31", "attente_demande", prochaine_echeance=date(2026, 12, 24)
        )
        _dossier(session, "contrat-pro:J0", "attente_pieces", prochaine_echeance=AUJOURDHUI)
        _dossier(session, "cae-dom:J0", "en_cours", prochaine_echeance=AUJOURDHUI)
        session.commit()
        proches = echeances_prochaines(session=session, aujourd_hui=AUJOURDHUI)
        assert [d.cle for d in proches] == ["cae-dom:J0", "contrat-pro:J0", "contrat-pro:J30"]
        assert echeances_par_jour(proches) == {AUJOURDHUI: 2, date(2026, 12, 23): 1}
        assert en_retard(session=session, aujourd_hui=AUJOURDHUI, identite=TOUS) == 1
        assert en_retard(session=session, aujourd_hui=AUJOURDHUI, identite=CAE_DOM) == 0


def test_months_between_two_dates_cross_the_new_year() -> None:
    assert mois_entre(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def _rebut(offset: int, type_: str | None, code: CodeRejet, motif: str) -> RebutRecu:
    topic = CATALOGUE[type_].topic if type_ else topics.PORTAIL
    return RebutRecu(
        origine=origine_kafka(topic, 0, offset),
        topic=topic,
        partition=0,
        offset=offset,
        cle=None,
        code=code,
        motif=motif,
        type=type_,
        recu_le=datetime(2026, 11, 20, 9, offset, tzinfo=UTC),
        valeur=b"{}",
    )


async def test_dead_letters_come_from_the_store_counted_by_code_and_status_within_the_scope(
    engine: Engine,
) -> None:
    registre = RegistreRebutsSql(engine, lire_trousseau(f"k:{nouvelle_cle()}"))
    long = "données non conformes au contrat: " + "x" * 2100
    for offset, type_, code, motif in [
        (1, "opco.contrat-pro.enregistre.v1", CodeRejet.CONTRAT, long),
        (2, "opco.contrat-pro.enregistre.v1", CodeRejet.CONTRAT, "date_fin: champ obligatoire"),
        (3, "asp.cae-dom.convention-enregistree.v1", CodeRejet.CONTRAT, "nir: 15 chiffres"),
        (4, None, CodeRejet.JSON_INVALIDE, "JSON invalide"),
    ]:
        await registre.consigner(_rebut(offset, type_, code, motif))
    tous = Identite("sup", Role.SUPERVISEUR, ("*",), None)
    contrat_pro = Identite("sup-cp", Role.SUPERVISEUR, ("contrat-pro",), None)
    (deuxieme,) = [r for r in registre.lister(tous).rebuts if r.offset == 2]
    registre.ignorer(deuxieme.id, tous, "doublon")

    with Session(engine) as session:
        vus_de_tous = lire_rebuts(session=session, identite=tous)
        vus_du_perimetre = lire_rebuts(session=session, identite=contrat_pro, nombre=1)

    assert (vus_de_tous.total, vus_de_tous.a_traiter) == (4, 3)
    assert vus_de_tous.par_code() == [
        ("contrat", {"ignore": 1, "nouveau": 2}),
        ("json_invalide", {"nouveau": 1}),
    ]
    assert [r.offset for r in vus_de_tous.derniers] == [4, 3, 2, 1]
    assert vus_de_tous.derniers[1].motif == "nir: 15 chiffres"  # already free of values
    assert len(vus_de_tous.derniers[3].motif) == 2048  # the cheap guard
    assert (vus_du_perimetre.total, vus_du_perimetre.a_traiter) == (2, 1)
    assert [r.offset for r in vus_du_perimetre.derniers] == [2]
