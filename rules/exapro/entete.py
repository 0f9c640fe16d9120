"""A row's context and error collector, the XML `entete` block and the CSV header's columns."""

from collections.abc import Container, Mapping
from dataclasses import dataclass

from rules.exapro.champs import Erreur, Examen, colonnes_obligatoires
from rules.exapro.formats import (
    _libelle,
    _manquant,
    _sur_valeur,
    verifier_annee_session,
    verifier_date_heure,
    verifier_taille,
)

# --- context and rows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contexte:
    """What a row's checks need beyond the row itself.

    `annee_session`: the session of the file (from the XML `entete` or the file name), used
    when a CSV row has no `annee_session` of its own. `controle_ine`: the establishments have
    the « contrôle INE » set (or are public / private under contract of the Ministry, in
    France): the INE is then mandatory for school candidates.
    """

    examen: Examen
    annee_session: str | None = None
    controle_ine: bool = False


def _code_inconnu(champ: str, valeur: str, liste: str) -> str:
    return _sur_valeur(champ, valeur, f"code absent de {liste}.")


class _Ligne:
    """Collects a row's errors; `regle` identifies the rule broken."""

    __slots__ = ("erreurs", "ligne", "valeurs")

    def __init__(self, ligne: int, valeurs: Mapping[str, str]) -> None:
        self.ligne = ligne
        self.valeurs = valeurs
        self.erreurs: list[Erreur] = []

    def ajouter(self, champ: str, regle: str, message: str) -> None:
        self.erreurs.append(
            Erreur(self.ligne, champ, self.valeurs.get(champ) or "", message, regle)
        )

    def hors_liste(
        self, champ: str, valeur: str, codes: Container[str], regle: str, liste: str
    ) -> bool:
        """Report `valeur` if it is not one of `codes` (the reference `liste`); True if so."""
        if valeur in codes:
            return False
        self.ajouter(champ, regle, _code_inconnu(champ, valeur, liste))
        return True

    def ajouter_toutes(self, champ: str, erreurs: list[tuple[str, str]]) -> None:
        for regle, message in erreurs:
            self.ajouter(champ, regle, message)

    def taille(self, champ: str, valeur: str, maximum: int) -> None:
        for message in verifier_taille(champ, valeur, maximum):
            self.ajouter(champ, "taille", message)


def _verifier_entete(
    sortie: _Ligne, valeurs: Mapping[str, str], ctx: Contexte, *, obligatoire: bool
) -> None:
    version = valeurs.get("Version") or ""
    if version:
        if version != "1.0":
            sortie.ajouter(
                "Version",
                "version.valeur",
                _sur_valeur("Version", version, "la valeur attendue est 1.0."),
            )
    elif obligatoire:
        sortie.ajouter("Version", "obligatoire", _manquant("Version", "dans l'entête XML"))
    session = valeurs.get("annee_session") or ""
    if session:
        erreurs = verifier_annee_session(ctx.examen, "annee_session", session)
        sortie.ajouter_toutes("annee_session", erreurs)
        if not erreurs and ctx.annee_session is not None and session != ctx.annee_session:
            sortie.ajouter(
                "annee_session",
                "annee_session.incoherente",
                _sur_valeur(
                    "annee_session",
                    session,
                    f"ne correspond pas à l'année de session du fichier ({ctx.annee_session}).",
                ),
            )
    elif obligatoire:
        sortie.ajouter(
            "annee_session", "obligatoire", _manquant("annee_session", "dans l'entête XML")
        )
    export = valeurs.get("date_heure_export") or ""
    if export:
        sortie.ajouter_toutes("date_heure_export", verifier_date_heure("date_heure_export", export))
    elif obligatoire:
        sortie.ajouter(
            "date_heure_export",
            "obligatoire",
            _manquant("date_heure_export", "dans l'entête XML"),
        )


def valider_entete(valeurs: Mapping[str, str], ctx: Contexte, ligne: int = 0) -> list[Erreur]:
    """The XML `entete` block: « Version », « Année de session », « Date-heure d'export »
    are mandatory in XML (« En Xml : oui En CSV : non »). Version = 1.0; session AAAA (BCP,
    ARI) or AAAA-MM (BP, MC, CAP); export JJ/MM/AAAA HH:mm. Choice: a session different from
    the one of the file name is an error (`annee_session.incoherente`)."""
    sortie = _Ligne(ligne, valeurs)
    _verifier_entete(sortie, valeurs, ctx, obligatoire=True)
    return sortie.erreurs


def valider_colonnes(colonnes: frozenset[str], ctx: Contexte, ligne: int = 1) -> list[Erreur]:
    """CSV header: a column for each field that every row must fill (column « Obligatoire »
    = « oui », `categ_socio_pro` for the BCP). Choice: a missing mandatory column is reported
    once, on the header line, and not again on every row."""
    return [
        Erreur(
            ligne,
            champ,
            "",
            f"{_libelle(champ)} : colonne obligatoire absente de l'en-tête du fichier.",
            "colonne.absente",
        )
        for champ in colonnes_obligatoires(ctx.examen)
        if champ not in colonnes
    ]


def _rempli(s: _Ligne, champ: str, *, toujours: bool, condition: str = "") -> str | None:
    """The field's value when filled, else None after reporting it when it is mandatory.

    `toujours`: mandatory whatever the row (a CSV file without the column had it reported
    once on its header, so the row does not repeat it); `condition`: mandatory on this row
    because of another field, said in the message."""
    valeur = s.valeurs.get(champ)
    if valeur:
        return valeur
    exige = valeur is not None if toujours else bool(condition)
    if exige:
        s.ajouter(champ, "obligatoire", _manquant(champ, condition))
    return None
