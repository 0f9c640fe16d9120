"""What every ARE rule shares: the rule versions, the envelopes, the reasons a line, an
allocation or a CPGE aid is refused or flagged, rounding, school years and school codes."""

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

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
