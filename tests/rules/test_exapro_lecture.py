"""Reading EXAPRO CSV and XML files as streams, and validating whole files."""

import io
import tracemalloc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from rules.exapro import CHAMPS_CANDIDAT, Examen
from rules.exapro.lecture import (
    TAILLE_MAX_LIGNE,
    Bloc,
    LectureImpossible,
    lire,
    lire_csv,
    lire_xml,
    valider_flux,
)
from tests.factories import CANDIDAT_BCP, DONNEES_EXAPRO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

COLONNES = [c.csv for c in CHAMPS_CANDIDAT]
NOM_BCP = "BCP2024_1.0_2024_150120241030.csv"


def csv_texte(*lignes: dict[str, str], separateur: str = ";", fin: str = "\r\n") -> str:
    entete = separateur.join(COLONNES)
    corps = [separateur.join(ligne[c] for c in COLONNES) for ligne in lignes]
    return fin.join([entete, *corps]) + fin


def blocs_csv(donnees: bytes) -> list[Bloc]:
    return list(lire_csv(io.BytesIO(donnees)))


def candidats(blocs: list[Bloc]) -> list[Bloc]:
    return [b for b in blocs if b.nature == "candidat"]


def valider_octets(
    donnees: bytes, nom: str = NOM_BCP, examen: Examen = Examen.BCP
) -> list[tuple[int, str]]:
    rapport = valider_flux(io.BytesIO(donnees), nom, examen)
    return [(e.ligne, e.champ) for e in rapport.erreurs]


# --- sample files ---


@pytest.mark.parametrize(
    ("fichier", "examen", "lignes"),
    [
        ("BCP2024_1.0_2024_150120241030.csv", Examen.BCP, 9),
        ("BCP2024_1.0_2024_220120241645.xml", Examen.BCP, 3),
        ("BP2024_1.0_2024-06_160120240915.csv", Examen.BP, 5),
        ("MC42024_1.0_2024-06_170120241400.csv", Examen.MC4, 4),
        ("CAP2024_1.0_2024-06_180120240800.csv", Examen.CAP, 5),
        ("CAP2024_1.0_2024-06_180120240830.xml", Examen.CAP, 4),
        ("ARI2024_1.0_2024_190120241115.csv", Examen.ARI, 4),
    ],
)
def test_each_realistic_sample_file_validates_clean(
    fichier: str, examen: Examen, lignes: int
) -> None:
    with (DONNEES_EXAPRO / fichier).open("rb") as flux:
        rapport = valider_flux(flux, fichier, examen, controle_ine=True)
    assert rapport.erreurs == []
    assert rapport.lignes == rapport.lignes_valides == lignes


def test_the_bcp_file_seeded_with_one_error_per_rule_reports_exactly_those() -> None:
    nom = "BCP2024ERREURS_1.0_2024_150120241030.csv"
    with (DONNEES_EXAPRO / nom).open("rb") as flux:
        rapport = valider_flux(flux, nom, Examen.BCP, controle_ine=True)
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (1, "remarque", "colonne.inconnue"),
        (3, "nom_famille", "obligatoire"),
        (4, "prenoms", "taille"),
        (5, "civilite", "civilite.valeur"),
        (6, "nom_famille", "nom.caracteres"),
        (7, "nom_famille", "nom.debut"),
        (8, "prenoms", "nom.speciaux"),
        (9, "INE", "ine.format"),
        (10, "pays_naissance", "pays.code"),
        (11, "date_naissance", "date.format"),
        (12, "date_naissance", "date.reelle"),
        (13, "depCOM_naissance", "departement.code"),
        (14, "depCOM_naissance", "departement.format"),
        (15, "commune_naissance", "commune.insee"),
        (16, "commune_naissance", "commune.caracteres"),
        (17, "commune_naissance", "commune.numerique"),
        (18, "pays", "pays.aut_residence"),
        (19, "nationalite", "pays.code"),
        (20, "adresse_1", "adresse.caracteres"),
        (21, "code_postal", "code_postal.france"),
        (22, "code_postal", "code_postal.etranger"),
        (23, "telephone_mobile", "telephone.format"),
        (24, "adresse_mail", "mail.format"),
        (25, "categ_socio_pro", "csp.code"),
        (26, "etablissement", "etablissement.format"),
        (27, "division_classe", "division.caracteres"),
        (28, "serie", "serie.code"),
        (29, "serie", "serie.fermee"),
        (30, "enseignement", "enseignement.code"),
        (31, "categorie", "categorie.code"),
        (32, "langue_section_euro", "obligatoire"),
        (33, "langue_section_euro", "langue.code"),
        (34, "langue_section_euro", "langue.sans_euro"),
        (35, "Version", "version.valeur"),
        (36, "annee_session", "annee_session.format"),
        (37, "annee_session", "annee_session.incoherente"),
        (38, "date_heure_export", "date_heure.format"),
        (39, "date_heure_export", "date_heure.reelle"),
        (40, "depCOM_naissance", "obligatoire"),
        (41, "code_postal", "obligatoire"),
        (42, "categ_socio_pro", "obligatoire"),
        (43, "INE", "obligatoire"),
        (44, "", "ligne.nombre_champs"),
    ]
    assert rapport.lignes == 43
    assert rapport.lignes_valides == 1


def test_the_cap_file_seeded_with_one_error_per_rule_reports_exactly_those() -> None:
    nom = "CAP2023ERREURS_1.0_2023-06_050120230900.csv"
    with (DONNEES_EXAPRO / nom).open("rb") as flux:
        rapport = valider_flux(flux, nom, Examen.CAP)
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (3, "serie", "serie.pas_ouverte"),
        (4, "enseignement", "enseignement.specialite"),
        (5, "enseignement", "enseignement.code"),
        (6, "langue_section_euro", "langue.non_concerne"),
        (7, "annee_session", "annee_session.format"),
        (8, "categorie", "categorie.code"),
        (9, "categ_socio_pro", "csp.code"),
        (10, "serie", "serie.fermee"),
    ]
    assert (rapport.lignes, rapport.lignes_valides) == (9, 1)


def test_the_xml_file_seeded_with_errors_reports_them_by_candidate_position() -> None:
    nom = "CAP2024ERREURS_1.0_2024-06_180120240900.xml"
    with (DONNEES_EXAPRO / nom).open("rb") as flux:
        rapport = valider_flux(flux, nom, Examen.CAP)
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (0, "Version", "version.valeur"),
        (0, "annee_session", "obligatoire"),
        (0, "date_heure_export", "date_heure.format"),
        (2, "sexe", "element.inconnu"),
        (3, "nom_famille", "element.doublon"),
        (4, "prenoms", "obligatoire"),
        (5, "enseignement", "enseignement.specialite"),
        (0, "commentaire", "element.inconnu"),
    ]
    assert (rapport.lignes, rapport.lignes_valides) == (5, 1)


def test_a_bad_file_name_is_reported_but_the_rows_are_still_checked() -> None:
    rapport = valider_flux(
        io.BytesIO(csv_texte(CANDIDAT_BCP).encode()), "candidats.csv", Examen.BCP
    )
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (0, "nom_fichier", "nom_fichier.format")
    ]
    assert (rapport.lignes, rapport.lignes_valides) == (1, 1)


# --- CSV ---


def test_csv_header_is_line_one_and_rows_follow_with_their_file_line_numbers() -> None:
    donnees = csv_texte(CANDIDAT_BCP, CANDIDAT_BCP).encode()
    blocs = blocs_csv(donnees)
    assert [(b.nature, b.ligne) for b in blocs] == [
        ("colonnes", 1),
        ("candidat", 2),
        ("candidat", 3),
    ]
    assert blocs[1].valeurs == CANDIDAT_BCP


def test_csv_blank_lines_are_skipped_but_counted_in_line_numbers() -> None:
    vide = ";" * (len(COLONNES) - 1)
    texte = csv_texte(CANDIDAT_BCP).replace("\r\n", "\r\n\r\n" + vide + "\r\n", 1)
    texte += csv_texte(CANDIDAT_BCP).split("\r\n", 1)[1]
    assert [b.ligne for b in candidats(blocs_csv(texte.encode()))] == [4, 5]


def test_a_quoted_line_break_keeps_the_record_on_its_first_line() -> None:
    avec_saut = {**CANDIDAT_BCP, "adresse_2": '"Bâtiment C\nEscalier 2"'}
    texte = csv_texte(avec_saut, CANDIDAT_BCP, fin="\n")
    lus = candidats(blocs_csv(texte.encode()))
    assert [b.ligne for b in lus] == [2, 4]
    assert lus[0].valeurs is not None
    assert lus[0].valeurs["adresse_2"] == "Bâtiment C\nEscalier 2"


def test_a_comma_separator_is_detected_from_the_header() -> None:
    avec_virgule = {**CANDIDAT_BCP, "adresse_1": '"8, rue Stanislas"'}
    lus = candidats(blocs_csv(csv_texte(avec_virgule, separateur=",").encode()))
    assert lus[0].valeurs is not None
    assert lus[0].valeurs["adresse_1"] == "8, rue Stanislas"
    assert lus[0].valeurs["nom_famille"] == "PETITJEAN"


def test_a_utf8_bom_is_removed_from_the_first_column_name() -> None:
    lus = blocs_csv(b"\xef\xbb\xbf" + csv_texte(CANDIDAT_BCP).encode())
    assert lus[0].anomalies == ()
    assert lus[1].valeurs is not None
    assert lus[1].valeurs["civilite"] == "F"


def test_an_iso_8859_1_file_is_detected_and_decoded() -> None:
    accentue = {**CANDIDAT_BCP, "nom_famille": "LEFÈVRE", "localite": "NANCY"}
    donnees = csv_texte(CANDIDAT_BCP, accentue).encode("iso-8859-1")
    lus = candidats(blocs_csv(donnees))
    assert lus[1].valeurs is not None
    assert lus[1].valeurs["nom_famille"] == "LEFÈVRE"


def test_a_windows_1252_oe_ligature_and_apostrophe_are_decoded() -> None:
    donnees = csv_texte({**CANDIDAT_BCP, "nom_famille": "CŒUR", "adresse_2": "l’Étang"}).encode(
        "cp1252"
    )
    [lu] = candidats(blocs_csv(donnees))
    assert lu.valeurs is not None
    assert (lu.valeurs["nom_famille"], lu.valeurs["adresse_2"]) == ("CŒUR", "l’Étang")


def test_a_file_mixing_utf8_and_latin1_cannot_be_read() -> None:
    en_utf8 = csv_texte({**CANDIDAT_BCP, "nom_famille": "LÉA"}).encode()
    ligne_suivante = csv_texte(CANDIDAT_BCP).split("\r\n", 1)[1].replace("NANCY", "NÎMES")
    donnees = en_utf8 + ligne_suivante.encode("latin-1")
    with pytest.raises(LectureImpossible, match=r"ligne 3 .*UTF-8"):
        blocs_csv(donnees)


def test_utf16_is_refused() -> None:
    with pytest.raises(LectureImpossible, match="UTF-16"):
        blocs_csv(csv_texte(CANDIDAT_BCP).encode("utf-16"))


def test_an_empty_file_cannot_be_read() -> None:
    with pytest.raises(LectureImpossible, match="vide"):
        blocs_csv(b"")
    with pytest.raises(LectureImpossible, match="vide"):
        lire(io.BytesIO(b" \r\n"))


def test_a_csv_without_a_header_of_field_names_cannot_be_read() -> None:
    sans_entete = csv_texte(CANDIDAT_BCP).split("\r\n", 1)[1]
    with pytest.raises(LectureImpossible, match="aucun nom de champ"):
        blocs_csv(sans_entete.encode())
    with pytest.raises(LectureImpossible, match="aucun nom de champ"):
        blocs_csv(csv_texte(CANDIDAT_BCP, separateur="\t").encode())


def test_column_names_are_matched_whatever_their_case_and_unknown_ones_reported() -> None:
    entete, ligne = csv_texte(CANDIDAT_BCP).split("\r\n")[:2]
    entete = entete.replace("INE;", "ine;").replace("civilite;", "Civilite ;")
    blocs = blocs_csv(f"{entete};remarque\r\n{ligne};à rappeler\r\n".encode())
    assert [(e.ligne, e.champ, e.regle) for e in blocs[0].anomalies] == [
        (1, "remarque", "colonne.inconnue")
    ]
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["INE"] == "070212345AB"
    assert blocs[1].valeurs["civilite"] == "F"
    assert "remarque" not in blocs[1].valeurs


def test_a_duplicated_column_is_reported_and_only_the_first_is_read() -> None:
    entete, ligne = csv_texte(CANDIDAT_BCP).split("\r\n")[:2]
    blocs = blocs_csv(f"{entete};prenoms\r\n{ligne};Autre\r\n".encode())
    assert [(e.champ, e.regle) for e in blocs[0].anomalies] == [("prenoms", "colonne.doublon")]
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["prenoms"] == "Manon"


def test_a_missing_mandatory_column_is_reported_once_on_the_header() -> None:
    colonnes = [c for c in COLONNES if c != "telephone_mobile"]
    lignes = [";".join(colonnes)] + [";".join(CANDIDAT_BCP[c] for c in colonnes)] * 3
    assert valider_octets("\n".join(lignes).encode()) == [(1, "telephone_mobile")]


def test_trailing_empty_fields_are_tolerated_but_a_wrong_field_count_is_reported() -> None:
    ligne_ok = csv_texte(CANDIDAT_BCP).split("\r\n")[1]
    texte = csv_texte(CANDIDAT_BCP) + ligne_ok + ";;\r\n" + ligne_ok + ";X\r\n" + "F;DUPONT\r\n"
    assert valider_octets(texte.encode()) == [(4, ""), (5, "")]


def test_an_unterminated_quote_makes_the_csv_unreadable() -> None:
    texte = csv_texte({**CANDIDAT_BCP, "adresse_1": '"8 rue Stanislas'})
    with pytest.raises(LectureImpossible, match="fin de fichier à l'intérieur"):
        blocs_csv(texte.encode())


def test_an_unterminated_quote_in_a_large_file_stops_at_the_field_size_limit() -> None:
    ligne = csv_texte(CANDIDAT_BCP).split("\r\n")[1]
    texte = csv_texte({**CANDIDAT_BCP, "adresse_1": '"8 rue Stanislas'}) + (ligne + "\r\n") * 2000
    with pytest.raises(LectureImpossible, match="guillemet"):
        blocs_csv(texte.encode())


def test_text_after_a_closing_quote_makes_the_csv_unreadable() -> None:
    texte = csv_texte({**CANDIDAT_BCP, "adresse_1": '"8 rue" Stanislas'})
    with pytest.raises(LectureImpossible, match=r"ligne 2 .*guillemets mal placés"):
        blocs_csv(texte.encode())


def test_a_quote_inside_an_unquoted_field_is_kept_as_a_character() -> None:
    [lu] = candidats(
        blocs_csv(csv_texte({**CANDIDAT_BCP, "adresse_1": 'Villa "Les Roses"'}).encode())
    )
    assert lu.valeurs is not None
    assert lu.valeurs["adresse_1"] == 'Villa "Les Roses"'


def test_a_line_longer_than_the_limit_is_refused() -> None:
    texte = csv_texte(CANDIDAT_BCP).encode() + b"F;" + b"A" * TAILLE_MAX_LIGNE
    with pytest.raises(LectureImpossible, match="ligne 3"):
        blocs_csv(texte)


# --- XML ---

XML_ENTETE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cyclades><entete><version>1.0</version>'
    "<annee_session>2024</annee_session><date_heure_export>15/01/2024 10:30"
    "</date_heure_export></entete>"
)


def candidat_xml(valeurs: dict[str, str]) -> str:
    xml = {c.csv: c.xml for c in CHAMPS_CANDIDAT}
    return (
        "<candidat>"
        + "".join(f"<{xml[k]}>{v}</{xml[k]}>" for k, v in valeurs.items() if v)
        + "</candidat>"
    )


def xml_texte(*lignes: dict[str, str]) -> str:
    return XML_ENTETE + "".join(candidat_xml(v) for v in lignes) + "</cyclades>"


def blocs_xml(donnees: bytes) -> list[Bloc]:
    return list(lire_xml(io.BytesIO(donnees)))


def test_xml_gives_the_entete_then_candidates_by_position() -> None:
    blocs = blocs_xml(xml_texte(CANDIDAT_BCP, CANDIDAT_BCP).encode())
    assert [(b.nature, b.ligne) for b in blocs] == [
        ("entete", 0),
        ("candidat", 1),
        ("candidat", 2),
    ]
    assert blocs[0].valeurs == {
        "Version": "1.0",
        "annee_session": "2024",
        "date_heure_export": "15/01/2024 10:30",
    }
    assert blocs[1].valeurs == CANDIDAT_BCP


def test_xml_ine_element_is_read_as_the_ine_csv_field() -> None:
    blocs = blocs_xml(xml_texte(CANDIDAT_BCP).encode())
    assert "<ine>070212345AB</ine>" in xml_texte(CANDIDAT_BCP)
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["INE"] == "070212345AB"


def test_xml_namespaces_and_iso_8859_1_declaration_are_accepted() -> None:
    texte = (
        xml_texte({**CANDIDAT_BCP, "nom_famille": "LEFÈVRE"})
        .replace("<cyclades>", '<cyclades xmlns="urn:exemple:cyclades">')
        .replace("UTF-8", "ISO-8859-1")
    )
    blocs = blocs_xml(texte.encode("iso-8859-1"))
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["nom_famille"] == "LEFÈVRE"


def test_xml_character_references_and_predefined_entities_are_decoded() -> None:
    texte = xml_texte({**CANDIDAT_BCP, "adresse_1": "Rue d&apos;Alsace &#38; Lorraine"})
    blocs = blocs_xml(texte.encode())
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["adresse_1"] == "Rue d'Alsace & Lorraine"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE cyclades [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<cyclades><candidat><nom_famille>&lol3;</nom_famille></candidat></cyclades>"""


@pytest.mark.parametrize(
    "texte",
    [
        BILLION_LAUGHS,
        '<?xml version="1.0"?><!-- export --><!DOCTYPE cyclades SYSTEM "file:///etc/passwd">'
        "<cyclades/>",
        "<!doctype cyclades><cyclades/>",
        '<!ENTITY x "y"><cyclades/>',
    ],
    ids=["billion-laughs", "external-dtd-after-comment", "lowercase-doctype", "bare-entity"],
)
def test_a_doctype_or_entity_declaration_is_refused_before_parsing(texte: str) -> None:
    with pytest.raises(LectureImpossible, match="refusée"):
        blocs_xml(texte.encode())


def test_a_doctype_after_a_long_prolog_is_still_refused() -> None:
    texte = '<?xml version="1.0"?>' + "<!-- " + "x" * 200_000 + " -->" + BILLION_LAUGHS[21:]
    with pytest.raises(LectureImpossible, match="DOCTYPE"):
        blocs_xml(texte.encode())


def test_a_huge_xml_element_is_refused_before_it_fills_the_memory() -> None:
    morceaux = iter(
        [
            XML_ENTETE.encode() + b"<candidat><nom_famille>",
            *([b"A" * 65536] * 100),
            b"</nom_famille></candidat></cyclades>",
        ]
    )
    flux = io.BufferedReader(_FluxGenere(morceaux))
    with pytest.raises(LectureImpossible, match="4 Mio sans fin de bloc"):
        list(lire_xml(flux))


def test_a_windows_1252_xml_declaration_is_decoded() -> None:
    texte = xml_texte({**CANDIDAT_BCP, "nom_famille": "CŒUR"}).replace("UTF-8", "windows-1252")
    blocs = blocs_xml(texte.encode("cp1252"))
    assert blocs[1].valeurs is not None
    assert blocs[1].valeurs["nom_famille"] == "CŒUR"


def test_an_undeclared_entity_makes_the_xml_unreadable() -> None:
    with pytest.raises(LectureImpossible, match=r"ligne 2, colonne \d+ \(entité non définie"):
        blocs_xml(xml_texte({**CANDIDAT_BCP, "nom_famille": "&lol;"}).encode())


def test_a_wrong_root_element_makes_the_xml_unreadable() -> None:
    with pytest.raises(LectureImpossible, match="racine est « import »"):
        blocs_xml(b"<import><candidat/></import>")


def test_malformed_xml_is_unreadable_with_its_line_and_column() -> None:
    texte = xml_texte(CANDIDAT_BCP).replace("</prenoms>", "</prenom>")
    with pytest.raises(LectureImpossible, match=r"ligne 2, colonne \d+ \(balise fermante"):
        blocs_xml(texte.encode())


def test_text_before_the_root_makes_the_xml_unreadable() -> None:
    with pytest.raises(LectureImpossible, match="contenu inattendu"):
        blocs_xml(b"<?xml version='1.0'?> texte <cyclades/>")


def test_a_missing_xml_entete_is_reported_through_its_mandatory_fields() -> None:
    texte = xml_texte(CANDIDAT_BCP).replace(XML_ENTETE, '<?xml version="1.0"?><cyclades>')
    nom = "BCP2024_1.0_2024_150120241030.xml"
    assert valider_octets(texte.encode(), nom) == [
        (0, "Version"),
        (0, "annee_session"),
        (0, "date_heure_export"),
    ]


def test_an_xml_without_candidates_is_valid_and_counts_no_row() -> None:
    rapport = valider_flux(
        io.BytesIO(xml_texte().encode()), "BCP2024_1.0_2024_150120241030.xml", Examen.BCP
    )
    assert (rapport.lignes, rapport.erreurs) == (0, [])


def test_the_xml_entete_session_is_used_for_the_specialty_checks() -> None:
    texte = xml_texte({**CANDIDAT_BCP, "serie": "22707"}).replace(
        "<annee_session>2024<", "<annee_session>2023<"
    )
    rapport = valider_flux(io.BytesIO(texte.encode()), "BCP_1.0_2023_150120241030.xml", Examen.BCP)
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (1, "serie", "serie.pas_ouverte")
    ]


def test_format_is_detected_from_the_first_significant_byte() -> None:
    assert lire(io.BytesIO(b"\xef\xbb\xbf  \n" + xml_texte().encode()))[0] == "xml"
    assert lire(io.BytesIO(csv_texte(CANDIDAT_BCP).encode()))[0] == "csv"


# --- streaming ---


class _FluxGenere(io.RawIOBase):
    """A file made on the fly from a generator of byte chunks, never whole in memory."""

    def __init__(self, morceaux: Iterator[bytes]) -> None:
        super().__init__()
        self._morceaux = morceaux
        self._reste = b""

    def readable(self) -> bool:
        return True

    def readinto(self, tampon: "WriteableBuffer", /) -> int:
        vue = memoryview(tampon).cast("B")
        while not self._reste:
            suivant = next(self._morceaux, None)
            if suivant is None:
                return 0
            self._reste = suivant
        n = min(len(vue), len(self._reste))
        vue[:n] = self._reste[:n]
        self._reste = self._reste[n:]
        return n


def _csv_genere(n: int) -> Iterator[bytes]:
    entete, ligne = csv_texte(CANDIDAT_BCP).encode().split(b"\r\n", 1)
    yield entete + b"\r\n"
    for _ in range(n):
        yield ligne


def _xml_genere(n: int) -> Iterator[bytes]:
    yield XML_ENTETE.encode()
    morceau = candidat_xml(CANDIDAT_BCP).encode()
    for _ in range(n):
        yield morceau
    yield b"</cyclades>"


@pytest.mark.parametrize(("generateur", "n"), [(_csv_genere, 20_000), (_xml_genere, 10_000)])
def test_a_large_file_validates_in_bounded_memory(
    generateur: Callable[[int], Iterator[bytes]], n: int
) -> None:
    flux = io.BufferedReader(_FluxGenere(generateur(n)))
    nom = "BCP2024_1.0_2024_150120241030.csv"
    tracemalloc.start()
    try:
        rapport = valider_flux(flux, nom, Examen.BCP)
        _, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (rapport.lignes, rapport.lignes_valides, rapport.erreurs) == (n, n, [])
    # 20 000 candidates kept in memory would take tens of MiB; a stream keeps a few rows.
    assert pic < 4 * 2**20
