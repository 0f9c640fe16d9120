"""EXAPRO generic candidate import (Cyclades): file name, field and row validation.

Source: `shared/seeds/002_2091265ecbf7751f.txt`, « Description des données de l'import
générique des candidatures pour les domaines EXAPRO », version 1.7 of 29/09/2023 (BCP, BP,
MC3, MC4, CAP, ARI). Sections cited in the modules:

- « Descriptif des données »: the file name (`nom_fichier`) and the field table (mandatory
  flag, size, format, XML and CSV names: `champs`, `formats`) with its code lists
  (socio-professional categories, teaching options, candidate categories, European-section
  languages: `referentiel`);
- « Liste des départements/COM français du COG », « Liste des pays du COG »;
- « Liste des codes spécialités » (« Valeurs possibles pour le BCP / BP / MC3 / MC4 / ARI /
  CAP », with the sessions they open or close).

The modules, in the order a file is checked: `champs` (the table), `referentiel` (the code
lists), `formats` (messages, character sets, value formats), `nom_fichier`, `entete` (a row's
context, the XML header, the CSV header's columns), `candidat` (every check on one row);
`lecture` reads CSV and XML files as a stream of blocks and validates them.

Pure: no I/O but the packaged reference data (`rules/data/exapro/`), no clock. Every check
returns errors `Erreur(ligne, champ, valeur, message, regle)`: `champ` is the CSV field name
of the table, `message` is French and names the field, the value and the rule, `regle` is a
stable identifier of the rule (for tests and statistics, not shown to users).
Interpretations chosen where the text is silent are marked « Choice » and listed in
`docs/exapro.md`.
"""

from rules.exapro.candidat import valider_candidat
from rules.exapro.champs import (
    AUTRE_PAYS,
    CHAMPS,
    CHAMPS_CANDIDAT,
    CHAMPS_ENTETE,
    CSV_PAR_XML_CANDIDAT,
    CSV_PAR_XML_ENTETE,
    FRANCE,
    LIBELLES_EXAMEN,
    LIGNE_ENTIERE,
    NOM_FICHIER,
    NOMS_CSV,
    Champ,
    Erreur,
    Examen,
    colonnes_obligatoires,
)
from rules.exapro.entete import Contexte, valider_colonnes, valider_entete
from rules.exapro.formats import (
    format_session,
    lire_date,
    session_valide,
    verifier_annee_session,
    verifier_date,
    verifier_date_heure,
    verifier_nom,
    verifier_taille,
)
from rules.exapro.nom_fichier import (
    NomFichier,
    decouper_nom_fichier,
    examen_du_nom_fichier,
    valider_nom_fichier,
)
from rules.exapro.referentiel import Referentiel, Specialite, referentiel

__all__ = [
    "AUTRE_PAYS",
    "CHAMPS",
    "CHAMPS_CANDIDAT",
    "CHAMPS_ENTETE",
    "CSV_PAR_XML_CANDIDAT",
    "CSV_PAR_XML_ENTETE",
    "FRANCE",
    "LIBELLES_EXAMEN",
    "LIGNE_ENTIERE",
    "NOMS_CSV",
    "NOM_FICHIER",
    "Champ",
    "Contexte",
    "Erreur",
    "Examen",
    "NomFichier",
    "Referentiel",
    "Specialite",
    "colonnes_obligatoires",
    "decouper_nom_fichier",
    "examen_du_nom_fichier",
    "format_session",
    "lire_date",
    "referentiel",
    "session_valide",
    "valider_candidat",
    "valider_colonnes",
    "valider_entete",
    "valider_nom_fichier",
    "verifier_annee_session",
    "verifier_date",
    "verifier_date_heure",
    "verifier_nom",
    "verifier_taille",
]
