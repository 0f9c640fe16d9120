"""Aide régionale à l'équipement (ARE), Île-de-France lycées.

Sources:
- `shared/seeds/000_1a6800f97ad826db.txt`: règlement d'intervention, school year 2021-2022
  (délibération CP 2021-372 du 22 septembre 2021), with Annexe 1 (2021-2022 formation list);
- `shared/seeds/001_d4a38141b0b7da2a.txt`: modalités d'application 2023-2024, arrêté
  n° 2023-087 du 17 mars 2023 (indexation +6,31 %, ARE and CPGE flat rates) and the
  2023-2024 formation list.

Pure functions: no clock, no I/O except the packaged reference data under `rules/data/are/`
read through `rules.reference.read_csv`. Readings the issue fixed, and those chosen where the
text is silent, are listed in `docs/are.md`.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache

from rules.reference import read_csv

DONNEES = "are"

VERSION_REGLE_2021_2022 = "are-2021-2022.1"
VERSION_REGLE_2023_2024 = "are-2023-2024.1"
VERSIONS_REGLE: Mapping[str, str] = {
    "2021-2022": VERSION_REGLE_2021_2022,
    "2023-2024": VERSION_REGLE_2023_2024,
}
"""School years the allocation can be computed for (formation list, rates and specialties are
all in the reference data), with the rule version a dossier records."""

CODE_PREPA_METIERS = "67010031"
"""3e prépa-métiers: the only formation of specialty 100 that is eligible."""

SPECIALITE_FORMATIONS_GENERALES = 100

_CODE_DIPLOME = re.compile(r"\d{8}")
_UAI = re.compile(r"\d{7}[A-Z]")
_ANNEE_SCOLAIRE = re.compile(r"(\d{4})-(\d{4})")

UN_EURO = Decimal(1)
UN_CENTIME = Decimal("0.01")
ZERO = Decimal(0)


class Enveloppe(StrEnum):
    """The two budget envelopes, never merged (« Les dispositifs ARE pré-bac et ARE post-bac
    ne sont pas fongibles budgétairement », both seeds, « Modalités de mise en œuvre »). A
    formation's level is its envelope."""

    PRE_BAC = "pre_bac"
    POST_BAC = "post_bac"


class MotifLigne(StrEnum):
    """Why an enrolment line is not eligible."""

    NIVEAU_HORS_CHAMP = "NIVEAU_HORS_CHAMP"
    SPECIALITE_NON_ELIGIBLE = "SPECIALITE_NON_ELIGIBLE"
    SPECIALITE_100_HORS_PREPA_METIERS = "SPECIALITE_100_HORS_PREPA_METIERS"


class MotifDotation(StrEnum):
    """Facts about a school's allocation an instructor should see."""

    ENQUETE_NON_REPONDUE = "ENQUETE_NON_REPONDUE"
    RELIQUAT_COUVRE_PRE_BAC = "RELIQUAT_COUVRE_PRE_BAC"
    RELIQUAT_COUVRE_POST_BAC = "RELIQUAT_COUVRE_POST_BAC"
    FORMATIONS_HORS_LISTE = "FORMATIONS_HORS_LISTE"


class MotifCpge(StrEnum):
    PAS_EN_DEUXIEME_ANNEE = "PAS_EN_DEUXIEME_ANNEE"
    QUOTIENT_FAMILIAL_SUPERIEUR_AU_PLAFOND = "QUOTIENT_FAMILIAL_SUPERIEUR_AU_PLAFOND"
    AUCUN_CONCOURS = "AUCUN_CONCOURS"
    CONCOURS_PLAFONNES = "CONCOURS_PLAFONNES"


def arrondi(montant: Decimal, pas: Decimal = UN_CENTIME) -> Decimal:
    """ROUND_HALF_UP to `pas` (the cent unless stated); never returns a negative zero."""
    resultat = montant.quantize(pas, rounding=ROUND_HALF_UP)
    return resultat if resultat != 0 else abs(resultat)


# --- school years -------------------------------------------------------------------------


def annee_valide(annee_scolaire: str) -> bool:
    """« 2023-2024 »: two consecutive years."""
    m = _ANNEE_SCOLAIRE.fullmatch(annee_scolaire)
    return m is not None and int(m.group(2)) == int(m.group(1)) + 1


def _debut(annee_scolaire: str) -> int:
    if not annee_valide(annee_scolaire):
        raise ValueError(
            f"annee_scolaire « {annee_scolaire} » invalide : format attendu AAAA-AAAA+1"
        )
    return int(annee_scolaire[:4])


def version_regle(annee_scolaire: str) -> str:
    """The rule version a dossier of that school year is decided under."""
    try:
        return VERSIONS_REGLE[annee_scolaire]
    except KeyError:
        raise ValueError(_annee_inconnue(annee_scolaire, VERSIONS_REGLE)) from None


def _annee_inconnue(annee_scolaire: str, connues: Mapping[str, object]) -> str:
    return (
        f"annee_scolaire « {annee_scolaire} » inconnue : années scolaires connues "
        f"{', '.join(sorted(connues))}"
    )


def uai_valide(uai: str) -> bool:
    """UAI (school identifier) format: 7 digits and an upper-case letter (the key is not
    checked: the issue asks for the format only)."""
    return _UAI.fullmatch(uai) is not None


# --- formations and specialties -----------------------------------------------------------


def code_diplome_valide(code_diplome: str) -> bool:
    return _CODE_DIPLOME.fullmatch(code_diplome) is not None


def specialite(code_diplome: str) -> int:
    """NSF specialty: digits 4 to 6 of the 8-digit diploma code (both seeds' annex lists:
    the « Spécialité » column is always those digits, e.g. 40025510 → 255)."""
    if not code_diplome_valide(code_diplome):
        raise ValueError(f"code_diplome « {code_diplome} » invalide : 8 chiffres attendus")
    return int(code_diplome[3:6])


def niveau(code_diplome: str) -> Enveloppe | None:
    """Level from the code's first digit (issue reading, matching both annex lists' « Niveau
    regroupement » column): 1-3 post-bac, 4-6 pre-bac (6 = 3e prépa-métiers, « Infra V »);
    any other digit is outside the scheme (None)."""
    if not code_diplome_valide(code_diplome):
        raise ValueError(f"code_diplome « {code_diplome} » invalide : 8 chiffres attendus")
    premier = int(code_diplome[0])
    if 1 <= premier <= 3:
        return Enveloppe.POST_BAC
    if 4 <= premier <= 6:
        return Enveloppe.PRE_BAC
    return None


@dataclass(frozen=True)
class PlageSpecialites:
    specialite_min: int
    specialite_max: int
    premiere_annee: str
    derniere_annee: str | None
    code_diplome_requis: str | None
    libelle: str
    source: str

    def couvre(self, specialite: int, annee_scolaire: str, code_diplome: str) -> bool:
        debut = _debut(annee_scolaire)
        return (
            self.specialite_min <= specialite <= self.specialite_max
            and _debut(self.premiere_annee) <= debut
            and (self.derniere_annee is None or debut <= _debut(self.derniere_annee))
            and (self.code_diplome_requis is None or code_diplome == self.code_diplome_requis)
        )


@cache
def plages_specialites() -> tuple[PlageSpecialites, ...]:
    """Eligible NSF specialties and the years they apply (`specialites.csv`): both seeds,
    « Les formations éligibles » sections 1 to 3; 344 only from 2023-2024 (seed 001)."""
    return tuple(
        PlageSpecialites(
            specialite_min=int(r["specialite_min"]),
            specialite_max=int(r["specialite_max"]),
            premiere_annee=r["premiere_annee"],
            derniere_annee=r["derniere_annee"] or None,
            code_diplome_requis=r["code_diplome_requis"] or None,
            libelle=r["libelle"],
            source=r["source"],
        )
        for r in read_csv(DONNEES, "specialites.csv")
    )


def specialite_eligible(code_diplome: str, annee_scolaire: str) -> bool:
    """Is the formation's NSF specialty eligible that school year?

    Both seeds, « Les formations éligibles »: 100 (only 3e prépa-métiers, code 67010031),
    134, 200-259 (all production groups 20 to 25), 311, 312, 321, 322, 323, 330, 331, 334,
    336, 343; seed 001 adds 344 for 2023-2024.
    """
    spec = specialite(code_diplome)
    return any(p.couvre(spec, annee_scolaire, code_diplome) for p in plages_specialites())


@dataclass(frozen=True)
class Formation:
    """A row of a yearly annex list (indicative reference: label, level)."""

    annee_scolaire: str
    niveau: str
    niveau_regroupement: int
    specialite: int
    code_diplome: str
    type_diplome: str
    libelle: str
    source: str


@cache
def formations(annee_scolaire: str) -> Mapping[str, Formation]:
    """The year's annex list by diploma code: seed 000 Annexe 1 (2021-2022), seed 001 « Liste
    des formations relevant des spécialités éligibles » (2023-2024)."""
    version_regle(annee_scolaire)
    return {
        r["code_diplome"]: Formation(
            annee_scolaire=r["annee_scolaire"],
            niveau=r["niveau"],
            niveau_regroupement=int(r["niveau_regroupement"]),
            specialite=int(r["specialite"]),
            code_diplome=r["code_diplome"],
            type_diplome=r["type_diplome"],
            libelle=r["libelle"],
            source=r["source"],
        )
        for r in read_csv(DONNEES, f"formations_{annee_scolaire}.csv")
    }


@dataclass(frozen=True)
class QualificationFormation:
    code_diplome: str
    specialite: int
    niveau: Enveloppe | None
    eligible: bool
    hors_liste: bool
    prepa_metiers: bool
    motif: MotifLigne | None
    formation: Formation | None


def qualifier_formation(code_diplome: str, annee_scolaire: str) -> QualificationFormation:
    """Eligibility of one formation for a school year.

    The specialty decides (both seeds, « Les formations éligibles »); the yearly annex is
    indicative (seed 001: « annexée à titre indicatif »): a code absent from it is decided by
    its specialty and flagged `hors_liste` for review. A listed code whose specialty is not
    eligible that year stays ineligible (the 2021-2022 annex lists two specialty-344 codes,
    40034403 and 50034405, which the 2021-2022 specialty list does not include).
    """
    niv = niveau(code_diplome)
    spec = specialite(code_diplome)
    listee = formations(annee_scolaire).get(code_diplome)
    motif: MotifLigne | None = None
    if niv is None:
        motif = MotifLigne.NIVEAU_HORS_CHAMP
    elif not specialite_eligible(code_diplome, annee_scolaire):
        motif = (
            MotifLigne.SPECIALITE_100_HORS_PREPA_METIERS
            if spec == SPECIALITE_FORMATIONS_GENERALES
            else MotifLigne.SPECIALITE_NON_ELIGIBLE
        )
    return QualificationFormation(
        code_diplome=code_diplome,
        specialite=spec,
        niveau=niv,
        eligible=motif is None,
        hors_liste=listee is None,
        prepa_metiers=code_diplome == CODE_PREPA_METIERS,
        motif=motif,
        formation=listee,
    )


# --- flat rates and indexation ------------------------------------------------------------


@dataclass(frozen=True)
class Forfaits:
    """Flat rates of a school year, in euros, and the act that set them."""

    annee_scolaire: str
    standard: Decimal
    prepa_metiers: Decimal
    cpge_concours: Decimal | None
    acte: str
    deduit: bool


@cache
def forfaits(annee_scolaire: str) -> Forfaits:
    """Rates of a school year (`forfaits.csv`).

    2021-2022: 138 EUR (first-year CAP / bac techno / bac pro, post-bac scholarship holders)
    and 50 EUR (3e prépa-métiers), seed 000 « Montants de l'aide ». 2023-2024: 151 / 54 EUR
    and 308 EUR per CPGE competition, seed 001 arrêté 2023-087 annexe I §§ 2-3. 2022-2023
    (142 / 51 / 290) is not in the seeds: it is deduced as the only whole-euro rates that the
    arrêté's +6.31 % turns into 151 / 54 / 308 (`deduit` is True).
    """
    lignes = [r for r in read_csv(DONNEES, "forfaits.csv") if r["annee_scolaire"] == annee_scolaire]
    if not lignes:
        connues = {r["annee_scolaire"]: None for r in read_csv(DONNEES, "forfaits.csv")}
        raise ValueError(_annee_inconnue(annee_scolaire, connues))
    montants = {r["aide"]: Decimal(r["montant"]) for r in lignes}
    return Forfaits(
        annee_scolaire=annee_scolaire,
        standard=montants["standard"],
        prepa_metiers=montants["prepa_metiers"],
        cpge_concours=montants.get("cpge_concours"),
        acte=lignes[0]["acte"],
        deduit=any(r["nature"] == "deduit" for r in lignes),
    )


def ipc(mois: str, serie: str = "001763862") -> Decimal:
    """Consumer price index value of a month (« AAAA-MM ») as published in an arrêté
    (`ipc.csv`; seed 001, arrêté 2023-087 annexe I § 1)."""
    for r in read_csv(DONNEES, "ipc.csv"):
        if r["serie"] == serie and r["mois"] == mois:
            return Decimal(r["valeur"])
    raise ValueError(f"indice des prix {serie} de {mois} absent des données de référence")


def evolution_indice(ipc_decembre_n_1: Decimal, ipc_decembre_n_2: Decimal) -> Decimal:
    """December-to-December index change in percent, rounded half up to 2 decimals.

    Seed 001, arrêté 2023-087 annexe I § 1: « ((114,18/107,4) - 1) * 100 = 6,31 % ».
    """
    if ipc_decembre_n_1 <= 0 or ipc_decembre_n_2 <= 0:
        raise ValueError("les indices des prix doivent être strictement positifs")
    return arrondi((ipc_decembre_n_1 / ipc_decembre_n_2 - 1) * 100)


def forfait_indexe(precedent: Decimal, evolution_pct: Decimal) -> Decimal:
    """Next year's rate: last year's x (1 + change %), rounded half up to the euro; a negative
    change keeps last year's rate (both seeds, « Montants de l'aide »: « En cas d'indice
    négatif, les montants de l'aide de l'année précédente seront reconduits »)."""
    if evolution_pct < 0:
        return precedent
    return arrondi(precedent * (1 + evolution_pct / 100), UN_EURO)


@dataclass(frozen=True)
class Indexation:
    """An indexation act: the index values it used and the change it published."""

    annee_scolaire: str
    acte: str
    date_acte: str
    annee_precedente: str
    ipc_decembre_n_1: Decimal
    ipc_decembre_n_2: Decimal
    evolution_pct_publiee: Decimal


def indexation(annee_scolaire: str) -> Indexation:
    """The act that indexed that year's rates (`indexations.csv`)."""
    for r in read_csv(DONNEES, "indexations.csv"):
        if r["annee_scolaire"] == annee_scolaire:
            return Indexation(
                annee_scolaire=annee_scolaire,
                acte=r["acte"],
                date_acte=r["date_acte"],
                annee_precedente=r["annee_precedente"],
                ipc_decembre_n_1=ipc(r["ipc_mois_n_1"]),
                ipc_decembre_n_2=ipc(r["ipc_mois_n_2"]),
                evolution_pct_publiee=Decimal(r["evolution_pct_publiee"]),
            )
    raise ValueError(f"aucun arrêté d'indexation connu pour l'année scolaire {annee_scolaire}")


# --- allocation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LigneEffectif:
    """A formation's first-year enrolment at the n-1 school start (rectorats' stabilised
    figures), and how many of them are apprentices or on contrat de professionnalisation."""

    code_diplome: str
    effectif: int
    apprentis: int = 0


@dataclass(frozen=True)
class LigneDotation:
    code_diplome: str
    eligible: bool
    hors_liste: bool
    enveloppe: Enveloppe | None
    effectif_retenu: int
    motif: MotifLigne | None


@dataclass(frozen=True)
class MontantEnveloppe:
    brut: Decimal
    reliquat: Decimal
    dotation: Decimal


@dataclass(frozen=True)
class Dotation:
    annee_scolaire: str
    version_regle: str
    forfaits: Forfaits
    lignes: tuple[LigneDotation, ...]
    effectif_prepa_metiers: int
    effectif_pre_bac_hors_prepa_metiers: int
    effectif_post_bac: int
    boursiers_post_bac: int
    enveloppes: Mapping[Enveloppe, MontantEnveloppe]
    total: Decimal
    motifs: tuple[MotifDotation, ...]


def effectif_retenu(effectif: int, apprentis: int) -> int:
    """Pupils counted: apprentices and contrat-pro pupils are not (seed 001, « Les
    bénéficiaires »: « Le dispositif n'est pas applicable aux élèves en contrat
    d'apprentissage ou de professionnalisation »). Applied to every school year: seed 000's
    beneficiaries are likewise « élèves » of first year."""
    if effectif < 0 or apprentis < 0:
        raise ValueError("les effectifs ne peuvent pas être négatifs")
    if apprentis > effectif:
        raise ValueError(f"apprentis ({apprentis}) dépasse effectif ({effectif})")
    return effectif - apprentis


def nombre_boursiers(effectif_post_bac: int, taux_boursiers: Decimal) -> int:
    """Post-bac scholarship holders: the school's eligible post-bac enrolment x the
    scholarship rate, rounded half up to a whole pupil (both seeds, « Modalités de calcul »,
    note 1: « application d'un taux de boursiers »; the rounding is the issue's reading)."""
    if not ZERO <= taux_boursiers <= 1:
        raise ValueError(f"taux de boursiers {taux_boursiers} hors de [0, 1]")
    return int(arrondi(effectif_post_bac * taux_boursiers, UN_EURO))


def dotation_enveloppe(brut: Decimal, reliquat: Decimal) -> Decimal:
    """Gross amount minus that envelope's leftovers, never below zero (both seeds: « ceux-ci
    sont déduits du montant de leur dotation. Pour ceux dont les reliquats sont supérieurs à
    la dotation calculée, aucune dotation n'est versée »)."""
    return max(ZERO, brut - reliquat)


def calculer_dotation(
    annee_scolaire: str,
    *,
    a_repondu_enquete: bool,
    effectifs: Sequence[LigneEffectif],
    taux_boursiers_post_bac: Decimal,
    reliquats: Mapping[Enveloppe, Decimal],
) -> Dotation:
    """A school's initial allocation for a school year.

    Both seeds, « Modalités de calcul et d'attribution de la dotation »: 3e prépa-métiers x
    their rate, other pre-bac first-year pupils x the standard rate (envelope `pre_bac`);
    post-bac scholarship holders x the standard rate (envelope `post_bac`). Each envelope's
    leftovers are deducted from that envelope only, never below zero (the envelopes are not
    fungible, « Modalités de mise en œuvre »). A school that did not answer the regional
    surveys gets nothing (« considérés comme disposant de reliquats suffisants »).
    """
    version = version_regle(annee_scolaire)
    taux = forfaits(annee_scolaire)
    lignes: list[LigneDotation] = []
    prepa = pre_bac = post_bac = 0
    for ligne in effectifs:
        q = qualifier_formation(ligne.code_diplome, annee_scolaire)
        retenu = effectif_retenu(ligne.effectif, ligne.apprentis) if q.eligible else 0
        enveloppe = q.niveau if q.eligible else None
        if enveloppe is Enveloppe.POST_BAC:
            post_bac += retenu
        elif q.prepa_metiers:
            prepa += retenu
        elif enveloppe is Enveloppe.PRE_BAC:
            pre_bac += retenu
        lignes.append(
            LigneDotation(
                code_diplome=ligne.code_diplome,
                eligible=q.eligible,
                hors_liste=q.hors_liste,
                enveloppe=enveloppe,
                effectif_retenu=retenu,
                motif=q.motif,
            )
        )
    boursiers = nombre_boursiers(post_bac, taux_boursiers_post_bac)
    bruts = {
        Enveloppe.PRE_BAC: prepa * taux.prepa_metiers + pre_bac * taux.standard,
        Enveloppe.POST_BAC: boursiers * taux.standard,
    }
    motifs: list[MotifDotation] = []
    if any(ligne.hors_liste for ligne in lignes):
        motifs.append(MotifDotation.FORMATIONS_HORS_LISTE)
    if not a_repondu_enquete:
        motifs.append(MotifDotation.ENQUETE_NON_REPONDUE)
    enveloppes: dict[Enveloppe, MontantEnveloppe] = {}
    for env, brut in bruts.items():
        reliquat = reliquats.get(env, ZERO)
        if reliquat < 0:
            raise ValueError(f"le reliquat {env.value} ({reliquat}) ne peut pas être négatif")
        montant = dotation_enveloppe(brut, reliquat) if a_repondu_enquete else ZERO
        if a_repondu_enquete and reliquat > 0 and montant == 0:
            motifs.append(
                MotifDotation.RELIQUAT_COUVRE_PRE_BAC
                if env is Enveloppe.PRE_BAC
                else MotifDotation.RELIQUAT_COUVRE_POST_BAC
            )
        enveloppes[env] = MontantEnveloppe(
            brut=arrondi(brut), reliquat=arrondi(reliquat), dotation=arrondi(montant)
        )
    return Dotation(
        annee_scolaire=annee_scolaire,
        version_regle=version,
        forfaits=taux,
        lignes=tuple(lignes),
        effectif_prepa_metiers=prepa,
        effectif_pre_bac_hors_prepa_metiers=pre_bac,
        effectif_post_bac=post_bac,
        boursiers_post_bac=boursiers,
        enveloppes=enveloppes,
        total=arrondi(sum((e.dotation for e in enveloppes.values()), ZERO)),
        motifs=tuple(motifs),
    )


# --- CPGE competition fees ----------------------------------------------------------------


@dataclass(frozen=True)
class ParametresCpge:
    annee_scolaire: str
    annee_cpge: int
    forfait_par_concours: Decimal
    nombre_max_concours: int
    plafond_quotient_familial: Decimal
    acte: str


@cache
def annees_cpge() -> tuple[str, ...]:
    return tuple(r["annee_scolaire"] for r in read_csv(DONNEES, "cpge.csv"))


def parametres_cpge(annee_scolaire: str) -> ParametresCpge:
    """CPGE competition-fee aid parameters (`cpge.csv`, rate from `forfaits.csv`)."""
    for r in read_csv(DONNEES, "cpge.csv"):
        if r["annee_scolaire"] == annee_scolaire:
            forfait = forfaits(annee_scolaire).cpge_concours
            if forfait is None:  # pragma: no cover - data consistency, checked by a test
                raise ValueError(f"pas de forfait CPGE pour {annee_scolaire}")
            return ParametresCpge(
                annee_scolaire=annee_scolaire,
                annee_cpge=int(r["annee_cpge"]),
                forfait_par_concours=forfait,
                nombre_max_concours=int(r["nombre_max_concours"]),
                plafond_quotient_familial=Decimal(r["plafond_quotient_familial"]),
                acte=r["acte"],
            )
    raise ValueError(_annee_inconnue(annee_scolaire, dict.fromkeys(annees_cpge())))


@dataclass(frozen=True)
class AideCpge:
    eligible: bool
    forfait_par_concours: Decimal
    concours_retenus: int
    montant: Decimal
    motifs: tuple[MotifCpge, ...]


def aide_frais_concours(
    annee_scolaire: str, *, annee_cpge: int, quotient_familial: Decimal, nombre_concours: int
) -> AideCpge:
    """Aid to CPGE competition fees: 308 EUR per competition, at most three, for a pupil in
    2nd year of CPGE whose annual regional family quotient is at most 10 140 EUR (included).

    Seed 001, arrêté 2023-087 annexe I § 3. The quotient is computed elsewhere (the text's
    note 2 defining it is not in the seed) and passed in.
    """
    p = parametres_cpge(annee_scolaire)
    if nombre_concours < 0:
        raise ValueError(f"nombre_concours ({nombre_concours}) ne peut pas être négatif")
    motifs: list[MotifCpge] = []
    if annee_cpge != p.annee_cpge:
        motifs.append(MotifCpge.PAS_EN_DEUXIEME_ANNEE)
    if quotient_familial > p.plafond_quotient_familial:
        motifs.append(MotifCpge.QUOTIENT_FAMILIAL_SUPERIEUR_AU_PLAFOND)
    if nombre_concours == 0:
        motifs.append(MotifCpge.AUCUN_CONCOURS)
    eligible = not motifs
    retenus = min(nombre_concours, p.nombre_max_concours) if eligible else 0
    if eligible and nombre_concours > p.nombre_max_concours:
        motifs.append(MotifCpge.CONCOURS_PLAFONNES)
    return AideCpge(
        eligible=eligible,
        forfait_par_concours=p.forfait_par_concours,
        concours_retenus=retenus,
        montant=arrondi(retenus * p.forfait_par_concours),
        motifs=tuple(motifs),
    )


# --- equipment types and spending report --------------------------------------------------


@dataclass(frozen=True)
class TypeEquipement:
    code: str
    libelle: str
    exemples: str
    source: str


@cache
def types_equipement() -> Mapping[str, TypeEquipement]:
    """The four equipment types the aid may buy (both seeds, « Les types d'équipements »)."""
    return {
        r["code"]: TypeEquipement(
            code=r["code"], libelle=r["libelle"], exemples=r["exemples"], source=r["source"]
        )
        for r in read_csv(DONNEES, "types_equipement.csv")
    }


@dataclass(frozen=True)
class Depense:
    """A spending-report line: what was bought, from which envelope."""

    enveloppe: Enveloppe
    type_equipement: str
    montant: Decimal
    code_diplome: str | None = None
    nombre_eleves: int | None = None


class CodeAnomalieBilan(StrEnum):
    TYPE_EQUIPEMENT_INCONNU = "TYPE_EQUIPEMENT_INCONNU"
    MONTANT_NEGATIF = "MONTANT_NEGATIF"
    ENVELOPPE_DEPASSEE = "ENVELOPPE_DEPASSEE"


@dataclass(frozen=True)
class AnomalieBilan:
    code: CodeAnomalieBilan
    message: str
    ligne: int | None = None
    enveloppe: Enveloppe | None = None


@dataclass(frozen=True)
class ResultatBilan:
    ressources: Mapping[Enveloppe, Decimal]
    depenses: Mapping[Enveloppe, Decimal]
    reliquats: Mapping[Enveloppe, Decimal]
    anomalies: tuple[AnomalieBilan, ...]

    @property
    def valide(self) -> bool:
        return not self.anomalies


def verifier_bilan(
    *,
    dotations_recues: Mapping[Enveloppe, Decimal],
    reliquats_anterieurs: Mapping[Enveloppe, Decimal],
    depenses: Sequence[Depense],
) -> ResultatBilan:
    """Check a school's end-of-year spending report and compute next year's leftovers.

    Both seeds, « Compte rendu d'utilisation des dotations » (allocations received, prior
    leftovers, spending by formation, pupils helped, equipment types), « Les types
    d'équipements » (only the four listed types) and « Modalités de mise en œuvre » (pre-bac
    and post-bac are not fungible: an envelope may not be overspent with the other's money).
    Leftovers per envelope = allocation received + last year's leftovers − spending, never
    below zero.
    """
    types = types_equipement()
    anomalies: list[AnomalieBilan] = []
    depense = dict.fromkeys(Enveloppe, ZERO)
    for i, d in enumerate(depenses):
        if d.type_equipement not in types:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.TYPE_EQUIPEMENT_INCONNU,
                    message=(
                        f"depenses[{i}].type_equipement « {d.type_equipement} » n'est pas un "
                        f"type d'équipement de l'aide ({', '.join(types)})"
                    ),
                    ligne=i,
                    enveloppe=d.enveloppe,
                )
            )
        if d.montant < 0:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.MONTANT_NEGATIF,
                    message=f"depenses[{i}].montant « {d.montant} » ne peut pas être négatif",
                    ligne=i,
                    enveloppe=d.enveloppe,
                )
            )
        depense[d.enveloppe] += d.montant
    ressources = {
        env: dotations_recues.get(env, ZERO) + reliquats_anterieurs.get(env, ZERO)
        for env in Enveloppe
    }
    for env in Enveloppe:
        if depense[env] > ressources[env]:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.ENVELOPPE_DEPASSEE,
                    message=(
                        f"dépenses {env.value} ({arrondi(depense[env])} EUR) supérieures aux "
                        f"crédits {env.value} ({arrondi(ressources[env])} EUR) : les "
                        "enveloppes pré-bac et post-bac ne sont pas fongibles"
                    ),
                    enveloppe=env,
                )
            )
    return ResultatBilan(
        ressources={env: arrondi(v) for env, v in ressources.items()},
        depenses={env: arrondi(v) for env, v in depense.items()},
        reliquats={env: arrondi(max(ZERO, ressources[env] - depense[env])) for env in Enveloppe},
        anomalies=tuple(anomalies),
    )
