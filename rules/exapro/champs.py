"""The field table of « Descriptif des données » (seed 002): the exams, the fields in their
order with their CSV and XML names, the columns every row must fill; `Erreur`, what every
check returns."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Examen(StrEnum):
    """The exams (« domaines ») of the data description."""

    BCP = "BCP"
    BP = "BP"
    MC3 = "MC3"
    MC4 = "MC4"
    CAP = "CAP"
    ARI = "ARI"


LIBELLES_EXAMEN: Mapping[Examen, str] = {
    Examen.BCP: "baccalauréat professionnel",
    Examen.BP: "brevet professionnel",
    Examen.MC3: "mention complémentaire de niveau 3",
    Examen.MC4: "mention complémentaire de niveau 4",
    Examen.CAP: "certificat d'aptitude professionnelle",
    Examen.ARI: "attestation de réussite intermédiaire (1re professionnelle)",
}

FRANCE = "100"
AUTRE_PAYS = "AUT"
NOM_FICHIER = "nom_fichier"
"""`champ` of the errors on the file name (the name is not a field of the table)."""
LIGNE_ENTIERE = ""
"""`champ` of an error on a whole CSV line (wrong number of fields)."""


@dataclass(frozen=True, slots=True)
class Erreur:
    ligne: int
    champ: str
    valeur: str
    message: str
    regle: str

    def en_dict(self) -> dict[str, str | int]:
        return {
            "ligne": self.ligne,
            "champ": self.champ,
            "valeur": self.valeur,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Champ:
    """One row of the field table (section « Descriptif des données »)."""

    csv: str
    xml: str
    libelle: str
    obligatoire: str
    taille: str


# Section « Descriptif des données »: the table, in its order (XML name is the last part of
# « cyclades.entete.* » / « cyclades.candidat.* »).
CHAMPS_ENTETE: tuple[Champ, ...] = (
    Champ("Version", "version", "Version", "en XML oui, en CSV non", "3"),
    Champ(
        "annee_session",
        "annee_session",
        "Année de session",
        "en XML oui, en CSV non",
        "4 (BCP, ARI) ou 7 (BP, MC, CAP)",
    ),
    Champ(
        "date_heure_export",
        "date_heure_export",
        "Date-heure d'export",
        "en XML oui, en CSV non",
        "16",
    ),
)
CHAMPS_CANDIDAT: tuple[Champ, ...] = (
    Champ("civilite", "civilite", "Civilité", "oui", "1"),
    Champ("nom_famille", "nom_famille", "Nom de famille", "oui", "100"),
    Champ("nom_usage", "nom_usage", "Nom d'usage", "non", "100"),
    Champ("prenoms", "prenoms", "Prénoms", "oui", "40"),
    Champ("INE", "ine", "INE", "non (oui si contrôle INE pour un scolaire)", "11"),
    Champ("pays_naissance", "pays_naissance", "Pays de naissance", "oui", "3"),
    Champ("date_naissance", "date_naissance", "Date de naissance", "oui", "10"),
    Champ(
        "depCOM_naissance",
        "depCOM_naissance",
        "Département, DOM ou COM de naissance",
        "si né en France",
        "3",
    ),
    Champ(
        "commune_naissance",
        "commune_naissance",
        "Commune de naissance",
        "oui",
        "5 (Insee) ou 50 (étranger)",
    ),
    Champ("nationalite", "nationalite", "Nationalité", "oui", "3"),
    Champ("pays", "pays", "Pays de résidence", "oui", "3"),
    Champ("adresse_1", "adresse_1", "Adresse ligne 1", "oui", "38"),
    Champ("adresse_2", "adresse_2", "Adresse ligne 2", "non", "38"),
    Champ("adresse_3", "adresse_3", "Adresse ligne 3", "non", "38"),
    Champ("adresse_4", "adresse_4", "Adresse ligne 4", "non", "38"),
    Champ("code_postal", "code_postal", "Code postal", "si réside en France", "5 ou 10"),
    Champ("localite", "localite", "Localité", "oui", "50"),
    Champ("telephone", "telephone", "Téléphone personnel", "non", "25"),
    Champ("telephone_mobile", "telephone_mobile", "Téléphone mobile", "oui", "25"),
    Champ("adresse_mail", "adresse_mail", "Adresse mail", "oui", "100"),
    Champ(
        "categ_socio_pro",
        "categ_socio_pro",
        "Catégorie socio-professionnelle d'un représentant légal",
        "oui pour le BCP",
        "2",
    ),
    Champ("etablissement", "etablissement", "Numéro de l'établissement du candidat", "oui", "8"),
    Champ("division_classe", "division_classe", "Division de classe", "non", "8"),
    Champ("serie", "serie", "Spécialité", "oui", "5"),
    Champ("enseignement", "enseignement", "Enseignement", "non", ""),
    Champ("categorie", "categorie", "Catégorie du candidat", "oui", "3"),
    Champ(
        "langue_section_euro",
        "langue_section_euro",
        "Langue de la section européenne",
        "BCP avec enseignement EURO",
        "",
    ),
)
CHAMPS: tuple[Champ, ...] = CHAMPS_ENTETE + CHAMPS_CANDIDAT
NOMS_CSV: tuple[str, ...] = tuple(c.csv for c in CHAMPS)
CSV_PAR_XML_ENTETE: Mapping[str, str] = {c.xml: c.csv for c in CHAMPS_ENTETE}
CSV_PAR_XML_CANDIDAT: Mapping[str, str] = {c.xml: c.csv for c in CHAMPS_CANDIDAT}
_LIBELLES: Mapping[str, str] = {c.csv: c.libelle for c in CHAMPS} | {NOM_FICHIER: "Nom du fichier"}

_OBLIGATOIRES_TOUJOURS = (
    "civilite",
    "nom_famille",
    "prenoms",
    "pays_naissance",
    "date_naissance",
    "commune_naissance",
    "nationalite",
    "pays",
    "adresse_1",
    "localite",
    "telephone_mobile",
    "adresse_mail",
    "etablissement",
    "serie",
    "categorie",
)


def colonnes_obligatoires(examen: Examen) -> tuple[str, ...]:
    """CSV fields every row must fill, whatever its other values (section « Descriptif des
    données », column « Obligatoire »: « oui », and « Oui pour BCP » for `categ_socio_pro`)."""
    if examen is Examen.BCP:
        return (*_OBLIGATOIRES_TOUJOURS, "categ_socio_pro")
    return _OBLIGATOIRES_TOUJOURS
