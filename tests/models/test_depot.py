"""The read model on SQLite and on a real PostgreSQL: migrations, idempotent writes, queries."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine, inspect
from sqlmodel import Session

from models import depot
from models.depot import FiltresDossiers
from models.dossier import EntreeAudit, Nature, ProjectionDossier
from workers.runtime.database import upgrade

T0 = datetime(2024, 9, 3, 9, 30, tzinfo=UTC)


def projection(
    cle: str = "contrat-pro:C1", version: int = 1, **champs: object
) -> ProjectionDossier:
    values: dict[str, object] = {
        "cle": cle,
        "dispositif": "contrat-pro",
        "reference": cle.split(":", 1)[1],
        "statut": "attente_demande",
        "beneficiaire": "73282932000074",
        "prochaine_echeance": date(2024, 12, 2),
        "version": version,
        "maj_le": T0,
    }
    values.update(champs)
    return ProjectionDossier.model_validate(values)


def test_migrations_create_the_three_tables_and_can_run_twice(engine: Engine) -> None:
    upgrade(engine)
    assert {"dossier", "ordre_paiement", "audit"} <= set(inspect(engine).get_table_names())


def test_projecting_the_same_version_twice_leaves_one_row(engine: Engine) -> None:
    with Session(engine) as session:
        depot.projeter_dossier(session=session, projection=projection())
        depot.projeter_dossier(session=session, projection=projection())
        session.commit()
        assert depot.compter_dossiers(session=session) == 1


def test_a_newer_projection_replaces_an_older_one_but_not_the_reverse(engine: Engine) -> None:
    with Session(engine) as session:
        depot.projeter_dossier(session=session, projection=projection(version=2, statut="accepte"))
        depot.projeter_dossier(session=session, projection=projection(version=1, statut="ancien"))
        session.commit()
        row = depot.lire_dossier(session=session, cle="contrat-pro:C1")
        assert row is not None
        assert (row.statut, row.version) == ("accepte", 2)
        depot.projeter_dossier(
            session=session,
            projection=projection(version=3, statut="paye", montant_verse=Decimal("6000.00")),
        )
        session.commit()
        session.expire_all()
        row = depot.lire_dossier(session=session, cle="contrat-pro:C1")
        assert row is not None
        assert (row.statut, row.montant_verse) == ("paye", Decimal("6000.00"))


def test_an_audit_line_written_twice_is_kept_once_and_lines_come_back_in_time_order(
    engine: Engine,
) -> None:
    first = EntreeAudit(
        dossier="contrat-pro:C1",
        cle_unique="evt-1",
        horodatage=T0,
        nature=Nature.EVENEMENT,
        type="opco.contrat-pro.enregistre.v1",
        auteur="/opco/akto",
        evenement_source="evt-1",
        detail={"date_limite_demande": "2024-12-02"},
    )
    later = first.model_copy(
        update={"cle_unique": "evt-2", "horodatage": T0.replace(hour=10), "type": "autre"}
    )
    with Session(engine) as session:
        depot.ajouter_audit(session=session, entree=later)
        depot.ajouter_audit(session=session, entree=first)
        depot.ajouter_audit(session=session, entree=first)
        session.commit()
        lines = depot.lire_audit(session=session, dossier="contrat-pro:C1")
    assert [line.cle_unique for line in lines] == ["evt-1", "evt-2"]
    assert lines[0].detail == {"date_limite_demande": "2024-12-02"}


def test_a_payment_order_is_upserted_on_its_idempotency_key(engine: Engine) -> None:
    with Session(engine) as session:
        for statut in ("emis", "emis", "execute"):
            depot.enregistrer_ordre(
                session=session,
                id="contrat-pro:C1/paiement/1",
                dossier="contrat-pro:C1",
                periode="2024-09/2025-08",
                montant=Decimal("6000.00"),
                statut=statut,
                maj_le=T0,
            )
        session.commit()
        ordres = depot.lire_ordres(session=session, dossier="contrat-pro:C1")
    assert [(o.statut, o.montant) for o in ordres] == [("execute", Decimal("6000.00"))]


def test_dossiers_are_filtered_and_paginated_by_key(engine: Engine) -> None:
    with Session(engine) as session:
        for n in range(5):
            depot.projeter_dossier(
                session=session,
                projection=projection(
                    f"contrat-pro:C{n}",
                    statut="prescrit" if n == 4 else "attente_demande",
                    prochaine_echeance=date(2024, 12, 1 + n),
                    anomalies=1 if n == 2 else 0,
                ),
            )
        session.commit()
        first_page = depot.lister_dossiers(session=session, filtres=FiltresDossiers(), limite=2)
        second_page = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(), limite=2, apres=first_page[-1].cle
        )
        en_attente = depot.lister_dossiers(
            session=session,
            filtres=FiltresDossiers(statut="attente_demande", echeance_avant=date(2024, 12, 3)),
        )
        anomalies = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(avec_anomalie=True)
        )
    assert [d.cle for d in first_page] == ["contrat-pro:C0", "contrat-pro:C1"]
    assert [d.cle for d in second_page] == ["contrat-pro:C2", "contrat-pro:C3"]
    assert [d.cle for d in en_attente] == ["contrat-pro:C0", "contrat-pro:C1"]
    assert [d.cle for d in anomalies] == ["contrat-pro:C2"]
    with Session(engine) as session:
        par_reference = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(reference="C3")
        )
    assert [d.cle for d in par_reference] == ["contrat-pro:C3"]
