"""The regulation texts the service implements, by title: how a person cites them.

One row per source document of `shared/seeds/` (its README is the index). Docstrings and docs
cite the file name (developers find the file); what staff read (the console, the API's
descriptions) cites the text by its title and section, through `reference`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Texte:
    numero: str
    """The seed's number, `000` to `004`."""
    fichier: str
    """The file in `shared/seeds/`."""
    titre: str
    """The title as the text gives it (shortened where it is a sentence)."""
    emetteur: str


TEXTES: dict[str, Texte] = {
    t.numero: t
    for t in (
        Texte(
            "000",
            "000_1a6800f97ad826db.txt",
            "Règlement d'intervention du dispositif d'aide régionale à l'équipement "
            "(année scolaire 2021-2022)",
            "Région Île-de-France",
        ),
        Texte(
            "001",
            "001_d4a38141b0b7da2a.txt",
            "Aide régionale à l'équipement des élèves, modalités d'application pour l'année "
            "scolaire 2023-2024",
            "Région Île-de-France",
        ),
        Texte(
            "002",
            "002_2091265ecbf7751f.txt",
            "Description des données de l'import générique des candidatures pour les domaines "
            "EXAPRO (version 1.7)",
            "Ministère de l'Éducation nationale",
        ),
        Texte(
            "003",
            "003_78a5ddbbdc7b9add.txt",
            "Règlement d'intervention de l'aide au contrat de professionnalisation",
            "Région Pays de la Loire",
        ),
        Texte(
            "004",
            "004_022d0843bed3b39c.txt",
            "Circulaire DGEFP n° 2011-02 du 12 janvier 2011 relative au contrat unique "
            "d'insertion en outre-mer",
            "Ministère du Travail, de l'Emploi et de la Santé",
        ),
    )
}


def reference(numero: str, section: str | None = None) -> str:
    """« <title>, <section> », e.g. `reference("003", "section 2")` → « Règlement
    d'intervention de l'aide au contrat de professionnalisation, section 2 ». An unknown
    number is a programming error (KeyError)."""
    titre = TEXTES[numero].titre
    return f"{titre}, {section}" if section else titre
