"""Test data builders: realistic partner events, every field overridable; the EXAPRO sample
files and a candidate line."""

import hashlib
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from events.catalogue import CATALOGUE
from models.evenements import CloudEvent
from rules.contrat_pro import add_months
from workers.demo.cae_dom import convention

_ids = itertools.count(1)

SOURCES = {"opco": "/opco/akto", "portail": "/portail-aides/pays-de-la-loire", "asp": "/asp"}

DONNEES_EXAPRO = Path(__file__).parent / "data" / "exapro"
"""The EXAPRO sample files, as schools drop them."""
BCP = DONNEES_EXAPRO / "BCP2024_1.0_2024_150120241030.csv"
BCP_ERREURS = DONNEES_EXAPRO / "BCP2024ERREURS_1.0_2024_150120241030.csv"
CAP_XML_ERREURS = DONNEES_EXAPRO / "CAP2024ERREURS_1.0_2024-06_180120240900.xml"

CANDIDAT_BCP: dict[str, str] = {
    "civilite": "F",
    "nom_famille": "PETITJEAN",
    "nom_usage": "",
    "prenoms": "Manon",
    "INE": "070212345AB",
    "pays_naissance": "100",
    "date_naissance": "12/02/2007",
    "depCOM_naissance": "054",
    "commune_naissance": "54395",
    "nationalite": "100",
    "pays": "100",
    "adresse_1": "8 rue Stanislas",
    "adresse_2": "",
    "adresse_3": "",
    "adresse_4": "",
    "code_postal": "54000",
    "localite": "NANCY",
    "telephone": "",
    "telephone_mobile": "0612345678",
    "adresse_mail": "manon.petitjean@ac-nancy-metz.fr",
    "categ_socio_pro": "47",
    "etablissement": "0540041B",
    "division_classe": "TMCV1",
    "serie": "31213",
    "enseignement": "",
    "categorie": "132",
    "langue_section_euro": "",
}
"""One valid candidate line of a BCP file, column by column (the file's own names)."""

# A person whose values must never show in clear text (logs, Temporal history)
NOM = "Kerbrat-Quéméner"
PRENOMS = "Maëlys-Solène"
NIR = "185069711234533"
NAISSANCE_CAE = "1985-06-10"
NAISSANCE_CONTRAT_PRO = "1985-03-14"
COURRIEL_EMPLOYEUR = "paie.boulangerie-kq@example.gp"
ADRESSE_SALARIE = "17 impasse des Flamboyants"
VALEURS_PERSONNELLES = [
    NOM,
    PRENOMS,
    NIR,
    NAISSANCE_CAE,
    NAISSANCE_CONTRAT_PRO,
    COURRIEL_EMPLOYEUR,
    ADRESSE_SALARIE,
]


def evenement(
    type_: str, numero: str, data: dict[str, Any], event_id: str | None = None
) -> CloudEvent:
    """A CloudEvent of `type_` (e.g. `opco.contrat-pro.rompu.v1`) for dossier `numero`."""
    return CloudEvent(
        id=event_id or f"evt-{next(_ids)}",
        source=SOURCES[type_.split(".", 1)[0]],
        type=type_,
        subject=numero,
        time=datetime(2024, 9, 3, 9, 30, tzinfo=UTC),
        data=data,
    )


def siret_pour(numero: str) -> str:
    """A SIRET of 14 digits, the same for the same contract number."""
    return f"{int(hashlib.sha256(numero.encode()).hexdigest(), 16) % 10**14:014d}"


def contrat_enregistre_data(
    numero: str = "OPCO-2024-000123", debut: date = date(2024, 9, 2), **overrides: Any
) -> dict[str, Any]:
    """The catalogue's example contract, renumbered, for 12 months from `debut`, for an
    employer of its own (a SIRET derived from the number): the tests of one module share a
    server, and the aids of one SIREN in one year add up to the act's 23 000 EUR test."""
    data = dict(CATALOGUE["opco.contrat-pro.enregistre.v1"].exemple)
    data["numero_contrat"] = numero
    data["siret_etablissement"] = siret_pour(numero)
    data["date_debut"] = debut.isoformat()
    data["date_fin"] = (add_months(debut, 12) - timedelta(days=1)).isoformat()
    data.update(overrides)
    return data


def contrat_enregistre(
    numero: str = "OPCO-2024-000123",
    debut: date = date(2024, 9, 2),
    event_id: str | None = None,
    **overrides: Any,
) -> CloudEvent:
    return evenement(
        "opco.contrat-pro.enregistre.v1",
        numero,
        contrat_enregistre_data(numero, debut, **overrides),
        event_id,
    )


def demande_deposee(numero: str, date_demande: date, **overrides: Any) -> CloudEvent:
    """The catalogue's example request (complete, eligible, both required documents)."""
    data = dict(CATALOGUE["portail.contrat-pro.demande-deposee.v1"].exemple)
    data["date_demande"] = date_demande.isoformat()
    data.update(overrides)
    return evenement("portail.contrat-pro.demande-deposee.v1", numero, data)


def numero_cae_dom(embauche: date) -> str:
    """A fresh number of a Guadeloupe (971) convention for a hiring on `embauche`."""
    return f"971-{embauche.year % 100:02d}-{uuid.uuid4().int % 90000 + 10000:05d}"


def convention_personnelle(
    cle: str, embauche: date, fin: date, date_naissance: str = NAISSANCE_CAE
) -> dict[str, Any]:
    """The demo's CAE-DOM convention `cle` for the person above: names, NIR, birth date, street
    address, and the employer's e-mail."""
    donnees = convention(cle, embauche, fin)
    donnees["salarie"].update(
        {"nom": NOM, "prenoms": PRENOMS, "nir": NIR, "date_naissance": date_naissance}
    )
    donnees["salarie"]["adresse"]["voie"] = ADRESSE_SALARIE
    donnees["employeur"]["adresse"]["adresse_electronique"] = COURRIEL_EMPLOYEUR
    return donnees


def convention_enregistree(cle: str, donnees: dict[str, Any]) -> CloudEvent:
    """The ASP's registration of the CAE-DOM convention `cle`."""
    return evenement(
        "asp.cae-dom.convention-enregistree.v1", cle, donnees, event_id=f"asp-{uuid.uuid4()}"
    )
