"""A read model for the yearly list of beneficiaries (`workers.services.beneficiaires`): dossiers
and status lines written as the contrat-pro workflow writes them (projection, then audit lines
`guichet.dossier.statut.v1` of nature `publication`)."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from events import topics
from models import depot
from models.dossier import EntreeAudit, Nature, ProjectionDossier
from workers.api.app import create_app
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.documents import StockageDisque
from workers.services.utilisateurs import creer_jeton, creer_utilisateur

SIREN_A = "123456789"
SIREN_B = "987654321"


def _dossier(
    session: Session,
    cle: str,
    statut: str,
    beneficiaire: str | None,
    *,
    accorde: str = "0.00",
    verse: str = "0.00",
) -> None:
    depot.projeter_dossier(
        session=session,
        projection=ProjectionDossier(
            cle=cle,
            dispositif=cle.split(":", 1)[0],
            reference=cle.split(":", 1)[1],
            statut=statut,
            beneficiaire=beneficiaire,
            montant_accorde=Decimal(accorde),
            montant_verse=Decimal(verse),
            version=1,
            maj_le=datetime(2026, 1, 15, tzinfo=UTC),
        ),
    )


def _statuts(session: Session, cle: str, *changements: tuple[str, str, datetime]) -> None:
    """One status line per (from, to, when), preceded by the instructor's decision line when
    the change is an acceptance, as the workflow writes them."""
    for rang, (precedent, statut, quand) in enumerate(changements, 1):
        if precedent == "instruction":
            depot.ajouter_audit(
                session=session,
                entree=EntreeAudit(
                    dossier=cle,
                    cle_unique=f"decision/{rang}",
                    horodatage=quand,
                    nature=Nature.DECISION,
                    type="accepter" if statut != "rejete" else "rejeter",
                    auteur="marie",
                ),
            )
        depot.ajouter_audit(
            session=session,
            entree=EntreeAudit(
                dossier=cle,
                cle_unique=f"{cle}/{rang}",
                horodatage=quand,
                nature=Nature.PUBLICATION,
                type="guichet.dossier.statut.v1",
                auteur="guichet",
                detail={
                    "topic": topics.DOSSIERS,
                    "dispositif": cle.split(":", 1)[0],
                    "statut": statut,
                    "precedent": precedent,
                    "motif": None,
                },
            ),
        )


def remplir(session: Session) -> None:
    """2025: SIREN A has two aids (an arrêté, a convention signed then paid) on two
    establishments, plus one of 2024; SIREN B one arrêté taken on 1 January 2025 at 00:30 in
    Paris (still 31 December in UTC). Left out: a rejected dossier, an act withdrawn (non_due),
    a CAE-DOM convention, and a granted dossier without a status line (named apart)."""
    t = datetime
    _dossier(session, "contrat-pro:A1", "en_cours", f"{SIREN_A}00011", accorde="6000.00")
    _statuts(
        session,
        "contrat-pro:A1",
        ("nouveau", "attente_demande", t(2025, 2, 3, 9, tzinfo=UTC)),
        ("attente_demande", "instruction", t(2025, 2, 20, 9, tzinfo=UTC)),
        ("instruction", "en_cours", t(2025, 3, 10, 14, tzinfo=UTC)),
    )
    _dossier(
        session, "contrat-pro:A2", "paye", f"{SIREN_A}00029", accorde="4800.00", verse="4800.00"
    )
    _statuts(
        session,
        "contrat-pro:A2",
        ("nouveau", "instruction", t(2025, 4, 1, 9, tzinfo=UTC)),
        ("instruction", "attente_signature", t(2025, 6, 1, 10, tzinfo=UTC)),
        ("attente_signature", "en_cours", t(2026, 1, 5, 10, tzinfo=UTC)),
        ("en_cours", "attente_demande_paiement", t(2026, 6, 1, 10, tzinfo=UTC)),
        ("attente_demande_paiement", "paiement_emis", t(2026, 6, 10, 10, tzinfo=UTC)),
        ("paiement_emis", "paye", t(2026, 6, 12, 10, tzinfo=UTC)),
    )
    _dossier(
        session, "contrat-pro:A0", "paye", f"{SIREN_A}00011", accorde="2500.00", verse="2500.00"
    )
    _statuts(
        session,
        "contrat-pro:A0",
        ("nouveau", "instruction", t(2024, 4, 20, 9, tzinfo=UTC)),
        ("instruction", "en_cours", t(2024, 5, 2, 9, tzinfo=UTC)),
        ("en_cours", "paye", t(2025, 5, 20, 9, tzinfo=UTC)),
    )
    _dossier(session, "contrat-pro:B1", "en_cours", f"{SIREN_B}00015", accorde="3000.00")
    _statuts(
        session,
        "contrat-pro:B1",
        ("nouveau", "instruction", t(2024, 12, 1, 9, tzinfo=UTC)),
        ("instruction", "en_cours", t(2024, 12, 31, 23, 30, tzinfo=UTC)),
    )
    _dossier(session, "contrat-pro:R1", "rejete", f"{SIREN_B}00023")
    _statuts(
        session,
        "contrat-pro:R1",
        ("nouveau", "instruction", t(2025, 3, 1, 9, tzinfo=UTC)),
        ("instruction", "rejete", t(2025, 3, 15, 9, tzinfo=UTC)),
    )
    _dossier(session, "contrat-pro:N1", "non_due", f"{SIREN_A}00037")
    _statuts(
        session,
        "contrat-pro:N1",
        ("nouveau", "instruction", t(2025, 3, 1, 9, tzinfo=UTC)),
        ("instruction", "en_cours", t(2025, 3, 2, 9, tzinfo=UTC)),
        ("en_cours", "non_due", t(2025, 3, 20, 9, tzinfo=UTC)),
    )
    _dossier(session, "cae-dom:971-2025-1", "en_cours", f"{SIREN_B}00015", accorde="9000.00")
    _statuts(
        session,
        "cae-dom:971-2025-1",
        ("nouveau", "en_cours", t(2025, 5, 1, 9, tzinfo=UTC)),
    )
    _dossier(session, "contrat-pro:X1", "en_cours", f"{SIREN_B}00031", accorde="1000.00")
    session.commit()


UTILISATEURS: dict[str, tuple[str, list[str]]] = {
    "sup": ("superviseur", ["*"]),
    "ins": ("instructeur", ["contrat-pro"]),
    "lec": ("lecteur", ["*"]),
    "sup-cae": ("superviseur", ["cae-dom"]),
}


def application(tmp_path: Path) -> tuple[FastAPI, Engine, dict[str, str]]:
    """The API app (console included) on a SQLite read model filled by `remplir`, with a token
    per user of `UTILISATEURS`. No Temporal: the list never asks it (the client is lazy)."""
    settings = Settings(
        _env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'l.db'}"
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    jetons = {}
    with Session(engine) as session:
        remplir(session)
        for nom, (role, dispositifs) in UTILISATEURS.items():
            creer_utilisateur(session=session, nom=nom, role=role, dispositifs=dispositifs)
        session.commit()
        for nom in UTILISATEURS:
            jetons[nom], _ = creer_jeton(session=session, nom=nom)
        session.commit()
    app = create_app(
        settings, engine=engine, stockage=StockageDisque(tmp_path / "docs"), migrer=False
    )
    return app, engine, jetons
