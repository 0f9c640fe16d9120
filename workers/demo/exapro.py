"""Realistic EXAPRO import events for `guichet demo`: schools drop candidate files and each
import ends differently. Invented people; the files follow seed 002 (« Description des données
de l'import générique des candidatures pour les domaines EXAPRO », v1.7).

The demo writes its small sample files itself, under the drop directory it receives (the one
the worker's `ExaproActivities` read, `<GUICHET_DATA_DIR>/exapro/depots` as wired in
workers/runtime/temporal.py), in `demo/`; without a directory it only returns the events (for
tests of the contracts). File names, contents and event ids are fixed, so running the demo twice
writes the same bytes and applies nothing twice (the second drop of a closed import is
dead-lettered, « le dossier ... est clos »).

- `BCP2024DEMO...csv` (Paris, 5 candidates, all valid): accepted, 5 candidates published;
  its drop is delivered twice and applied once;
- `BCP2024DEMOCOPIE...csv`, the same bytes under another name: « déjà importé », nothing
  published a second time (whichever of the two imports publishes first wins);
- `CAP2024DEMO...csv` (Lyon, 4 rows, one with errors), `si_erreurs` = `ecarter_les_lignes`:
  accepted partially, 3 candidates published;
- `BP2024DEMO...csv` (Nantes, 3 rows, one with an unknown specialty), default policy: rejected,
  nothing published;
- `BCP2024DEMO...xml` with a DOCTYPE: unreadable, rejected with the reason;
- a drop whose `chemin` climbs out of the drop directory, and a record that is not JSON: both
  to the dead-letter topic.
"""

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from events import topics
from models.evenements import CloudEvent
from models.exapro import TYPE_FICHIER_DEPOSE

SOURCE = "/etablissements/cyclades"
REPERTOIRE = "demo"

_ENTETE = (
    "civilite;nom_famille;nom_usage;prenoms;INE;pays_naissance;date_naissance;depCOM_naissance;"
    "commune_naissance;nationalite;pays;adresse_1;adresse_2;adresse_3;adresse_4;code_postal;"
    "localite;telephone;telephone_mobile;adresse_mail;categ_socio_pro;etablissement;"
    "division_classe;serie;enseignement;categorie;langue_section_euro"
)
_BCP = [
    "M;MARCHAND;;Théo;070412345AB;100;12/04/2007;075;75115;100;100;4 rue de Vaugirard;;;;75015;"
    "PARIS;;0612121212;theo.marchand@exemple.fr;38;0750785A;TMELEC1;25510;;132;",
    "F;NGUYEN;;Linh;070523456CD;243;23/05/2007;;HANOI;243;100;10 rue de Tolbiac;;;;75013;PARIS;;"
    "0623232323;linh.nguyen@exemple.fr;47;0750785A;TMCV-A;31213;EURO;132;EUROANG",
    "M;PETIT--ROY;;Jules;070634567EF;100;06/06/2007;093;93066;100;100;8 avenue Wilson;;;;93200;"
    "SAINT-DENIS;;0634343434;jules.petitroy@exemple.fr;54;0750785A;TMELEC1;25510;;132;",
    "F;BARRE;LEMAIRE;Anaïs;070745678GH;100;07/07/2007;075;75120;100;100;2 rue des Pyrénées;"
    "Bâtiment A;;;75020;PARIS;0143434343;0645454545;anais.barre@exemple.fr;62;0750785A;TMCV-B;"
    "31214;;132;",
    "M;OUEDRAOGO;;Issa Paul;070856789JK;331;08/08/2007;;OUAGADOUGOU;331;100;15 rue Riquet;;;;"
    "75019;PARIS;;+33756565656;issa.ouedraogo@exemple.fr;84;0750785A;TMCV-B;31214;;132;",
]
_CAP = [
    "M;ROCHE;;Lenny;080112345LM;100;11/01/2008;069;69123;100;100;3 rue Mercière;;;;69002;LYON;;"
    "0611111111;lenny.roche@exemple.fr;;0691234U;2CAPCUI;22139;;122;",
    "F;MOREL;;Jade;080223456NP;100;22/02/2008;069;69123;100;100;7 quai Saint-Vincent;;;;69001;"
    "LYON;;0622222222;jade.morel@exemple.fr;;0691234U;2CAPCUI;22139;;122;",
    # errors: civilité « X », 31 February
    "X;FAURE;;Noé;080334567QR;100;31/02/2008;069;69123;100;100;1 place Bellecour;;;;69002;LYON;;"
    "0633333333;noe.faure@exemple.fr;;0691234U;2CAPCUI;22139;;122;",
    "F;BLANC;;Louna;080445678ST;100;04/04/2008;069;69266;100;100;9 cours Émile Zola;;;;69100;"
    "VILLEURBANNE;;0644444444;louna.blanc@exemple.fr;;0691234U;2CAPCUI;22139;;122;",
]
_BP = [
    "F;LEROUX;;Clara;;100;08/06/2001;044;44109;100;100;7 rue de Strasbourg;;;;44000;NANTES;;"
    "0670000001;clara.leroux@exemple.fr;;0442345B;BPCOIF2;33608;;410;",
    # error: specialty 99999 is in no list
    "M;GUERIN;;Mathis;;100;17/10/1999;044;44109;100;100;2 rue Crébillon;;;;44000;NANTES;;"
    "0670000002;mathis.guerin@exemple.fr;;0442345B;BPCOIF2;99999;;410;",
    "F;PERRIN;;Lola;;100;12/12/2002;044;44109;100;100;5 rue Kervégan;;;;44000;NANTES;;"
    "0670000003;lola.perrin@exemple.fr;;0442345B;BPCOIF2;33608;;410;",
]


def _csv(lignes: list[str]) -> bytes:
    return ("\r\n".join([_ENTETE, *lignes]) + "\r\n").encode("utf-8")


BCP = "BCP2024DEMO_1.0_2024_150120241030.csv"
BCP_COPIE = "BCP2024DEMOCOPIE_1.0_2024_150120241031.csv"
CAP = "CAP2024DEMO_1.0_2024-06_180120240800.csv"
BP = "BP2024DEMO_1.0_2024-06_160120240915.csv"
XML_ILLISIBLE = "BCP2024DEMO_1.0_2024_220120241645.xml"


def fichiers() -> dict[str, bytes]:
    """The demo's files: name -> content."""
    return {
        BCP: _csv(_BCP),
        BCP_COPIE: _csv(_BCP),
        CAP: _csv(_CAP),
        BP: _csv(_BP),
        XML_ILLISIBLE: b'<?xml version="1.0"?>\n<!DOCTYPE cyclades [<!ENTITY x "y">]>\n'
        b"<cyclades><entete><version>&x;</version></entete></cyclades>\n",
    }


def ecrire_fichiers(depots: Path) -> None:
    """Write the demo's files under `depots/demo/` (same bytes every time)."""
    dossier = depots / REPERTOIRE
    dossier.mkdir(parents=True, exist_ok=True)
    for nom, contenu in fichiers().items():
        (dossier / nom).write_bytes(contenu)


def _depot(
    n: int, jour: date, nom: str, etablissement: str, **options: Any
) -> tuple[str, CloudEvent]:
    data: dict[str, Any] = {
        "chemin": f"{REPERTOIRE}/{nom}",
        "nom_fichier": nom,
        "etablissement": etablissement,
        **options,
    }
    return topics.ETABLISSEMENTS, CloudEvent(
        id=f"demo-exapro-{n}",
        source=SOURCE,
        type=TYPE_FICHIER_DEPOSE,
        subject=f"{etablissement}/{nom}",
        time=datetime.combine(jour, time(9), tzinfo=UTC),
        data=data,
    )


def demo(today: date, depots: Path | None = None) -> list[tuple[str, bytes | CloudEvent]]:
    """The demo's records; with `depots`, its files are written there first."""
    if depots is not None:
        ecrire_fichiers(depots)
    premier = _depot(1, today, BCP, "0750785A")
    records: list[tuple[str, bytes | CloudEvent]] = [
        premier,
        _depot(2, today, BCP_COPIE, "0750785A"),
        _depot(3, today, CAP, "0691234U", si_erreurs="ecarter_les_lignes"),
        _depot(4, today, BP, "0442345B"),
        _depot(5, today, XML_ILLISIBLE, "0750785A"),
        premier,  # delivered twice, applied once
        # refused by its contract (a path out of the drop directory): dead-lettered
        _depot(6, today, "passwd", "0750785A", chemin="../../etc/passwd"),
        (topics.ETABLISSEMENTS, b"{ceci n'est pas du JSON"),
    ]
    return records
