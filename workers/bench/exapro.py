"""Generated EXAPRO files for `guichet exapro bench` (and tests): valid, varied BCP candidates
(session 2024), invented people, as CSV or XML."""

import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from rules.exapro import CHAMPS_CANDIDAT, CHAMPS_ENTETE

_NOMS = ["MARTIN", "BERNARD", "N'DIAYE", "LEFÈVRE", "DA SILVA", "MOREAU--LEROY", "GARÇON"]
_PRENOMS = ["Léa", "Noah", "Inès", "Jean-Baptiste", "Zoé", "Mathéo", "Chloé", "Yanis"]
_SERIES_BCP = ["25510", "31213", "31214", "33003", "22106", "25214", "34403", "33604"]
_COMMUNES = [("075", "75056", "75011", "PARIS"), ("069", "69123", "69003", "LYON")]


def lignes_bench(n: int, *, graine: int = 2024) -> Iterator[dict[str, str]]:
    """`n` valid, varied BCP candidates (session 2024), as CSV field name -> value."""
    alea = random.Random(graine)
    for i in range(n):
        departement, insee, code_postal, ville = _COMMUNES[i % len(_COMMUNES)]
        euro = i % 7 == 0
        yield {
            "civilite": "F" if i % 2 else "M",
            "nom_famille": alea.choice(_NOMS),
            "nom_usage": "",
            "prenoms": alea.choice(_PRENOMS),
            "INE": f"{i % 1_000_000_000:09d}{'AB'[i % 2]}{'CD'[i % 2]}",
            "pays_naissance": "100",
            "date_naissance": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2005 + i % 3}",
            "depCOM_naissance": departement,
            "commune_naissance": insee,
            "nationalite": "100",
            "pays": "100",
            "adresse_1": f"{1 + i % 150} rue de la République",
            "adresse_2": "Bâtiment B" if i % 5 == 0 else "",
            "adresse_3": "",
            "adresse_4": "",
            "code_postal": code_postal,
            "localite": ville,
            "telephone": "",
            "telephone_mobile": f"+336{i % 100_000_000:08d}",
            "adresse_mail": f"eleve{i}@lycee-exemple.ac-paris.fr",
            "categ_socio_pro": ["38", "47", "54", "62", "84"][i % 5],
            "etablissement": "0750001A",
            "division_classe": f"TBP{i % 4}",
            "serie": _SERIES_BCP[i % len(_SERIES_BCP)],
            "enseignement": "EURO" if euro else "",
            "categorie": "132",
            "langue_section_euro": "EUROANG" if euro else "",
        }


def colonnes_bench() -> list[str]:
    return [c.csv for c in CHAMPS_CANDIDAT]


def generer_csv(chemin: Path, n: int) -> None:
    colonnes = colonnes_bench()
    with chemin.open("w", encoding="utf-8", newline="") as sortie:
        sortie.write(";".join(colonnes) + "\r\n")
        for ligne in lignes_bench(n):
            sortie.write(";".join(ligne[c] for c in colonnes) + "\r\n")


def generer_xml(chemin: Path, n: int) -> None:
    noms = {c.csv: c.xml for c in CHAMPS_CANDIDAT}
    with chemin.open("w", encoding="utf-8") as sortie:
        sortie.write('<?xml version="1.0" encoding="UTF-8"?>\n<cyclades>\n  <entete>\n')
        entete = {
            "Version": "1.0",
            "annee_session": "2024",
            "date_heure_export": "15/01/2024 10:30",
        }
        for description in CHAMPS_ENTETE:
            balise = description.xml
            sortie.write(f"    <{balise}>{entete[description.csv]}</{balise}>\n")
        sortie.write("  </entete>\n")
        for ligne in lignes_bench(n):
            sortie.write("  <candidat>")
            for nom_csv, valeur in ligne.items():
                if valeur:
                    sortie.write(f"<{noms[nom_csv]}>{escape(valeur)}</{noms[nom_csv]}>")
            sortie.write("</candidat>\n")
        sortie.write("</cyclades>\n")
