"""Decisions, documents, partner events, lists and exports through the API, against a real
Temporal and the real read model (SQLite and PostgreSQL)."""

import hashlib
import inspect
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import insert
from sqlmodel import Session

from models.depot import FiltresDossiers
from models.tables import Dossier
from tests.api.conftest import PDF, Pile
from tests.factories import contrat_enregistre_data
from workers.api.exports import LIGNES_PAR_MORCEAU, lignes_csv


async def test_a_decision_shows_in_the_timeline_with_its_author_and_changes_the_state(
    pile: Pile,
) -> None:
    cle = await pile.dossier_en_instruction()

    response = await pile.http.post(
        f"/dossiers/{cle}/decisions",
        json={"type": "accepter", "motif": "dossier complet"},
        headers=pile.entetes("instructeur"),
    )

    assert response.status_code == 200, response.text
    assert response.json()["auteur"] == "instructeur"
    assert response.json()["statut"] != "instruction"
    vue = (await pile.http.get(f"/dossiers/{cle}", headers=pile.entetes("lecteur"))).json()
    assert vue["source_etat"] == "workflow"
    assert vue["etat"]["statut"] == response.json()["statut"]
    assert vue["evaluation"]["version_regles"]
    # the act's 23 000 EUR test, with where each figure came from (issue 17, item 1)
    cumul = vue["etat"]["cumul"]
    assert cumul["siren"] == vue["etat"]["contrat"]["siret_etablissement"][:9]
    assert Decimal(cumul["seuil"]) == Decimal("23000.00")
    assert Decimal(cumul["total"]) == sum(
        Decimal(cumul[champ]) for champ in ("aides_service", "autres_aides_declarees", "montant")
    )
    lignes = (
        await pile.http.get(f"/dossiers/{cle}/timeline", headers=pile.entetes("lecteur"))
    ).json()
    decisions = [ligne for ligne in lignes if ligne["nature"] == "decision"]
    assert [(d["type"], d["auteur"]) for d in decisions] == [("accepter", "instructeur")]


async def test_a_refused_decision_gets_409_with_the_reason_and_changes_nothing(
    pile: Pile,
) -> None:
    cle = await pile.dossier_enregistre()
    avant = (await pile.http.get(f"/dossiers/{cle}/timeline", headers=pile.entetes("admin"))).json()

    response = await pile.http.post(
        f"/dossiers/{cle}/decisions", json={"type": "accepter"}, headers=pile.entetes("admin")
    )

    assert response.status_code == 409
    assert "pas en instruction" in response.json()["detail"]
    apres = (await pile.http.get(f"/dossiers/{cle}/timeline", headers=pile.entetes("admin"))).json()
    assert apres == avant
    vue = (await pile.http.get(f"/dossiers/{cle}", headers=pile.entetes("admin"))).json()
    assert vue["etat"]["statut"] == "attente_demande"
    assert vue["etat"]["decisions"] == []


async def test_bad_decision_bodies_get_422_naming_the_field(pile: Pile) -> None:
    cle = await pile.dossier_enregistre()
    entetes = pile.entetes("instructeur")

    auteur = await pile.http.post(
        f"/dossiers/{cle}/decisions", json={"type": "accepter", "auteur": "x"}, headers=entetes
    )
    inconnu = await pile.http.post(
        f"/dossiers/{cle}/decisions", json={"type": "approuver"}, headers=entetes
    )
    date_ = await pile.http.post(
        f"/dossiers/{cle}/decisions",
        json={"type": "demander-pieces", "date_limite_reponse": "demain"},
        headers=entetes,
    )
    absent = await pile.http.post(
        "/dossiers/contrat-pro:NEANT/decisions", json={"type": "accepter"}, headers=entetes
    )

    assert auteur.status_code == 422
    assert auteur.json()["erreurs"][0]["champ"] == "auteur"
    assert inconnu.status_code == 422
    assert inconnu.json()["erreurs"][0] == {
        "champ": "type",
        "valeur": "approuver",
        "regle": "l'un de accepter, rejeter, demander_pieces, signaler_fraude, clore_sans_suite, "
        "constater_prescription, relever_delai, valider_paiement, reduire, recouvrer, "
        "renoncer_recouvrement (dispositif contrat-pro)",
    }
    assert date_.status_code == 422
    assert date_.json()["erreurs"][0]["champ"] == "date_limite_reponse"
    assert "AAAA-MM-JJ" in date_.json()["erreurs"][0]["regle"]
    assert absent.status_code == 404


async def test_a_scheme_without_decisions_says_so(pile: Pile) -> None:
    cle = f"exapro-import:0750785A/{uuid.uuid4().hex}.csv"  # CAE-DOM takes decisions (issue 18)
    with Session(pile.engine) as session:
        session.execute(
            insert(Dossier).values(
                cle=cle,
                dispositif="exapro-import",
                reference=cle.removeprefix("exapro-import:"),
                statut="nouveau",
                maj_le=datetime.now(UTC),
            )
        )
        session.commit()

    response = await pile.http.post(
        f"/dossiers/{cle}/decisions", json={"type": "accepter"}, headers=pile.entetes("admin")
    )

    assert response.status_code == 422
    assert "ne prend pas de décision" in response.json()["detail"]


async def test_a_document_is_hashed_stored_and_the_workflow_told_once(pile: Pile) -> None:
    cle = await pile.dossier_enregistre()
    entetes = pile.entetes("instructeur")
    fichier = {"fichier": ("cerfa.pdf", PDF, "application/pdf")}

    premiere = await pile.http.post(
        f"/dossiers/{cle}/documents",
        files=fichier,
        data={"type_document": "cerfa"},
        headers=entetes,
    )
    seconde = await pile.http.post(
        f"/dossiers/{cle}/documents",
        files=fichier,
        data={"type_document": "cerfa"},
        headers=entetes,
    )

    assert premiere.status_code == 201, premiere.text
    sha = hashlib.sha256(PDF).hexdigest()
    assert premiere.json()["sha256"] == sha
    assert premiere.json()["taille"] == len(PDF)
    assert premiere.json()["workflow_informe"] is True
    assert seconde.json()["id"] == premiere.json()["id"]
    assert (pile.settings.data_dir / "documents" / sha[:2] / sha).read_bytes() == PDF
    vue = (await pile.http.get(f"/dossiers/{cle}", headers=entetes)).json()
    assert vue["documents_workflow"] == [{"type": "cerfa", "reference": f"guichet:{sha}"}]
    assert [p["sha256"] for p in vue["pieces"]] == [sha]
    lignes = (await pile.http.get(f"/dossiers/{cle}/timeline", headers=entetes)).json()
    assert sum(1 for ligne in lignes if ligne["type"] == "document_depose") == 1
    assert sum(1 for ligne in lignes if ligne["type"].endswith("document-ajoute.v1")) == 1


async def test_documents_too_large_or_of_the_wrong_type_are_refused(pile: Pile) -> None:
    cle = await pile.dossier_enregistre()
    entetes = pile.entetes("admin")

    async def envoyer(nom: str, contenu: bytes, type_: str, type_document: str = "autre") -> int:
        response = await pile.http.post(
            f"/dossiers/{cle}/documents",
            files={"fichier": (nom, contenu, type_)},
            data={"type_document": type_document},
            headers=entetes,
        )
        assert response.status_code == 201 or "detail" in response.json()
        return response.status_code

    assert await envoyer("gros.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf") == 413
    assert await envoyer("note.txt", b"bonjour", "text/plain") == 415
    assert await envoyer("faux.png", PDF, "image/png") == 415
    assert await envoyer("cerfa.pdf", PDF, "application/pdf", "passeport") == 422
    assert await envoyer("img.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png") == 201


async def test_a_partner_event_over_http_is_applied_once_however_often_it_is_sent(
    pile: Pile,
) -> None:
    numero = f"HTTP-{uuid.uuid4().hex[:8]}"
    event = {
        "id": f"{numero}/1",
        "source": "/opco/akto",
        "type": "opco.contrat-pro.enregistre.v1",
        "subject": numero,
        "time": "2024-09-03T09:30:00+00:00",
        "data": contrat_enregistre_data(numero, debut=datetime.now(UTC).date()),
    }

    for _ in range(3):
        response = await pile.http.post(
            "/evenements", json=event, headers=pile.entetes("partenaire")
        )
        assert response.status_code == 202, response.text

    cle = f"contrat-pro:{numero}"
    assert response.json()["workflow_id"] == cle
    await pile.attendre(cle, lambda r: r.statut == "attente_demande")
    lignes = (
        await pile.http.get(f"/dossiers/{cle}/timeline", headers=pile.entetes("admin"))
    ).json()
    assert [ligne["evenement_source"] for ligne in lignes if ligne["nature"] == "evenement"] == [
        f"{numero}/1"
    ]


async def test_a_partner_event_that_breaks_its_contract_gets_422_naming_the_field(
    pile: Pile,
) -> None:
    numero = f"HTTP-{uuid.uuid4().hex[:8]}"
    data = contrat_enregistre_data(numero)
    data["date_debut"] = "2024-13-45"
    event = {
        "id": "x",
        "source": "/opco/akto",
        "type": "opco.contrat-pro.enregistre.v1",
        "subject": numero,
        "time": "2024-09-03T09:30:00+00:00",
        "data": data,
    }

    response = await pile.http.post("/evenements", json=event, headers=pile.entetes("partenaire"))
    inconnu = await pile.http.post(
        "/evenements", json={**event, "type": "opco.inconnu.v1"}, headers=pile.entetes("partenaire")
    )
    sans_fuseau = await pile.http.post(
        "/evenements", json={**event, "time": "2024-09-03T09:30:00"}, headers=pile.entetes("admin")
    )

    assert response.status_code == 422
    assert response.json()["erreurs"][0]["champ"] == "data.date_debut"
    assert response.json()["erreurs"][0]["valeur"] == "2024-13-45"
    assert inconnu.status_code == 422
    assert inconnu.json()["erreurs"][0]["champ"] == "type"
    assert sans_fuseau.status_code == 422
    assert sans_fuseau.json()["erreurs"][0]["champ"] == "time"
    assert pile.ligne(f"contrat-pro:{numero}") is None


def _lignes(pile: Pile, dispositif: str, nombre: int) -> None:
    debut = date(2025, 1, 1)
    with Session(pile.engine) as session:
        session.execute(
            insert(Dossier),
            [
                {
                    "cle": f"{dispositif}:{i:06d}",
                    "dispositif": dispositif,
                    "reference": f"{i:06d}",
                    "statut": "en_cours" if i % 2 else "instruction",
                    "beneficiaire": "73282932000074" if i % 3 == 0 else None,
                    "montant_accorde": Decimal("1000.50"),
                    "prochaine_echeance": None if i % 4 == 0 else debut + timedelta(days=i % 7),
                    "anomalies": i % 5 == 0,
                    "maj_le": datetime.now(UTC),
                }
                for i in range(nombre)
            ],
        )
        session.commit()


async def test_following_the_cursor_visits_every_dossier_once_in_order(pile: Pile) -> None:
    dispositif = f"are-bilan-{uuid.uuid4().hex[:4]}"
    _lignes(pile, dispositif, 23)
    vus: list[dict[str, Any]] = []
    curseur = None

    while True:
        params = {
            "dispositif": dispositif,
            "tri": "prochaine_echeance",
            "ordre": "desc",
            "limite": "5",
        }
        if curseur:
            params["curseur"] = curseur
        page = (
            await pile.http.get("/dossiers", params=params, headers=pile.entetes("admin"))
        ).json()
        assert page["total"] == 23
        vus.extend(page["dossiers"])
        curseur = page["suivant"]
        if curseur is None:
            break

    assert len({d["cle"] for d in vus}) == 23 == len(vus)
    echeances = [d["prochaine_echeance"] for d in vus]
    dates = [e for e in echeances if e is not None]
    assert dates == sorted(dates, reverse=True)
    assert echeances[len(dates) :] == [None] * (23 - len(dates))


async def test_a_tampered_cursor_or_an_unknown_sort_gets_422(pile: Pile) -> None:
    entetes = pile.entetes("admin")

    curseur = await pile.http.get("/dossiers?curseur=abc", headers=entetes)
    tri = await pile.http.get("/dossiers?tri=nom", headers=entetes)

    assert curseur.status_code == 422
    assert curseur.json()["erreurs"][0]["champ"] == "curseur"
    assert tri.status_code == 422
    assert tri.json()["erreurs"][0]["champ"] == "tri"


async def test_exports_apply_the_filters_in_csv_and_xlsx(pile: Pile) -> None:
    dispositif = f"are-campagne-{uuid.uuid4().hex[:4]}"
    _lignes(pile, dispositif, 40)
    params = {"dispositif": dispositif, "statut": "en_cours", "avec_anomalie": "true"}

    csv_ = await pile.http.get(
        "/dossiers/export", params={**params, "format": "csv"}, headers=pile.entetes("superviseur")
    )
    xlsx = await pile.http.get(
        "/dossiers/export", params={**params, "format": "xlsx"}, headers=pile.entetes("superviseur")
    )

    attendues = sorted(f"{dispositif}:{i:06d}" for i in range(40) if i % 2 and i % 5 == 0)
    assert csv_.headers["content-type"].startswith("text/csv")
    lignes = csv_.text.lstrip("\ufeff").splitlines()
    assert lignes[0].startswith("Clé du dossier;Dispositif;Référence;Statut;")
    assert sorted(ligne.split(";")[0] for ligne in lignes[1:]) == attendues
    classeur = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    rangees = list(classeur["dossiers"].iter_rows(values_only=True))
    assert rangees[0][:4] == ("Clé du dossier", "Dispositif", "Référence", "Statut")
    assert sorted(r[0] for r in rangees[1:]) == attendues
    assert Decimal(str(rangees[1][5])) == Decimal("1000.5")


async def test_an_export_of_20000_dossiers_is_streamed_row_by_row(pile: Pile) -> None:
    dispositif = f"exapro-import-{uuid.uuid4().hex[:4]}"
    _lignes(pile, dispositif, 20_000)

    generateur = lignes_csv(pile.engine, FiltresDossiers(dispositif=dispositif))
    assert inspect.isgenerator(generateur)
    assert str(next(generateur)).lstrip("\ufeff").startswith("Clé du dossier;")
    generateur.close()
    morceaux_csv = list(lignes_csv(pile.engine, FiltresDossiers(dispositif=dispositif)))
    assert len(morceaux_csv) == 1 + 20_000 // LIGNES_PAR_MORCEAU, "the header, then full chunks"
    assert {m.count("\n") for m in morceaux_csv[1:]} == {LIGNES_PAR_MORCEAU}
    async with pile.http.stream(
        "GET", f"/dossiers/export?dispositif={dispositif}", headers=pile.entetes("admin")
    ) as response:
        morceaux = [morceau async for morceau in response.aiter_text()]

    assert response.status_code == 200
    assert "content-length" not in response.headers  # a streaming response, not one body
    assert "".join(morceaux).count("\n") == 20_001


async def test_health_and_metrics_answer_with_counts_from_the_read_model(pile: Pile) -> None:
    await pile.dossier_en_instruction()

    sante = await pile.http.get("/health")
    metriques = await pile.http.get("/metrics")
    pret = await pile.http.get("/ready")

    assert sante.json()["statut"] == "ok"
    assert (
        'guichet_evenements_appliques_total{type="opco.contrat-pro.enregistre.v1"}'
        in metriques.text
    )
    assert "guichet_dossiers{" in metriques.text
    assert pret.status_code == 503  # no Kafka in this stack: said, not hidden
    services = {v["service"]: v["ok"] for v in pret.json()["verifications"]}
    assert services == {"temporal": True, "kafka": False, "base": True}
