"""The EXAPRO import activities through `temporalio.testing.ActivityEnvironment`: validation in
lots with heartbeats and resumption, publication of the candidates, the stored report."""

import dataclasses
import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

import activities.exapro as module
import rules.exapro
from activities.exapro import ERREURS, VALIDES, ExaproActivities, id_candidat, nom_import
from events import topics
from models.exapro import (
    TYPE_CANDIDAT,
    EntreePublication,
    EntreeRapport,
    EntreeValidation,
    FichierDepose,
    ResultatValidation,
)
from rules.exapro import Examen
from rules.exapro.lecture import Rapport, lire
from tests.factories import BCP, BCP_ERREURS, CAP_XML_ERREURS, DONNEES_EXAPRO
from tests.fakes import FakePublisher
from workers.cli.exapro import valider_chemin

ETABLISSEMENT = "0750785A"
HORODATAGE = datetime(2024, 1, 16, 8, 0, tzinfo=UTC)


class Import:
    """One file dropped in a temporary storage directory, and the activities that import it."""

    def __init__(self, tmp_path: Path, fichier: Path, *, taille_lot: int = 4, **depot: Any):
        self.publisher = FakePublisher()
        self.stockage = tmp_path / "stockage"
        self.activites = ExaproActivities(self.publisher, self.stockage, taille_lot=taille_lot)
        nom = depot.pop("nom_fichier", fichier.name)
        (self.stockage / "depots" / ETABLISSEMENT).mkdir(parents=True, exist_ok=True)
        if fichier.exists():
            shutil.copy(fichier, self.stockage / "depots" / ETABLISSEMENT / nom)
        self.cle = f"{ETABLISSEMENT}/{nom}"
        self.depot = FichierDepose(
            chemin=f"{ETABLISSEMENT}/{nom}",
            nom_fichier=nom,
            etablissement=ETABLISSEMENT,
            **depot,
        )
        self.heartbeats: list[Any] = []
        self.env = ActivityEnvironment()
        self.env.on_heartbeat = lambda *details: self.heartbeats.append(details[0])

    def reprendre(self, details: Any) -> None:
        """The next run is a retry whose last recorded heartbeat carried `details`."""
        self.env.info = dataclasses.replace(self.env.info, attempt=2, heartbeat_details=[details])
        self.heartbeats.clear()

    async def valider(self) -> ResultatValidation:
        resultat: ResultatValidation = await self.env.run(
            self.activites.valider_fichier_exapro, EntreeValidation(cle=self.cle, depot=self.depot)
        )
        return resultat

    async def publier(self, sha256: str) -> Any:
        return await self.env.run(
            self.activites.publier_candidats_exapro,
            EntreePublication(
                cle=self.cle,
                sha256=sha256,
                fichier=self.depot.nom_fichier,
                etablissement=ETABLISSEMENT,
                examen=Examen.BCP,
                horodatage=HORODATAGE,
            ),
        )

    def travail(self, nom: str) -> list[str]:
        return (self.activites.travail(self.cle) / nom).read_text(encoding="utf-8").splitlines()


def sha256_de(fichier: Path) -> str:
    return hashlib.sha256(fichier.read_bytes()).hexdigest()


def lignes_controlables(fichier: Path) -> list[int]:
    """The lines of the candidates whose fields can be checked (not a wrong field count)."""
    with fichier.open("rb") as flux:
        return [b.ligne for b in lire(flux)[1] if b.nature == "candidat" and b.valeurs is not None]


def rapport_de(fichier: Path, **options: Any) -> Rapport:
    rapport = valider_chemin(fichier, None, **options)
    assert isinstance(rapport, Rapport)
    return rapport


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("fichier", sorted(DONNEES_EXAPRO.iterdir()), ids=lambda f: f.name)
async def test_the_validation_in_lots_finds_what_the_validate_command_finds(
    fichier: Path, tmp_path: Path
) -> None:
    imp = Import(tmp_path, fichier, taille_lot=2)
    attendu = rapport_de(fichier)

    resultat = await imp.valider()

    assert resultat.lisible
    assert (resultat.lignes, resultat.lignes_valides, resultat.erreurs) == (
        attendu.lignes,
        attendu.lignes_valides,
        len(attendu.erreurs),
    )
    assert resultat.sha256 == sha256_de(fichier)
    assert [json.loads(e) for e in imp.travail(ERREURS)] == [e.en_dict() for e in attendu.erreurs]
    assert len(imp.travail(VALIDES)) == attendu.lignes_valides
    assert resultat.erreurs_fichier == len([e for e in attendu.erreurs if e.ligne == 0]) + len(
        [e for e in attendu.erreurs if e.ligne == 1 and attendu.format == "csv"]
    )


async def test_the_validation_heartbeats_the_rows_done_after_each_lot(tmp_path: Path) -> None:
    imp = Import(tmp_path, BCP, taille_lot=4)

    await imp.valider()

    # 10 blocks (the header, then 9 rows) in lots of 4: a heartbeat after each full lot
    assert [h["lignes"] for h in imp.heartbeats] == [3, 7]
    assert [h["blocs"] for h in imp.heartbeats] == [5, 9]


async def test_a_valid_row_is_kept_with_its_filled_fields_and_its_session(tmp_path: Path) -> None:
    imp = Import(tmp_path, BCP)

    await imp.valider()

    premiere = json.loads(imp.travail(VALIDES)[0])
    assert (premiere["ligne"], premiere["annee_session"]) == (2, "2024")
    assert premiere["candidat"]["nom_famille"] == "MARTIN"
    assert "" not in premiere["candidat"].values()


class Crash(Exception):
    pass


@pytest.mark.parametrize(
    ("fichier", "nom", "taille_lot"),
    [
        (BCP_ERREURS, BCP_ERREURS.name, 2),
        (CAP_XML_ERREURS, CAP_XML_ERREURS.name, 2),
        # no session in the name: the rows' session comes from the entete, replayed on resume
        (
            DONNEES_EXAPRO / "BCP2024_1.0_2024_220120241645.xml",
            "BCP2024_1.0_24_220120241645.xml",
            1,
        ),
    ],
    ids=["csv", "xml", "xml-session-de-l-entete"],
)
async def test_a_retried_validation_resumes_after_the_last_heartbeat_without_validating_again(
    fichier: Path, nom: str, taille_lot: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Import(tmp_path / "reference", fichier, taille_lot=taille_lot, nom_fichier=nom)
    attendu = await reference.valider()
    imp = Import(tmp_path, fichier, taille_lot=taille_lot, nom_fichier=nom)

    def crash_au_troisieme(details: Any) -> None:
        imp.heartbeats.append(details)
        if len(imp.heartbeats) == 3:
            raise Crash  # the worker dies after writing past the second heartbeat's offsets

    imp.env.on_heartbeat = crash_au_troisieme
    with pytest.raises(Crash):
        await imp.valider()
    derniere = imp.heartbeats[1]
    imp.env.on_heartbeat = lambda *details: imp.heartbeats.append(details[0])
    imp.reprendre(derniere)
    appels: list[int] = []
    original = rules.exapro.valider_candidat

    def compter(valeurs: Any, ctx: Any, ligne: int) -> Any:
        appels.append(ligne)
        return original(valeurs, ctx, ligne)

    monkeypatch.setattr(module, "valider_candidat", compter)

    resultat = await imp.valider()

    assert resultat == attendu
    assert imp.travail(ERREURS) == reference.travail(ERREURS)
    assert imp.travail(VALIDES) == reference.travail(VALIDES)
    with fichier.open("rb") as flux:
        deja_faites = [b.ligne for b in lire(flux)[1] if b.nature == "candidat"][
            : derniere["lignes"]
        ]
    assert appels == [n for n in lignes_controlables(fichier) if n not in deja_faites]
    assert appels


async def test_a_retry_whose_work_files_are_gone_validates_from_the_start(tmp_path: Path) -> None:
    imp = Import(tmp_path, BCP, taille_lot=4)
    attendu = await imp.valider()
    derniere = imp.heartbeats[-1]
    shutil.rmtree(imp.activites.travail(imp.cle))
    imp.reprendre(derniere)

    resultat = await imp.valider()

    assert resultat == attendu
    assert len(imp.travail(VALIDES)) == 9


@pytest.mark.parametrize(
    ("contenu", "raison"),
    [
        (
            b'<!DOCTYPE cyclades [<!ENTITY a "b">]><cyclades/>',
            "XML : déclaration DOCTYPE refusée",
        ),
        (BCP.read_bytes() + b'M;"ouvert;\n', "ligne 11 : structure CSV illisible"),
        ("civilite;nom".encode("utf-16"), "le fichier est en UTF-16"),
    ],
    ids=["doctype", "guillemet-en-fin-de-fichier", "utf-16"],
)
async def test_an_unreadable_file_is_a_result_with_the_reason_not_a_failure(
    contenu: bytes, raison: str, tmp_path: Path
) -> None:
    fichier = tmp_path / "BCP2024_1.0_2024_150120241030.csv"
    fichier.write_bytes(contenu)
    imp = Import(tmp_path, fichier, taille_lot=2)

    resultat = await imp.valider()

    assert not resultat.lisible
    assert resultat.raison is not None
    assert resultat.raison.startswith(raison)
    assert not imp.activites.travail(imp.cle).exists()


async def test_a_missing_file_is_unreadable_with_the_reason(tmp_path: Path) -> None:
    imp = Import(tmp_path, tmp_path / "BCP2024_1.0_2024_150120241030.csv")

    resultat = await imp.valider()

    assert (resultat.lisible, resultat.raison) == (False, "fichier introuvable")


async def test_a_link_out_of_the_drop_directory_is_not_followed(tmp_path: Path) -> None:
    imp = Import(tmp_path, tmp_path / "BCP2024_1.0_2024_150120241030.csv")
    (imp.stockage / "depots" / imp.depot.chemin).symlink_to(BCP)

    resultat = await imp.valider()

    assert (resultat.lisible, resultat.raison) == (False, "chemin hors du répertoire des dépôts")


async def test_a_file_whose_exam_is_unknown_is_unreadable_unless_the_event_names_it(
    tmp_path: Path,
) -> None:
    sans_examen = Import(tmp_path / "a", BCP, nom_fichier="candidats_1.0_2024_150120241030.csv")
    avec_examen = Import(
        tmp_path / "b", BCP, nom_fichier="candidats_1.0_2024_150120241030.csv", examen="BCP"
    )

    refuse, accepte = await sans_examen.valider(), await avec_examen.valider()

    assert not refuse.lisible
    assert refuse.raison is not None
    assert "indiquez l'examen dans l'événement de dépôt" in refuse.raison
    assert (accepte.lisible, accepte.examen, accepte.lignes_valides) == (True, Examen.BCP, 9)


async def test_the_ine_control_of_the_event_makes_the_ine_mandatory_for_school_candidates(
    tmp_path: Path,
) -> None:
    sans = await Import(tmp_path / "a", BCP_ERREURS).valider()
    avec = await Import(tmp_path / "b", BCP_ERREURS, controle_ine=True).valider()

    assert (sans.lignes_valides, avec.lignes_valides) == (
        rapport_de(BCP_ERREURS).lignes_valides,
        rapport_de(BCP_ERREURS, controle_ine=True).lignes_valides,
    )
    assert sans.lignes_valides > avec.lignes_valides


# --- publication --------------------------------------------------------------------------


async def test_each_valid_candidate_is_published_once_with_an_id_from_the_content_and_its_line(
    tmp_path: Path,
) -> None:
    imp = Import(tmp_path, BCP, taille_lot=4)
    validation = await imp.valider()
    assert validation.sha256 is not None
    imp.heartbeats.clear()

    resultat = await imp.publier(validation.sha256)

    assert (resultat.publies, resultat.deja_publie_par) == (9, None)
    assert imp.publisher.ids() == [id_candidat(validation.sha256, n) for n in range(2, 11)]
    assert imp.heartbeats == [4, 8, 9]
    topic, key, event = imp.publisher.records[0]
    assert (topic, key, event.type, event.subject, event.time) == (
        topics.DOSSIERS,
        imp.cle,
        TYPE_CANDIDAT,
        imp.cle,
        HORODATAGE,
    )
    assert event.data["candidat"]["prenoms"] == "Lucas"
    assert (event.data["examen"], event.data["annee_session"], event.data["ligne"]) == (
        "BCP",
        "2024",
        2,
    )


async def test_a_retried_publication_goes_on_after_the_last_heartbeat(tmp_path: Path) -> None:
    imp = Import(tmp_path, BCP, taille_lot=4)
    validation = await imp.valider()
    assert validation.sha256 is not None
    imp.reprendre(4)

    resultat = await imp.publier(validation.sha256)

    assert resultat.publies == 9
    assert imp.publisher.ids() == [id_candidat(validation.sha256, n) for n in range(6, 11)]


async def test_the_same_content_under_another_name_publishes_nothing_and_names_the_first_import(
    tmp_path: Path,
) -> None:
    premier = Import(tmp_path, BCP)
    copie = Import(tmp_path, BCP, nom_fichier="BCP2024COPIE_1.0_2024_150120241031.csv")
    copie.publisher = premier.publisher
    copie.activites = ExaproActivities(premier.publisher, premier.stockage, taille_lot=4)
    v1, v2 = await premier.valider(), await copie.valider()
    assert v1.sha256 is not None
    assert v1.sha256 == v2.sha256

    r1 = await premier.publier(v1.sha256)
    r2 = await copie.publier(v1.sha256)
    r1_encore = await premier.publier(v1.sha256)

    assert (r1.publies, r2.publies, r2.deja_publie_par) == (9, 0, premier.cle)
    assert r1_encore.publies == 9  # the first import may retry: it owns the content
    assert len(set(premier.publisher.ids())) == 9


# --- report -------------------------------------------------------------------------------


async def test_the_report_is_the_validate_json_plus_the_outcome_and_the_work_files_go(
    tmp_path: Path,
) -> None:
    imp = Import(tmp_path, BCP_ERREURS)
    validation = await imp.valider()
    entree = EntreeRapport(
        cle=imp.cle, depot=imp.depot, validation=validation, statut="rejete", motif="X"
    )

    chemin = await imp.env.run(imp.activites.stocker_rapport_exapro, entree)

    assert chemin == f"rapports/{nom_import(imp.cle)}.json"
    rapport = json.loads((imp.stockage / chemin).read_text(encoding="utf-8"))
    resultat_import = rapport.pop("import")
    assert rapport == rapport_de(BCP_ERREURS).en_dict()
    assert resultat_import["statut"] == "rejete"
    assert resultat_import["sha256"] == validation.sha256
    assert resultat_import["erreurs_fichier"] == 1
    assert not imp.activites.travail(imp.cle).exists()
    avant = (imp.stockage / chemin).read_bytes()
    assert await imp.env.run(imp.activites.stocker_rapport_exapro, entree) == chemin
    assert (imp.stockage / chemin).read_bytes() == avant


def test_an_import_key_becomes_a_plain_file_name() -> None:
    assert nom_import("0750785A/BCP2024_1.0_2024_150120241030.csv") == (
        "0750785A_BCP2024_1.0_2024_150120241030.csv"
    )
    assert nom_import("../..") == "_.._.."
