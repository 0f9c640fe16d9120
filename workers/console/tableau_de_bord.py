"""The supervisor's dashboard: aggregates read from the SQL read model, dead letters included.

Counts and sums come from the projection (`dossier`), the payment ledger (`ordre_paiement`)
and the audit log (`audit`); nothing here asks Temporal. Choices where the issue is silent:

- **granted** in a month: a dossier's `montant_accorde`, in the month of its first decision
  line in the audit log (the acceptance, the commission's vote or decision); a dossier granted
  without a decision (a CAE-DOM convention is granted by the ASP's event) counts in the month
  of its first audit line;
- **paid** in a month: the payment orders executed (`statut = execute`), by the month of their
  last update (the ASP's confirmation);
- **to recover** in a month: the recovery orders (contrat-pro `titre_executoire`, CAE-DOM
  `reversement`) issued, by the month they were issued or last updated;
- months are calendar months in Europe/Paris.

Dead letters come from their store, the `rebut` table (`workers.services.rebuts`): counts by
code and status and the last ones received, within the user's schemes. Their reasons never
quote a personal value (the intake writes them so, `events.delivery`), so nothing is redacted
here; a reason is only cut at `MOTIF_MAX` characters, a cheap guard against an oversized one.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.dossier import Nature
from models.tables import Audit, Dossier, OrdrePaiement
from rules.calendrier import PARIS
from workers.services import rebuts as registre
from workers.services.rebuts import CompteRebuts, RebutPublic
from workers.services.utilisateurs import Identite

__all__ = [
    "CompteRebuts",
    "CompteStatut",
    "MontantsMois",
    "RebutPublic",
    "Rebuts",
    "comptes_par_statut",
    "echeances_par_jour",
    "echeances_prochaines",
    "en_retard",
    "lire_rebuts",
    "mois_de",
    "mois_entre",
    "montants_par_mois",
]

ZERO = Decimal("0.00")
PERIODES_RECOUVREMENT = frozenset({"titre_executoire", "reversement"})
"""Ledger lines that are recovery orders, not payments (contrat-pro, CAE-DOM)."""
STATUT_EXECUTE = "execute"
DECISIONS_ACCORD = frozenset({"accepter", "voter", "statuer"})
MOIS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


@dataclass(frozen=True)
class CompteStatut:
    dispositif: str
    statut: str
    nombre: int


@dataclass(frozen=True)
class MontantsMois:
    mois: str
    """`AAAA-MM`."""
    accorde: Decimal = ZERO
    verse: Decimal = ZERO
    a_recuperer: Decimal = ZERO

    @property
    def libelle(self) -> str:
        annee, mois = self.mois.split("-")
        return f"{MOIS_FR[int(mois) - 1]} {annee}"


def comptes_par_statut(*, session: Session) -> list[CompteStatut]:
    query = (
        select(Dossier.dispositif, Dossier.statut, func.count())
        .group_by(col(Dossier.dispositif), col(Dossier.statut))
        .order_by(col(Dossier.dispositif), col(Dossier.statut))
    )
    return [CompteStatut(d, s, n) for d, s, n in session.exec(query).all()]


def mois_de(moment: datetime) -> str:
    local = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{local.astimezone(PARIS):%Y-%m}"


def mois_entre(debut: date, fin: date) -> list[str]:
    """Every `AAAA-MM` from `debut`'s month to `fin`'s, in order."""
    mois, annee, resultat = debut.month, debut.year, []
    while (annee, mois) <= (fin.year, fin.month):
        resultat.append(f"{annee:04d}-{mois:02d}")
        mois += 1
        if mois == 13:
            annee, mois = annee + 1, 1
    return resultat


def montants_par_mois(
    *, session: Session, aujourd_hui: date, identite: Identite, nombre: int = 12
) -> list[MontantsMois]:
    """The last `nombre` months (this one included): granted, paid, to recover, within
    `identite`'s schemes."""
    debut = date(aujourd_hui.year, aujourd_hui.month, 1)
    for _ in range(nombre - 1):
        debut = date(debut.year - (debut.month == 1), (debut.month - 2) % 12 + 1, 1)
    cles = mois_entre(debut, aujourd_hui)
    accorde: dict[str, Decimal] = defaultdict(lambda: ZERO)
    verse: dict[str, Decimal] = defaultdict(lambda: ZERO)
    recuperer: dict[str, Decimal] = defaultdict(lambda: ZERO)

    premieres_decisions = dict(
        session.exec(
            select(Audit.dossier, func.min(Audit.horodatage))
            .where(Audit.nature == Nature.DECISION.value)
            .where(col(Audit.type).in_(DECISIONS_ACCORD))
            .group_by(col(Audit.dossier))
        ).all()
    )
    premieres_lignes = dict(
        session.exec(
            select(Audit.dossier, func.min(Audit.horodatage)).group_by(col(Audit.dossier))
        ).all()
    )
    for dossier in session.exec(select(Dossier).where(col(Dossier.montant_accorde) > 0)).all():
        if not identite.voit(dossier.dispositif):
            continue
        moment = premieres_decisions.get(dossier.cle) or premieres_lignes.get(dossier.cle)
        if moment is not None:
            accorde[mois_de(moment)] += Decimal(dossier.montant_accorde)

    dispositifs = dict(session.exec(select(Dossier.cle, Dossier.dispositif)).all())
    for ordre in session.exec(select(OrdrePaiement)).all():
        dispositif = dispositifs.get(ordre.dossier, ordre.dossier.split(":", 1)[0])
        if not identite.voit(dispositif):
            continue
        mois = mois_de(ordre.maj_le)
        if ordre.periode in PERIODES_RECOUVREMENT:
            recuperer[mois] += Decimal(ordre.montant)
        elif ordre.statut == STATUT_EXECUTE:
            verse[mois] += Decimal(ordre.montant)
    return [
        MontantsMois(mois=m, accorde=accorde[m], verse=verse[m], a_recuperer=recuperer[m])
        for m in cles
    ]


def echeances_prochaines(
    *, session: Session, aujourd_hui: date, jours: int = 30
) -> Sequence[Dossier]:
    """Dossiers whose next deadline falls from today to `jours` days ahead, earliest first."""
    fin = aujourd_hui + timedelta(days=jours)
    query = (
        select(Dossier)
        .where(col(Dossier.prochaine_echeance) >= aujourd_hui)
        .where(col(Dossier.prochaine_echeance) <= fin)
        .order_by(col(Dossier.prochaine_echeance), col(Dossier.cle))
    )
    return session.exec(query).all()


def echeances_par_jour(dossiers: Sequence[Dossier]) -> dict[date, int]:
    compte: dict[date, int] = defaultdict(int)
    for dossier in dossiers:
        if dossier.prochaine_echeance is not None:
            compte[dossier.prochaine_echeance] += 1
    return dict(sorted(compte.items()))


def en_retard(*, session: Session, aujourd_hui: date, identite: Identite) -> int:
    """Dossiers past their next deadline, within `identite`'s schemes."""
    query = (
        select(Dossier.dispositif, func.count())
        .where(col(Dossier.prochaine_echeance) < aujourd_hui)
        .group_by(col(Dossier.dispositif))
    )
    return sum(n for dispositif, n in session.exec(query).all() if identite.voit(dispositif))


MOTIF_MAX = 2048
"""A dead letter's reason on the dashboard, at most (characters)."""


@dataclass(frozen=True)
class Rebuts:
    comptes: list[CompteRebuts]
    """By code and status."""
    derniers: list[RebutPublic]
    """The last received, newest first."""

    @property
    def total(self) -> int:
        return sum(c.nombre for c in self.comptes)

    @property
    def a_traiter(self) -> int:
        return sum(c.nombre for c in self.comptes if c.statut == registre.StatutRebut.NOUVEAU)

    def par_code(self) -> list[tuple[str, dict[str, int]]]:
        """Each code with its count per status, codes in order."""
        table: dict[str, dict[str, int]] = defaultdict(dict)
        for c in self.comptes:
            table[c.code][c.statut] = c.nombre
        return sorted(table.items())


def lire_rebuts(*, session: Session, identite: Identite, nombre: int = 20) -> Rebuts:
    """Dead letters within `identite`'s schemes: counts by code and status, and the last
    `nombre` received (their reasons cut at `MOTIF_MAX` characters)."""
    derniers = [
        r.model_copy(update={"motif": r.motif[:MOTIF_MAX]})
        for r in registre.derniers(session, identite, nombre)
    ]
    return Rebuts(comptes=registre.comptes(session, identite), derniers=derniers)
