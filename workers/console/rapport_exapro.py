"""The EXAPRO import page's report: the stored report of an import (`rapports/<import>.json`,
written by `activities.exapro` under the worker's storage directory `<data_dir>/exapro`) read
back for the page: the file, the exam, the counts, the rejected lines filterable by field.

The workflow's state holds the counts and the report's path; the rejected lines exist only in
the report. A report that cannot be read (another machine, purged) leaves the counts, and the
page says why."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import libelles, textes
from models.exapro import EtatImportExapro
from rules.exapro.champs import CHAMPS

LIGNES_AFFICHEES = 500
LIBELLES_CHAMPS = {c.csv: c.libelle for c in CHAMPS} | {"nom_fichier": "Nom du fichier"}


@dataclass(frozen=True)
class Rejet:
    ligne: int
    champ: str
    libelle_champ: str
    valeur: str
    message: str


@dataclass
class VueImport:
    faits: list[tuple[str, str]] = field(default_factory=list)
    comptes: list[tuple[str, int]] = field(default_factory=list)
    rejets: list[Rejet] = field(default_factory=list)
    total_rejets: int = 0
    champs: list[tuple[str, str]] = field(default_factory=list)
    """(field, label) of every field with an error, for the filter."""
    champ: str = ""
    rapport_lisible: bool = False
    note: str | None = None
    source: str = textes.reference("002", "« Descriptif des données »")


def chemin_rapport(stockage: Path, etat: EtatImportExapro) -> Path | None:
    """The report's file, only inside the storage directory."""
    if not etat.rapport:
        return None
    racine = (stockage / "exapro").resolve()
    chemin = (racine / etat.rapport).resolve()
    return chemin if chemin.is_relative_to(racine) else None


def _rapport(chemin: Path | None) -> dict[str, Any] | str:
    if chemin is None:
        return "le rapport n'est pas encore écrit"
    try:
        contenu: dict[str, Any] = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "le rapport n'est pas lisible depuis ce serveur (lignes rejetées absentes)"
    return contenu


def vue(etat: EtatImportExapro, stockage: Path, champ: str) -> VueImport:
    resultat = VueImport(champ=champ)
    depot, v = etat.depot, etat.validation
    if depot:
        resultat.faits += [
            ("Fichier", depot.nom_fichier),
            ("Établissement", depot.etablissement),
            ("Si des lignes sont en erreur", libelles.libelle_champ(depot.si_erreurs.value)),
            ("Contrôle de l'INE", "oui" if depot.controle_ine else "non"),
        ]
    if v:
        resultat.faits += [
            ("Examen", v.examen.value if v.examen else "—"),
            ("Format", (v.format or "—").upper()),
            ("Session", v.annee_session or "—"),
            ("SHA-256 du fichier", v.sha256 or "—"),
        ]
        if v.raison:
            resultat.faits.append(("Fichier illisible", v.raison))
        resultat.comptes = [
            ("Lignes de candidats", v.lignes),
            ("Lignes valides", v.lignes_valides),
            ("Erreurs", v.erreurs),
            ("Erreurs sur le fichier (nom, en-tête)", v.erreurs_fichier),
            ("Candidats publiés", etat.publies),
        ]
    if etat.motif:
        resultat.faits.append(("Issue", libelles.libelle_motif(etat.motif)))
    if etat.deja_publie_par:
        resultat.faits.append(("Contenu déjà publié par", etat.deja_publie_par))
    rapport = _rapport(chemin_rapport(stockage, etat))
    if isinstance(rapport, str):
        resultat.note = rapport
        return resultat
    resultat.rapport_lisible = True
    erreurs = [e for e in rapport.get("erreurs", []) if isinstance(e, dict)]
    resultat.champs = sorted(
        {(str(e.get("champ", "")), _libelle(str(e.get("champ", "")))) for e in erreurs},
        key=lambda c: c[1],
    )
    retenues = [e for e in erreurs if not champ or e.get("champ") == champ]
    resultat.total_rejets = len(retenues)
    resultat.rejets = [
        Rejet(
            ligne=int(e.get("ligne", 0)),
            champ=str(e.get("champ", "")),
            libelle_champ=_libelle(str(e.get("champ", ""))),
            valeur=str(e.get("valeur", "")),
            message=str(e.get("message", "")),
        )
        for e in retenues[:LIGNES_AFFICHEES]
    ]
    return resultat


def _libelle(champ: str) -> str:
    return LIBELLES_CHAMPS.get(champ, champ)
