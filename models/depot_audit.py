"""Data access of the tamper-evident audit log (docs/audit.md): appending a line to its
dossier's hash chain, the signed daily digest of every chain head, and the verification of
both. The hashing itself is pure, in `models.chaine_audit`. Keyword-only functions; the
caller commits once per unit of work.

Two writers may append to one dossier at once (the projection activity and an API action):
`ajouter` serialises them per dossier inside the caller's transaction, so the chain never
forks: PostgreSQL takes `pg_advisory_xact_lock(<AUDIT>, hashtext(dossier))`; SQLite starts the
transaction with `BEGIN IMMEDIATE` (the database's write lock) before reading the head. The
unique constraint (dossier, rang) is the last guard: a fork would fail the write.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models.chaine_audit import (
    GENESE,
    Anomalie,
    ContenuLigne,
    LigneChainee,
    MessageCondensat,
    Signataire,
    Tete,
    Verificateur,
    empreinte_detail,
    empreinte_ligne,
    empreinte_purge,
    racine,
    utc,
    verifier_chaine,
)
from models.tables import Audit, CondensatAudit, Dossier

VERROU_AUDIT = 4_242
"""First key of the PostgreSQL advisory lock of a dossier's chain (the second: hashtext of the
dossier). Two-key locks never collide with the one-key migration lock."""
NATURE_PURGE = "purge"
"""`models.dossier.Nature.PURGE`: the nature of the line the retention purge writes."""


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"base non prise en charge: {dialect}")


def verrouiller_chaine(*, session: Session, dossier: str) -> None:
    """Hold the dossier's chain until the caller's transaction ends (see the module)."""
    connexion = session.connection()
    if connexion.dialect.name == "postgresql":
        connexion.execute(
            text("SELECT pg_advisory_xact_lock(:classe, hashtext(:dossier))"),
            {"classe": VERROU_AUDIT, "dossier": dossier},
        )
    elif connexion.dialect.name == "sqlite":
        brute = connexion.connection.driver_connection
        if brute is not None and not brute.in_transaction:
            # pysqlite would BEGIN (deferred) at the INSERT only: the head read before it could
            # be stale. BEGIN IMMEDIATE takes the write lock first (waiting up to the timeout).
            connexion.exec_driver_sql("BEGIN IMMEDIATE")


def tete(*, session: Session, dossier: str) -> Tete | None:
    ligne = session.exec(
        select(Audit.rang, Audit.empreinte)
        .where(Audit.dossier == dossier)
        .order_by(col(Audit.rang).desc())
        .limit(1)
    ).first()
    return None if ligne is None else Tete(dossier, ligne[0], ligne[1])


@dataclass(frozen=True)
class NouvelleLigne:
    """A line to append to a dossier's chain."""

    cle_unique: str
    horodatage: datetime
    nature: str
    type: str
    auteur: str
    evenement_source: str | None
    detail: Mapping[str, Any]


def ajouter_lignes(*, session: Session, dossier: str, lignes: Sequence[NouvelleLigne]) -> int:
    """Append `lignes` to the dossier's chain, in order, under one lock, with one read of the
    lines already there, one read of the head and one multi-row insert (a step's lines, issue
    16); a (dossier, cle_unique) already written, or twice in `lignes`, is written once and
    does not extend the chain. Returns how many lines were written."""
    if not lignes:
        return 0
    verrouiller_chaine(session=session, dossier=dossier)
    deja = set(
        session.exec(
            select(Audit.cle_unique).where(
                Audit.dossier == dossier,
                col(Audit.cle_unique).in_([ligne.cle_unique for ligne in lignes]),
            )
        ).all()
    )
    derniere = tete(session=session, dossier=dossier)
    rang, precedent = (0, GENESE) if derniere is None else (derniere.rang, derniere.empreinte)
    valeurs: list[dict[str, Any]] = []
    for ligne in lignes:
        if ligne.cle_unique in deja:
            continue
        deja.add(ligne.cle_unique)
        detail: dict[str, Any] = json.loads(json.dumps(dict(ligne.detail)))  # what the DB returns
        horodatage = utc(ligne.horodatage)  # SQLite keeps the wall time: store UTC
        contenu = ContenuLigne(
            dossier=dossier,
            cle_unique=ligne.cle_unique,
            horodatage=horodatage,
            nature=ligne.nature,
            type=ligne.type,
            auteur=ligne.auteur,
            evenement_source=ligne.evenement_source,
            empreinte_detail=empreinte_detail(detail),
            empreinte_purge=empreinte_purge(detail),
        )
        rang += 1
        empreinte = empreinte_ligne(precedent, contenu)
        valeurs.append(
            {
                "dossier": dossier,
                "cle_unique": ligne.cle_unique,
                "horodatage": horodatage,
                "nature": ligne.nature,
                "type": ligne.type,
                "auteur": ligne.auteur,
                "evenement_source": ligne.evenement_source,
                "detail": detail,
                "rang": rang,
                "empreinte_detail": contenu.empreinte_detail,
                "empreinte_purge": contenu.empreinte_purge,
                "precedent": precedent,
                "empreinte": empreinte,
            }
        )
        precedent = empreinte
    if valeurs:
        session.connection().execute(
            _insert(session, inspect(Audit).local_table).on_conflict_do_nothing(
                index_elements=["dossier", "cle_unique"]
            ),
            valeurs,
        )
    return len(valeurs)


def ajouter(
    *,
    session: Session,
    dossier: str,
    cle_unique: str,
    horodatage: datetime,
    nature: str,
    type_: str,
    auteur: str,
    evenement_source: str | None,
    detail: Mapping[str, Any],
) -> bool:
    """Append one line to the dossier's chain (`ajouter_lignes`); True if it was written."""
    ligne = NouvelleLigne(cle_unique, horodatage, nature, type_, auteur, evenement_source, detail)
    return ajouter_lignes(session=session, dossier=dossier, lignes=[ligne]) == 1


def tetes(*, session: Session) -> list[Tete]:
    """Every chain's head, by dossier."""
    dernier = (
        select(Audit.dossier, func.max(Audit.rang).label("rang"))
        .group_by(col(Audit.dossier))
        .subquery()
    )
    lignes = session.exec(
        select(Audit.dossier, Audit.rang, Audit.empreinte)
        .join(
            dernier,
            and_(col(Audit.dossier) == dernier.c.dossier, col(Audit.rang) == dernier.c.rang),
        )
        .order_by(col(Audit.dossier))
    ).all()
    return [Tete(dossier, rang, empreinte) for dossier, rang, empreinte in lignes]


def message(condensat: CondensatAudit) -> MessageCondensat:
    return MessageCondensat(
        jour=condensat.jour,
        nombre_chaines=condensat.nombre_chaines,
        racine=condensat.racine,
        precedent=condensat.precedent,
        cle_id=condensat.cle_id,
    )


def condenser(
    *, session: Session, jour: date, signataire: Signataire, quand: datetime
) -> CondensatAudit:
    """The day's signed digest of every chain head, written once: a second call the same day
    returns the first one (a retried activity, a continue-as-new of the retention run)."""
    existant = session.get(CondensatAudit, jour)
    if existant is not None:
        return existant
    toutes = tetes(session=session)
    dernier = session.exec(
        select(CondensatAudit)
        .where(col(CondensatAudit.jour) < jour)
        .order_by(col(CondensatAudit.jour).desc())
        .limit(1)
    ).first()
    contenu = MessageCondensat(
        jour=jour,
        nombre_chaines=len(toutes),
        racine=racine(toutes),
        precedent=GENESE if dernier is None else message(dernier).empreinte(),
        cle_id=signataire.cle_id,
    )
    condensat = CondensatAudit(
        jour=jour,
        cree_le=utc(quand),
        nombre_chaines=contenu.nombre_chaines,
        racine=contenu.racine,
        tetes=[[t.dossier, t.rang, t.empreinte] for t in toutes],
        precedent=contenu.precedent,
        cle_id=contenu.cle_id,
        signature=signataire.signe(contenu),
    )
    session.add(condensat)
    session.flush()
    return condensat


def marquer_publie(*, session: Session, jour: date, quand: datetime) -> None:
    condensat = session.get(CondensatAudit, jour)
    if condensat is not None and condensat.publie_le is None:
        condensat.publie_le = utc(quand)
        session.add(condensat)


# --- verification -----------------------------------------------------------------------------


@dataclass
class Rapport:
    """What `verifier` found: the anomalies (grave or informative) and what it walked."""

    anomalies: list[Anomalie]
    chaines: int = 0
    lignes: int = 0
    condensats: int = 0

    @property
    def intact(self) -> bool:
        return not any(a.grave for a in self.anomalies)


def _lignes(session: Session, dossier: str | None) -> Iterator[Audit]:
    query = select(Audit)
    if dossier is not None:
        query = query.where(Audit.dossier == dossier)
    query = query.order_by(col(Audit.dossier), col(Audit.rang))
    yield from session.exec(query.execution_options(yield_per=1000))


def _chainee(ligne: Audit) -> LigneChainee:
    assert ligne.id is not None
    return LigneChainee(
        id=ligne.id,
        rang=ligne.rang,
        contenu=ContenuLigne(
            dossier=ligne.dossier,
            cle_unique=ligne.cle_unique,
            horodatage=ligne.horodatage,
            nature=ligne.nature,
            type=ligne.type,
            auteur=ligne.auteur,
            evenement_source=ligne.evenement_source,
            empreinte_detail=ligne.empreinte_detail,
            empreinte_purge=ligne.empreinte_purge,
        ),
        detail=ligne.detail,
        precedent=ligne.precedent,
        empreinte=ligne.empreinte,
    )


def _purges_enregistrees(session: Session, dossier: str | None) -> set[str]:
    """Dossiers whose purge is recorded: `purge_le` set and a `purge` line in their audit."""
    query = (
        select(Dossier.cle)
        .join(Audit, col(Audit.dossier) == col(Dossier.cle))
        .where(col(Dossier.purge_le).is_not(None), Audit.nature == NATURE_PURGE)
    )
    if dossier is not None:
        query = query.where(Dossier.cle == dossier)
    return set(session.exec(query.distinct()).all())


def _verifier_chaines(
    session: Session,
    dossier: str | None,
    rapport: Rapport,
    signees: set[tuple[str, int]],
) -> dict[tuple[str, int], str]:
    """Check every chain; return the current hash of the lines at the ranks in `signees`."""
    purges = _purges_enregistrees(session, dossier)
    courant: str | None = None
    lot: list[LigneChainee] = []
    trouvees: dict[tuple[str, int], str] = {}

    def clore() -> None:
        if courant is not None:
            rapport.chaines += 1
            rapport.anomalies.extend(
                verifier_chaine(courant, lot, purge_enregistree=courant in purges)
            )

    for ligne in _lignes(session, dossier):
        if ligne.dossier != courant:
            clore()
            courant, lot = ligne.dossier, []
        lot.append(_chainee(ligne))
        rapport.lignes += 1
        if (ligne.dossier, ligne.rang) in signees:
            trouvees[ligne.dossier, ligne.rang] = ligne.empreinte
    clore()
    return trouvees


def _tetes_signees(condensat: CondensatAudit, dossier: str | None) -> list[Tete]:
    try:
        tetes_ = [Tete(str(d), int(r), str(e)) for d, r, e in condensat.tetes]
    except (TypeError, ValueError):
        return []
    return [t for t in tetes_ if dossier is None or t.dossier == dossier]


def _verifier_condensats(
    condensats: Sequence[CondensatAudit],
    presentes: Mapping[tuple[str, int], str],
    dossier: str | None,
    verificateur: Verificateur | None,
    rapport: Rapport,
) -> None:
    precedent: CondensatAudit | None = None
    for condensat in condensats:
        rapport.condensats += 1
        jour = condensat.jour.isoformat()

        def signaler(motif: str, *, grave: bool = True, jour: str = jour) -> None:
            rapport.anomalies.append(
                Anomalie(None, None, None, f"condensat du {jour}: {motif}", grave=grave)
            )

        contenu = message(condensat)
        toutes = _tetes_signees(condensat, None)
        if racine(toutes) != condensat.racine or len(toutes) != condensat.nombre_chaines:
            signaler("la liste des têtes ne correspond plus à sa racine (liste modifiée)")
        attendu = GENESE if precedent is None else message(precedent).empreinte()
        if condensat.precedent != attendu:
            signaler(
                "chaînage des condensats rompu: il ne suit pas le condensat précédent "
                "(condensat supprimé, inséré ou modifié)"
            )
        if verificateur is None:
            signaler("signature non vérifiée (aucune clé de signature configurée)", grave=False)
        elif condensat.cle_id != verificateur.cle_id:
            signaler(
                f"signé par la clé {condensat.cle_id}, pas par la clé configurée "
                f"({verificateur.cle_id}): signature invérifiable"
            )
        elif not verificateur.verifie(contenu, condensat.signature):
            signaler("signature invalide (condensat modifié ou signature falsifiée)")
        for t in _tetes_signees(condensat, dossier):
            trouvee = presentes.get((t.dossier, t.rang))
            if trouvee != t.empreinte:
                etat = "absente" if trouvee is None else "différente"
                rapport.anomalies.append(
                    Anomalie(
                        t.dossier,
                        t.rang,
                        None,
                        f"la tête de chaîne signée le {jour} est {etat} aujourd'hui: lignes "
                        "réécrites ou supprimées depuis",
                    )
                )
        precedent = condensat


def verifier(
    *, session: Session, verificateur: Verificateur | None, dossier: str | None = None
) -> Rapport:
    """Walk every chain (or one dossier's) and every digest; see `models.chaine_audit`.
    `verificateur`: the public key the digests must be signed with (None: not checked)."""
    rapport = Rapport(anomalies=[])
    condensats = session.exec(select(CondensatAudit).order_by(col(CondensatAudit.jour))).all()
    signees = {(t.dossier, t.rang) for c in condensats for t in _tetes_signees(c, dossier)}
    presentes = _verifier_chaines(session, dossier, rapport, signees)
    _verifier_condensats(condensats, presentes, dossier, verificateur, rapport)
    return rapport
