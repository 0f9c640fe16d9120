"""The dead-letter store: partner records the intake refused, kept to be reviewed, corrected and
replayed through the same intake, or closed with a motive (docs/rebuts.md).

`RegistreRebutsSql.consigner` is the intake's `events.registre.RegistreRebuts`: one row of the
`rebut` table per `origine` (insert-or-ignore on SQLite and PostgreSQL), the record's value and
headers encrypted with the payload key ring (`workers.runtime.codec.chiffrer`, the row's
`origine` as associated data). A database that does not answer raises: the consumer backs off.

What people do with it, shared by the CLI, the API and the console:

- `lister`, `lire`: roles `superviseur` and `admin` (`REVUE`), within their schemes: a row's
  scheme is the workflow type of its event type (`dispositif`); a row without one (envelope
  unreadable, type unknown) is seen only by users scoped to every scheme. `lire` shows the
  record with its personal fields masked (the catalogue's personal marks, `models.personnel`,
  then `workers.runtime.redaction.redact_value` on the decoded JSON); the clear values only
  on request (`en_clair=True`, roles `EN_CLAIR`), and every such reading is audited;
- `rejouer`: the stored record, or a corrected structured-mode CloudEvent, through
  `events.delivery.parse` then `workers.services.evenements.livrer`; refused by the intake:
  `EntreeInvalide` and the row stays `nouveau`; accepted: the row is `rejoue` (who, when);
- `ignorer`: closed with a mandatory motive (`ignore`);
- `purger`: rows received before a date deleted (the retention job does it daily,
  `activities.retention`).

Every action is written to the audit log: dossier `rebut:<id>` (`rebuts` for a purge), nature
`rebut`, the user as author. Errors: `RebutInconnu` (404), `AccesRefuse` (403),
`RebutDejaTraite` (409), `EntreeInvalide` (422), and from the delivery `DossierClos` (409),
`TemporalIndisponible` (503).
"""

import asyncio
import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine, and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from temporalio.client import Client

from activities.retention import NATURE_REBUT, purger_rebuts
from events import delivery
from events.catalogue import CATALOGUE
from events.delivery import Livrable
from events.registre import RebutRecu
from models import depot_rgpd
from models.personnel import masquer
from models.tables import Rebut
from workers.runtime.codec import (
    ChargeUtileIllisible,
    CleInconnue,
    Trousseau,
    chiffrer,
    dechiffrer,
    trousseau_pour,
)
from workers.runtime.redaction import MASK, redact_text, redact_value
from workers.runtime.settings import Settings
from workers.services import evenements
from workers.services.evenements import ResultatEvenement
from workers.services.instruction import verifier
from workers.services.utilisateurs import DISPOSITIFS, AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide, ErreurChamp, en_utc

REVUE = (Role.SUPERVISEUR, Role.ADMIN)
"""Who lists, reads (masked), replays and ignores dead letters."""
EN_CLAIR = (Role.SUPERVISEUR, Role.ADMIN)
"""Who may read a record's personal values in clear (to correct it), on request, audited."""
PURGE = (Role.ADMIN,)
"""Who may purge by hand (scoped to every scheme); the retention job purges daily."""
LIMITE_MAX = 500
MOTIF_MAX = 2000
"""A motive for ignoring, at most (characters)."""
HTTP = "http"
"""`topic` of a record sent to `POST /evenements`."""
DOSSIER_PURGE = "rebuts"
"""The audit log's `dossier` of a purge (it concerns many rows)."""


class StatutRebut(StrEnum):
    NOUVEAU = "nouveau"
    """Waiting for review."""
    REJOUE = "rejoue"
    """Replayed: the intake accepted it and Temporal took it."""
    IGNORE = "ignore"
    """Closed without replay, with a motive."""


class RebutInconnu(LookupError):
    """No dead letter with this id (or purged)."""


class RebutDejaTraite(Exception):
    """The dead letter was already replayed or ignored: nothing more to do (HTTP 409)."""


def dossier_audit(id_: int) -> str:
    """The audit log's `dossier` of a dead letter's actions."""
    return f"rebut:{id_}"


# --- the record at rest ------------------------------------------------------------------------
#
# Before encryption, value and headers are one JSON object, UTF-8:
#     {"v": 1, "valeur": "<base64>", "entetes": [["<name>", "<base64 of the value>"], ...]}
# The bytes are kept exactly as received (base64), whatever they hold.


def serialiser(valeur: bytes, entetes: Sequence[tuple[str, bytes]]) -> bytes:
    return json.dumps(
        {
            "v": 1,
            "valeur": base64.b64encode(valeur).decode("ascii"),
            "entetes": [[nom, base64.b64encode(v).decode("ascii")] for nom, v in entetes],
        },
        separators=(",", ":"),
    ).encode()


def deserialiser(clair: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    contenu = json.loads(clair)
    if contenu.get("v") != 1:
        raise ValueError(f"format de charge inconnu: v={contenu.get('v')!r}")
    return (
        base64.b64decode(contenu["valeur"]),
        [(str(nom), base64.b64decode(v)) for nom, v in contenu["entetes"]],
    )


def _court(texte: str | None, maximum: int) -> str | None:
    if texte is None or len(texte) <= maximum:
        return texte
    return texte[: maximum - 1] + "…"


# --- what callers get back ---------------------------------------------------------------------


class RebutPublic(BaseModel):
    id: int
    origine: str
    topic: str
    partition: int | None
    offset: int | None
    cle: str | None
    code: str
    motif: str
    type: str | None
    dispositif: str | None
    recu_le: datetime
    taille: int
    statut: StatutRebut
    traite_par: str | None
    traite_le: datetime | None
    motif_traitement: str | None
    charge_disponible: bool
    """False once the record's bytes are gone (never, today: a row is purged whole)."""

    @classmethod
    def de(cls, row: Rebut, charge_disponible: bool | None = None) -> "RebutPublic":
        """`charge_disponible`: given when the query left the (large) record column out."""
        assert row.id is not None
        return cls(
            id=row.id,
            origine=row.origine,
            topic=row.topic,
            partition=row.partition,
            offset=row.offset,
            cle=row.cle,
            code=row.code,
            motif=row.motif,
            type=row.type,
            dispositif=row.dispositif,
            recu_le=en_utc(row.recu_le),
            taille=row.taille,
            statut=StatutRebut(row.statut),
            traite_par=row.traite_par,
            traite_le=None if row.traite_le is None else en_utc(row.traite_le),
            motif_traitement=row.motif_traitement,
            charge_disponible=(
                row.charge is not None if charge_disponible is None else charge_disponible
            ),
        )


class EnteteLue(BaseModel):
    nom: str
    valeur: str


class VueRebut(BaseModel):
    rebut: RebutPublic
    en_clair: bool
    """True: the personal values are shown (an audited reading)."""
    format: Literal["json", "texte", "binaire", "absent", "illisible"]
    contenu: Any = None
    """The value: decoded JSON (`json`), text (`texte`), base64 (`binaire`), personal fields
    masked unless `en_clair`."""
    entetes: list[EnteteLue] = []
    note: str | None = None
    """Why the record is not shown (`illisible`: its key left the ring, or it was altered)."""


class PageRebuts(BaseModel):
    rebuts: list[RebutPublic]
    total: int
    suivant: str | None
    """Opaque cursor of the next page (None: last page)."""


class ResultatRejeu(BaseModel):
    rebut: RebutPublic
    evenement: ResultatEvenement


@dataclass(frozen=True)
class FiltresRebuts:
    topic: str | None = None
    type: str | None = None
    code: str | None = None
    statut: StatutRebut | None = None
    depuis: datetime | None = None
    """Received at or after."""
    jusqu_a: datetime | None = None
    """Received before."""


# --- access ------------------------------------------------------------------------------------


def voit_tout(acteur: Identite) -> bool:
    """Scoped to every scheme: sees the rows whose scheme is unknown."""
    return all(acteur.voit(d) for d in DISPOSITIFS)


def visible(acteur: Identite, dispositif: str | None) -> bool:
    return voit_tout(acteur) if dispositif is None else acteur.voit(dispositif)


def _portee(query: Any, acteur: Identite) -> Any:
    if voit_tout(acteur):
        return query
    permis = [d for d in DISPOSITIFS if acteur.voit(d)]
    return query.where(col(Rebut.dispositif).in_(permis))


def _accessible(session: Session, id_: int, acteur: Identite) -> Rebut:
    """The row if `acteur` may see it; the role is checked first (a refused role learns
    nothing of which rows exist)."""
    verifier(acteur, REVUE)
    row = session.get(Rebut, id_)
    if row is None:
        raise RebutInconnu(f"rebut inconnu: {id_} (jamais consigné, ou purgé)")
    if not visible(acteur, row.dispositif):
        perimetre = ", ".join(acteur.dispositifs)
        quoi = (
            f"du dispositif {row.dispositif!r}"
            if row.dispositif
            else "sans dispositif connu (réservé aux utilisateurs de tous les dispositifs, « * »)"
        )
        raise AccesRefuse(f"rebut {id_} {quoi}: hors du périmètre de {acteur.nom!r} ({perimetre})")
    return row


def _auditer(
    session: Session,
    *,
    dossier: str,
    cle_unique: str,
    type_: str,
    auteur: str,
    detail: dict[str, Any],
) -> None:
    depot_rgpd.ajouter_ligne(
        session=session,
        dossier=dossier,
        cle_unique=cle_unique,
        horodatage=datetime.now(UTC),
        nature=NATURE_REBUT,
        type_=type_,
        auteur=auteur,
        detail=detail,
    )


# --- pagination --------------------------------------------------------------------------------


def _encoder_curseur(recu_le: datetime, id_: int) -> str:
    contenu = json.dumps([en_utc(recu_le).isoformat(), id_])
    return base64.urlsafe_b64encode(contenu.encode()).decode().rstrip("=")


def _decoder_curseur(jeton: str) -> tuple[datetime, int]:
    try:
        brut = base64.urlsafe_b64decode(jeton + "=" * (-len(jeton) % 4))
        quand, id_ = json.loads(brut)
        if not isinstance(id_, int) or not isinstance(quand, str):
            raise ValueError(jeton)
        return en_utc(datetime.fromisoformat(quand)), id_
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise EntreeInvalide(
            "curseur de pagination invalide",
            [
                ErreurChamp(
                    champ="curseur",
                    valeur=jeton[:200],
                    regle="reprendre tel quel le champ « suivant » de la page précédente",
                )
            ],
        ) from None


def _sans_charge() -> Any:
    """Rows without their record (up to a megabyte each), and whether they have one."""
    return select(Rebut, col(Rebut.charge).is_not(None)).options(defer(Rebut.charge))  # type: ignore[arg-type]


def _publics(session: Session, query: Any) -> list[RebutPublic]:
    return [RebutPublic.de(row, bool(a_charge)) for row, a_charge in session.exec(query)]


def _filtrer(query: Any, filtres: FiltresRebuts) -> Any:
    if filtres.topic:
        query = query.where(Rebut.topic == filtres.topic)
    if filtres.type:
        query = query.where(Rebut.type == filtres.type)
    if filtres.code:
        query = query.where(Rebut.code == filtres.code)
    if filtres.statut:
        query = query.where(Rebut.statut == filtres.statut.value)
    if filtres.depuis:
        query = query.where(col(Rebut.recu_le) >= en_utc(filtres.depuis))
    if filtres.jusqu_a:
        query = query.where(col(Rebut.recu_le) < en_utc(filtres.jusqu_a))
    return query


# --- the record, masked or clear ---------------------------------------------------------------


def _contenu(
    valeur: bytes, en_clair: bool, type_: str | None
) -> tuple[Literal["json", "texte", "binaire"], Any]:
    try:
        texte = valeur.decode("utf-8")
    except UnicodeDecodeError:
        return "binaire", base64.b64encode(valeur).decode("ascii")
    try:
        donnees = json.loads(texte)
    except ValueError:
        return "texte", texte if en_clair else redact_text(texte)
    if en_clair:
        return "json", donnees
    spec = CATALOGUE.get(type_) if type_ else None
    if spec is not None:
        # the catalogue's marks and the fields the contract does not declare (structured mode:
        # under `data`; binary mode: the value is the data)
        if isinstance(donnees, dict) and "data" in donnees:
            donnees = {**donnees, "data": masquer(donnees["data"], spec.contrat, MASK)}
        else:
            donnees = masquer(donnees, spec.contrat, MASK)
    return "json", redact_value(donnees)


def _entete(nom: str, valeur: bytes, en_clair: bool) -> EnteteLue:
    texte = valeur.decode("utf-8", "replace")
    if en_clair:
        return EnteteLue(nom=nom, valeur=texte)
    masque = redact_value({nom.removeprefix("ce_").removeprefix("ce-"): texte})
    return EnteteLue(nom=nom, valeur=str(next(iter(masque.values()), MASK)))


# --- the store ---------------------------------------------------------------------------------


class RegistreRebutsSql:
    """The dead-letter store on the read model (`events.registre.RegistreRebuts`)."""

    def __init__(
        self,
        engine: Engine,
        trousseau: Trousseau,
        *,
        regles: delivery.ReglesEntree = delivery.REGLES_PAR_DEFAUT,
    ) -> None:
        self._engine = engine
        self._trousseau = trousseau
        self._regles = regles

    @classmethod
    def pour(cls, settings: Settings, engine: Engine) -> "RegistreRebutsSql":
        return cls(engine, trousseau_pour(settings), regles=evenements.regles_entree(settings))

    # --- the intake's side ---------------------------------------------------------------------

    async def consigner(self, rebut: RebutRecu) -> None:
        """Keep the record (once per `origine`); raises only when the database fails."""
        await asyncio.to_thread(self._consigner, rebut)

    def _consigner(self, rebut: RebutRecu) -> None:
        spec = CATALOGUE.get(rebut.type) if rebut.type else None
        valeurs = {
            "origine": rebut.origine,
            "topic": _court(rebut.topic, 255),
            "partition": rebut.partition,
            "offset": rebut.offset,
            "cle": _court(rebut.cle, 300),
            "code": rebut.code.value,
            "motif": _court(rebut.motif, 2100),
            "type": _court(rebut.type, 100),
            "dispositif": spec.perimetre() if spec else None,
            "recu_le": en_utc(rebut.recu_le),
            "taille": len(rebut.valeur),
            "charge": chiffrer(
                self._trousseau,
                serialiser(rebut.valeur, rebut.entetes),
                rebut.origine.encode(),
            ),
            "statut": StatutRebut.NOUVEAU.value,
        }
        with Session(self._engine) as session:
            dialecte = session.get_bind().dialect.name
            insertion: Any = (
                postgresql.insert(Rebut) if dialecte == "postgresql" else sqlite.insert(Rebut)
            )
            session.execute(
                insertion.values(**valeurs).on_conflict_do_nothing(index_elements=["origine"])
            )
            session.commit()

    # --- review --------------------------------------------------------------------------------

    def lister(
        self,
        acteur: Identite,
        filtres: FiltresRebuts = FiltresRebuts(),
        *,
        limite: int = 50,
        curseur: str | None = None,
    ) -> PageRebuts:
        """The rows `acteur` may see, newest first, `limite` per page."""
        verifier(acteur, REVUE)
        if not 1 <= limite <= LIMITE_MAX:
            raise EntreeInvalide(
                "limite hors bornes",
                [ErreurChamp(champ="limite", valeur=limite, regle=f"entre 1 et {LIMITE_MAX}")],
            )
        query = _portee(_filtrer(_sans_charge(), filtres), acteur)
        compte = _portee(_filtrer(select(func.count()).select_from(Rebut), filtres), acteur)
        if curseur:
            quand, id_ = _decoder_curseur(curseur)
            query = query.where(
                or_(
                    col(Rebut.recu_le) < quand,
                    and_(col(Rebut.recu_le) == quand, col(Rebut.id) < id_),
                )
            )
        query = query.order_by(col(Rebut.recu_le).desc(), col(Rebut.id).desc()).limit(limite + 1)
        with Session(self._engine) as session:
            rows = _publics(session, query)
            total = session.exec(compte).one()
        page, reste = rows[:limite], len(rows) > limite
        return PageRebuts(
            rebuts=page,
            total=total,
            suivant=_encoder_curseur(page[-1].recu_le, page[-1].id) if reste else None,
        )

    def lire(self, id_: int, acteur: Identite, *, en_clair: bool = False) -> VueRebut:
        """The row and its record, personal fields masked; in clear only if asked (roles
        `EN_CLAIR`), and then audited."""
        with Session(self._engine) as session:
            row = _accessible(session, id_, acteur)
            if en_clair:
                verifier(acteur, EN_CLAIR)
            public = RebutPublic.de(row)
            if row.charge is None:
                return VueRebut(rebut=public, en_clair=en_clair, format="absent")
            try:
                valeur, entetes = self._ouvrir(row)
            except (CleInconnue, ChargeUtileIllisible) as exc:
                return VueRebut(rebut=public, en_clair=False, format="illisible", note=str(exc))
            format_, contenu = _contenu(valeur, en_clair, row.type)
            vue = VueRebut(
                rebut=public,
                en_clair=en_clair,
                format=format_,
                contenu=contenu,
                entetes=[_entete(nom, v, en_clair) for nom, v in entetes],
            )
            if en_clair:
                _auditer(
                    session,
                    dossier=dossier_audit(id_),
                    cle_unique=f"consultation/{uuid.uuid4()}",
                    type_="consultation_en_clair",
                    auteur=acteur.nom,
                    detail={"origine": row.origine, "statut": row.statut},
                )
                session.commit()
        return vue

    def _ouvrir(self, row: Rebut) -> tuple[bytes, list[tuple[str, bytes]]]:
        assert row.charge is not None
        return deserialiser(dechiffrer(self._trousseau, row.charge, row.origine.encode()))

    # --- actions -------------------------------------------------------------------------------

    async def rejouer(
        self,
        id_: int,
        acteur: Identite,
        corrige: bytes | None = None,
        *,
        client: Client | Callable[[], Awaitable[Client]],
        task_queue: str,
    ) -> ResultatRejeu:
        """Through the intake again: the stored record, or `corrige` (a structured-mode
        CloudEvent, JSON). Refused by the intake: `EntreeInvalide`, the row stays `nouveau`
        (the attempt is audited); accepted: delivered (`livrer`), the row becomes `rejoue`.
        `client`: the Temporal client, or how to connect (only once the intake accepted)."""
        livrable = await asyncio.to_thread(self._preparer, id_, acteur, corrige)
        if not isinstance(client, Client):
            client = await client()
        resultat = await evenements.livrer(client, task_queue, livrable)
        public = await asyncio.to_thread(self._marquer_rejoue, id_, acteur, corrige, livrable)
        return ResultatRejeu(rebut=public, evenement=resultat)

    def _preparer(self, id_: int, acteur: Identite, corrige: bytes | None) -> Livrable:
        with Session(self._engine) as session:
            row = _accessible(session, id_, acteur)
            _exiger_nouveau(row)
            if corrige is not None:
                valeur, entetes = corrige, list[tuple[str, bytes]]()
            elif row.charge is None:
                raise EntreeInvalide(
                    f"rebut {id_}: l'enregistrement n'est plus conservé",
                    [ErreurChamp(champ="corrige", regle="fournir l'événement corrigé")],
                )
            else:
                try:
                    valeur, entetes = self._ouvrir(row)
                except (CleInconnue, ChargeUtileIllisible) as exc:
                    raise EntreeInvalide(
                        f"rebut {id_}: enregistrement illisible ({exc})",
                        [ErreurChamp(champ="corrige", regle="fournir l'événement corrigé")],
                    ) from None
            topic = None if row.topic == HTTP else row.topic
            resultat = delivery.parse(topic, valeur, entetes, self._regles)
            if isinstance(resultat, delivery.Rejet):
                _auditer(
                    session,
                    dossier=dossier_audit(id_),
                    cle_unique=f"rejeu-refuse/{uuid.uuid4()}",
                    type_="rejeu_refuse",
                    auteur=acteur.nom,
                    detail={
                        "origine": row.origine,
                        "corrige": corrige is not None,
                        "code": resultat.code.value,
                        "motif": resultat.motif,
                    },
                )
                session.commit()
                raise EntreeInvalide(
                    f"rejeu refusé par l'intake ({resultat.code.value}): {resultat.motif}",
                    [
                        ErreurChamp(
                            champ="corrige" if corrige is not None else "enregistrement",
                            valeur=None,
                            regle=resultat.motif,
                        )
                    ],
                )
            # a correction must not carry the record outside the user's schemes
            verifier(acteur, REVUE, resultat.type.perimetre())
            return resultat

    def _marquer_rejoue(
        self, id_: int, acteur: Identite, corrige: bytes | None, livrable: Livrable
    ) -> RebutPublic:
        maintenant = datetime.now(UTC)
        with Session(self._engine) as session:
            fait = session.execute(
                update(Rebut)
                .where(col(Rebut.id) == id_, col(Rebut.statut) == StatutRebut.NOUVEAU.value)
                .values(
                    statut=StatutRebut.REJOUE.value,
                    traite_par=acteur.nom,
                    traite_le=maintenant,
                    motif_traitement="rejoué avec correction" if corrige else "rejoué tel quel",
                )
            )
            if getattr(fait, "rowcount", 0):
                _auditer(
                    session,
                    dossier=dossier_audit(id_),
                    cle_unique=f"rejeu/{uuid.uuid4()}",
                    type_="rejeu",
                    auteur=acteur.nom,
                    detail={
                        "corrige": corrige is not None,
                        "evenement": livrable.event.id,
                        "type": livrable.event.type,
                        "workflow": livrable.type.workflow_id(livrable.event.subject),
                    },
                )
            session.commit()
            # another user replayed it at the same moment: the workflow applies the event
            # once (same id), the row says who did it first
            row = session.get(Rebut, id_)
            if row is None:
                raise RebutInconnu(f"rebut inconnu: {id_} (purgé pendant le rejeu)")
            return RebutPublic.de(row)

    def ignorer(self, id_: int, acteur: Identite, motif: str) -> RebutPublic:
        """Close the row without replaying it; the motive is mandatory."""
        motif = (motif or "").strip()
        if not motif or len(motif) > MOTIF_MAX:
            raise EntreeInvalide(
                "motif obligatoire pour ignorer un rebut",
                [
                    ErreurChamp(
                        champ="motif",
                        valeur=len(motif) if motif else motif,
                        regle=f"texte non vide, au plus {MOTIF_MAX} caractères",
                    )
                ],
            )
        with Session(self._engine) as session:
            row = _accessible(session, id_, acteur)
            _exiger_nouveau(row)
            fait = session.execute(
                update(Rebut)
                .where(col(Rebut.id) == id_, col(Rebut.statut) == StatutRebut.NOUVEAU.value)
                .values(
                    statut=StatutRebut.IGNORE.value,
                    traite_par=acteur.nom,
                    traite_le=datetime.now(UTC),
                    motif_traitement=motif,
                )
            )
            if not getattr(fait, "rowcount", 0):
                session.rollback()
                session.refresh(row)
                _exiger_nouveau(row)
            _auditer(
                session,
                dossier=dossier_audit(id_),
                cle_unique=f"ignore/{uuid.uuid4()}",
                type_="ignore",
                auteur=acteur.nom,
                # the audit log outlives the row: the motive is kept with personal values masked
                detail={"origine": row.origine, "code": row.code, "motif": redact_text(motif)},
            )
            session.commit()
            session.refresh(row)
            return RebutPublic.de(row)

    def purger(self, avant: datetime, acteur: Identite) -> int:
        """Delete the rows received before `avant` (record included); returns how many."""
        verifier(acteur, PURGE)
        if not voit_tout(acteur):
            raise AccesRefuse(
                f"purger les rebuts concerne tous les dispositifs: {acteur.nom!r} n'a que "
                f"{', '.join(acteur.dispositifs)}"
            )
        with Session(self._engine) as session:
            nombre = purger_rebuts(
                session=session, avant=en_utc(avant), auteur=acteur.nom, quand=datetime.now(UTC)
            )
            session.commit()
        return nombre


def _exiger_nouveau(row: Rebut) -> None:
    if row.statut != StatutRebut.NOUVEAU.value:
        par = f" par {row.traite_par}" if row.traite_par else ""
        quand = f" le {en_utc(row.traite_le).isoformat()}" if row.traite_le else ""
        raise RebutDejaTraite(
            f"rebut {row.id} déjà traité (statut {row.statut}{par}{quand}): "
            "ni rejeu ni abandon possibles"
        )


# --- figures (the dashboard, `GET /metrics`) ---------------------------------------------------


@dataclass(frozen=True)
class CompteRebuts:
    code: str
    statut: str
    nombre: int


def comptes(session: Session, acteur: Identite | None = None) -> list[CompteRebuts]:
    """Rows by code and status, within `acteur`'s schemes (None: every row)."""
    query = select(Rebut.code, Rebut.statut, func.count()).group_by(
        col(Rebut.code), col(Rebut.statut)
    )
    if acteur is not None:
        query = _portee(query, acteur)
    query = query.order_by(col(Rebut.code), col(Rebut.statut))
    return [CompteRebuts(code, statut, nombre) for code, statut, nombre in session.exec(query)]


def derniers(session: Session, acteur: Identite | None, nombre: int = 20) -> list[RebutPublic]:
    """The last `nombre` rows received, newest first, within `acteur`'s schemes."""
    query = _sans_charge().order_by(col(Rebut.recu_le).desc(), col(Rebut.id).desc())
    if acteur is not None:
        query = _portee(query, acteur)
    return _publics(session, query.limit(nombre))
