"""The yearly list of the contrat-pro beneficiaries and their aids, for the Conseil régional or
the Commission permanente (seed 003 section 4: « La liste des bénéficiaires et des aides
attribuées est présentée une fois par an en séance du Conseil Régional ou en Commission
permanente »). docs/contrat_pro.md, « Liste annuelle des bénéficiaires ».

Read from the SQL read model only (nothing asks Temporal):

- **the aids**: contrat-pro dossiers whose granted amount (`dossier.montant_accorde`) is above
  zero, i.e. an act is in force (the workflow projects the amount as granted only in the
  statuses after an acceptance);
- **granted in year A**: the act is the dossier's first change of status to `en_cours`
  (arrêté) or `attente_signature` (convention to sign), an audit line `guichet.dossier.statut.v1`
  (nature `publication`, written at the instant of the change); its date, in Europe/Paris,
  falls in calendar year A;
- **the act**: `convention` when the dossier ever went to `attente_signature`, else `arrete`;
- **the beneficiary**: the legal person, the SIREN (first 9 digits of the establishment's SIRET,
  the read model's `beneficiaire`); one line per SIREN, sorted by SIREN;
- **amounts**: granted (the act's amount, as the read model has it now) and paid to date
  (`montant_verse`, whatever the year of the payment), two decimals.

The employer's name is not in the contrat-pro data (the OPCO's registration carries the SIRET
only), so `nom` stays empty until a source gives it; written, it goes through the formula
neutralisation of `workers.services.tableur` like any text.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from models.contrat_pro import WORKFLOW as CONTRAT_PRO
from models.contrat_pro import Statut
from models.dossier import Nature
from models.tables import Audit, Dossier
from rules.calendrier import PARIS
from workers.services.instruction import EXPORT, verifier
from workers.services.tableur import csv_sur, xlsx_sur
from workers.services.utilisateurs import Identite
from workers.services.validation import EntreeInvalide, ErreurChamp

ANNEE_MIN = 2000
ANNEE_MAX = 2100
REGLE_ANNEE = f"une année civile sur 4 chiffres, de {ANNEE_MIN} à {ANNEE_MAX}"
TYPE_STATUT = "guichet.dossier.statut.v1"
"""The audit line of a status change (`workflows/dossier.py`, `_changer`)."""
STATUTS_ACTE = frozenset({Statut.EN_COURS.value, Statut.ATTENTE_SIGNATURE.value})
"""The statuses an acceptance leads to: reaching one of them is the act."""
ARRETE = "arrete"
CONVENTION = "convention"
COLONNES = ("siren", "nom", "nombre_aides", "montant_accorde", "montant_verse", "actes")
TOTAL = "TOTAL"
"""The first cell of the totals line, last line of the CSV and the workbook."""
CENTIME = Decimal("0.01")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_MONTANT = "#,##0.00"


def lire_annee(valeur: str | int) -> int:
    """The year asked, or `EntreeInvalide` naming the field `annee`, the value and the rule."""
    texte = str(valeur).strip()
    if texte.isascii() and texte.isdigit() and len(texte) == 4:
        annee = int(texte)
        if ANNEE_MIN <= annee <= ANNEE_MAX:
            return annee
    raise EntreeInvalide(
        f"année invalide: annee: {REGLE_ANNEE}",
        [ErreurChamp(champ="annee", valeur=str(valeur)[:200], regle=REGLE_ANNEE)],
    )


@dataclass(frozen=True)
class AideAccordee:
    """One dossier of the list: its act and amounts."""

    dossier: str
    siret: str
    acte: str
    date_acte: datetime
    """When the status changed to `en_cours` or `attente_signature` the first time (UTC)."""
    montant_accorde: Decimal
    montant_verse: Decimal

    @property
    def siren(self) -> str:
        return self.siret[:9]


@dataclass(frozen=True)
class LigneBeneficiaire:
    siren: str
    nom: str
    nombre_aides: int
    montant_accorde: Decimal
    montant_verse: Decimal
    actes: str
    """`arrete`, `convention` or `arrete+convention`."""
    dossiers: tuple[str, ...] = ()
    """The dossiers counted (not exported: for the console and checks)."""


@dataclass(frozen=True)
class ListeBeneficiaires:
    annee: int
    lignes: list[LigneBeneficiaire]
    sans_date_acte: list[str] = field(default_factory=list)
    """Dossiers with an amount granted but no status line to `en_cours`/`attente_signature` in
    the audit log (none expected): left out of the list, named so that someone looks."""

    @property
    def nombre_aides(self) -> int:
        return sum(ligne.nombre_aides for ligne in self.lignes)

    @property
    def montant_accorde(self) -> Decimal:
        return sum((ligne.montant_accorde for ligne in self.lignes), Decimal("0.00"))

    @property
    def montant_verse(self) -> Decimal:
        return sum((ligne.montant_verse for ligne in self.lignes), Decimal("0.00"))

    def ligne_total(self) -> list[object]:
        return [
            TOTAL,
            f"{len(self.lignes)} bénéficiaire(s)",
            self.nombre_aides,
            _deux_decimales(self.montant_accorde),
            _deux_decimales(self.montant_verse),
            "",
        ]


def _deux_decimales(montant: Decimal | float | int) -> Decimal:
    return Decimal(str(montant)).quantize(CENTIME)


def _annee_paris(moment: datetime) -> int:
    local = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC
    return local.astimezone(PARIS).year


def aides_accordees(session: Session) -> tuple[list[AideAccordee], list[str]]:
    """Every contrat-pro aid in force (granted amount above zero, a beneficiary known) with its
    act and act date, and the dossiers whose act date is missing from the audit log."""
    dossiers = {
        d.cle: d
        for d in session.exec(
            select(Dossier)
            .where(Dossier.dispositif == CONTRAT_PRO)
            .where(col(Dossier.montant_accorde) > 0)
            .where(col(Dossier.beneficiaire).is_not(None))
        ).all()
    }
    premiers: dict[str, datetime] = {}
    conventions: set[str] = set()
    lignes = session.exec(
        select(Audit.dossier, Audit.horodatage, Audit.detail)
        .join(Dossier, col(Dossier.cle) == col(Audit.dossier))
        .where(Dossier.dispositif == CONTRAT_PRO)
        .where(col(Dossier.montant_accorde) > 0)
        .where(Audit.nature == Nature.PUBLICATION.value)
        .where(Audit.type == TYPE_STATUT)
        .order_by(col(Audit.dossier), col(Audit.rang))
    )
    for dossier, horodatage, detail in lignes:
        statut = (detail or {}).get("statut")
        if statut not in STATUTS_ACTE:
            continue
        premiers.setdefault(dossier, horodatage)
        if statut == Statut.ATTENTE_SIGNATURE.value:
            conventions.add(dossier)
    aides, sans_date = [], []
    for cle, d in sorted(dossiers.items()):
        if cle not in premiers:
            sans_date.append(cle)
            continue
        aides.append(
            AideAccordee(
                dossier=cle,
                siret=str(d.beneficiaire),
                acte=CONVENTION if cle in conventions else ARRETE,
                date_acte=premiers[cle],
                montant_accorde=_deux_decimales(d.montant_accorde),
                montant_verse=_deux_decimales(d.montant_verse),
            )
        )
    return aides, sans_date


def regrouper(
    aides: Iterable[AideAccordee], noms: dict[str, str] | None = None
) -> list[LigneBeneficiaire]:
    """One line per SIREN, sorted by SIREN. `noms`: SIREN -> name, when a source knows it."""
    par_siren: dict[str, list[AideAccordee]] = defaultdict(list)
    for aide in aides:
        par_siren[aide.siren].append(aide)
    lignes = []
    for siren in sorted(par_siren):
        groupe = par_siren[siren]
        actes = {a.acte for a in groupe}
        lignes.append(
            LigneBeneficiaire(
                siren=siren,
                nom=(noms or {}).get(siren, ""),
                nombre_aides=len(groupe),
                montant_accorde=sum((a.montant_accorde for a in groupe), Decimal("0.00")),
                montant_verse=sum((a.montant_verse for a in groupe), Decimal("0.00")),
                actes="+".join(a for a in (ARRETE, CONVENTION) if a in actes),
                dossiers=tuple(sorted(a.dossier for a in groupe)),
            )
        )
    return lignes


def liste_beneficiaires(
    session: Session, acteur: Identite | None, annee: int | str
) -> ListeBeneficiaires:
    """The year's list. `acteur` needs an export role (instructeur, superviseur, admin) and the
    contrat-pro scheme in its scope (`AccesRefuse` otherwise); None: a trusted caller (CLI)."""
    verifier(acteur, EXPORT, CONTRAT_PRO)
    annee = lire_annee(annee)
    aides, sans_date = aides_accordees(session)
    de_l_annee = [a for a in aides if _annee_paris(a.date_acte) == annee]
    return ListeBeneficiaires(annee=annee, lignes=regrouper(de_l_annee), sans_date_acte=sans_date)


# --- the files ---------------------------------------------------------------------------------


def _valeurs(ligne: LigneBeneficiaire) -> list[object]:
    return [
        ligne.siren,
        ligne.nom,
        ligne.nombre_aides,
        _deux_decimales(ligne.montant_accorde),
        _deux_decimales(ligne.montant_verse),
        ligne.actes,
    ]


def _toutes(liste: ListeBeneficiaires) -> Sequence[list[object]]:
    return [*(_valeurs(ligne) for ligne in liste.lignes), liste.ligne_total()]


def texte_csv(liste: ListeBeneficiaires) -> str:
    """The CSV as `/dossiers/export` writes it: `;`-separated, UTF-8 with a BOM (spreadsheet
    software then reads the accents), the codes of `COLONNES` as header, the totals line last.
    Amounts with two decimals and a point."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow(COLONNES)
    for valeurs in _toutes(liste):
        ecrivain.writerow([csv_sur(v) for v in valeurs])
    return "\ufeff" + tampon.getvalue()


def octets_xlsx(liste: ListeBeneficiaires) -> bytes:
    """The workbook: one sheet `beneficiaires`, the same header and lines as the CSV; the SIREN
    is text (leading zeros kept), amounts are numbers shown with two decimals."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("beneficiaires")
    feuille.append(list(COLONNES))
    for valeurs in _toutes(liste):
        cellules: list[object] = []
        for valeur in valeurs:
            if isinstance(valeur, Decimal):
                cellule = WriteOnlyCell(feuille, value=valeur)
                cellule.number_format = FORMAT_MONTANT
                cellules.append(cellule)
            else:
                cellules.append(xlsx_sur(feuille, valeur))
        feuille.append(cellules)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def nom_fichier(annee: int, format_: str) -> str:
    return f"beneficiaires-contrat-pro-{annee}.{format_}"
