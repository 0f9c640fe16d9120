"""The console in a real browser (Debian's chromium driven by Playwright, no download), against
the app served by uvicorn, the real workflows and a real SQLite read model.

A screenshot of each page goes to `artifacts/console/` (kept by CI as an artifact)."""

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, FilePayload, Page, async_playwright, expect

from tests.attente import attendre
from tests.console.accessibilite import verifier_accessibilite, violations
from tests.console.conftest import Pile
from tests.console.test_rebuts import rebut_contrat

pytestmark = pytest.mark.integration

ARTEFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "console"
CHROMIUM = "/usr/bin/chromium"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
async def navigateur() -> AsyncIterator[Browser]:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        await browser.close()


@pytest.fixture
async def page(navigateur: Browser) -> AsyncIterator[Page]:
    contexte = await navigateur.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = await contexte.new_page()
    page.set_default_timeout(15_000)
    yield page
    await contexte.close()


async def photo(page: Page, nom: str) -> None:
    """The page's screenshot, once axe-core found no serious or critical violation on it."""
    await verifier_accessibilite(page, nom)
    await page.screenshot(path=ARTEFACTS / f"{nom}.png", full_page=True)


async def se_connecter(page: Page, pile: Pile, nom: str, *, photographier: bool = False) -> None:
    await page.goto(f"{pile.url}/console/")
    await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    await page.get_by_label("Nom d'utilisateur").fill(nom)
    await page.get_by_label("Jeton d'accès").fill(pile.jetons[nom])
    if photographier:
        await photo(page, "connexion")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("heading", name="File de travail")).to_be_visible()


async def test_an_instructor_finds_a_dossier_due_this_week_completes_it_and_accepts_it(
    page: Page, pile_console: Pile
) -> None:
    reference = pile_console.dossiers["pieces"]
    await se_connecter(page, pile_console, "claire.instructrice", photographier=True)

    # the skip link is the first thing the keyboard reaches
    await page.keyboard.press("Tab")
    await expect(page.locator(":focus")).to_have_text("Aller au contenu")

    await page.get_by_label("Échéance").select_option("7j")
    await page.get_by_label("Dispositif").select_option("contrat-pro")
    await page.get_by_role("button", name="Filtrer").click()
    ligne = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    await expect(ligne.locator(".badge.semaine")).to_have_text("Échéance sous 7 jours")
    autres = page.get_by_role("link", name=pile_console.dossiers["instruit"])
    await expect(autres).to_have_count(0)  # in instruction: no deadline, filtered out
    await photo(page, "file")

    await ligne.get_by_role("link", name=reference).click()
    await expect(page.get_by_role("heading", name=f"Dossier {reference}")).to_be_visible()
    await expect(page.locator("#statut")).to_have_text("En attente de pièces")
    await expect(page.locator("#statut [data-code]")).to_have_attribute(
        "title", "code : attente_pieces"
    )

    # only what the state allows is offered; what it refuses is listed with the reason
    await expect(page.get_by_role("button", name="Accepter")).to_have_count(0)
    await expect(page.get_by_role("button", name="Rejeter")).to_have_count(1)
    await page.get_by_text("Décisions impossibles dans l'état actuel").click()
    await expect(page.get_by_role("listitem").filter(has_text="Accepter")).to_contain_text(
        "accepter: le dossier n'est pas en instruction (statut attente_pieces)"
    )
    # a decision the workflow's validator refuses (no reason given) shows why, changes nothing
    await page.get_by_role("button", name="Rejeter").click()
    await expect(page.locator("#refus")).to_contain_text("rejeter: le motif est obligatoire")
    await expect(page.locator("#statut")).to_have_text("En attente de pièces")
    await photo(page, "dossier-decision-refusee")

    # the missing document, uploaded here, reaches the workflow: back in instruction
    await page.get_by_label("Type de document").select_option("decision_prise_en_charge_opco")
    piece: FilePayload = {"name": "decision-opco.pdf", "mimeType": "application/pdf", "buffer": PDF}
    await page.get_by_label("Fichier").set_input_files(files=[piece])
    await page.get_by_role("button", name="Déposer le document").click()
    await expect(page.get_by_role("status")).to_contain_text("déposé et transmis au dossier")

    async def statut_affiche() -> str:
        await page.reload()
        return await page.locator("#statut").inner_text()

    await attendre(
        statut_affiche,
        30,
        "la fiche en instruction",
        jusqu_a=lambda statut: statut == "En instruction",
        intervalle=0.5,
    )
    avant = await page.locator("#chronologie > li").count()

    await page.get_by_label("Motif").fill("pièces complètes, conditions remplies")
    await page.get_by_role("button", name="Accepter").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Décision « Accepter » enregistrée : Aide accordée, contrat en cours."
    )
    await expect(page.locator("#statut")).to_have_text("Aide accordée, contrat en cours")
    chronologie = page.locator("#chronologie > li")
    assert await chronologie.count() > avant
    decision = chronologie.filter(has_text="Décision · Accepter")
    await expect(decision).to_contain_text("par claire.instructrice")
    await expect(decision).to_contain_text("pièces complètes, conditions remplies")
    await expect(page.locator("#chronologie")).to_contain_text(
        "En instruction → Aide accordée, contrat en cours"
    )
    await photo(page, "dossier")
    assert pile_console.statut(f"contrat-pro:{reference}") == "en_cours"


async def test_a_reader_sees_the_eligibility_and_amounts_but_no_decision_button(
    page: Page, pile_console: Pile
) -> None:
    reference = pile_console.dossiers["instruit"]
    await se_connecter(page, pile_console, "louis.lecteur")
    await page.get_by_role("link", name=reference).click()
    await expect(page.get_by_role("heading", name=f"Dossier {reference}")).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("Accepter|Rejeter"))).to_have_count(0)
    await expect(page.get_by_text("pas d'y prendre une décision")).to_be_visible()
    await expect(page.get_by_role("button", name="Déposer le document")).to_have_count(0)
    conditions = page.get_by_role("table").filter(has_text="Conditions vérifiées")
    await expect(conditions.get_by_role("row")).to_have_count(10)  # header + 9 conditions
    await expect(conditions).to_contain_text(
        "Règlement d'intervention de l'aide au contrat de professionnalisation, section 2"
    )
    await expect(conditions).not_to_contain_text("seed")
    await expect(conditions.locator(".badge.ko")).to_have_count(0)
    await expect(page.get_by_text("500,00 € × min(1 ; 35 h / 35 h)")).to_be_visible()
    await expect(page.get_by_text("12 : m1, m2")).to_be_visible()
    await photo(page, "dossier-lecteur")


async def test_a_supervisor_sees_counts_charts_deadlines_and_the_dead_letter_status(
    page: Page, pile_console: Pile
) -> None:
    await se_connecter(page, pile_console, "sophie.superviseure")
    await page.get_by_role("link", name="Tableau de bord").click()
    await expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    await expect(page.locator("svg.graphique")).to_have_count(2)
    await expect(page.get_by_role("img", name="Montants par mois (€)")).to_be_visible()
    comptes = page.get_by_role("table").first
    await expect(comptes).to_contain_text("Aide au contrat de professionnalisation")
    await expect(comptes).to_contain_text("ARE: campagne annuelle")
    await expect(comptes).to_contain_text("En instruction")
    echeances = page.get_by_role("table").filter(has_text="Objet")
    await expect(
        echeances.get_by_role("link", name=pile_console.dossiers["attente"])
    ).to_be_visible()
    rebuts = page.locator("section", has=page.locator("#titre-rebuts"))
    await expect(rebuts).to_contain_text("à examiner")
    await expect(rebuts.get_by_role("link", name="Examiner les rebuts")).to_be_visible()
    await photo(page, "tableau-de-bord")


async def test_the_are_campaign_page_shows_the_envelopes_the_schools_and_the_vote(
    page: Page, pile_console: Pile
) -> None:
    await se_connecter(page, pile_console, "claire.instructrice")
    await page.get_by_role("link", name="Campagnes ARE").click()
    await page.get_by_role("link", name="2023-2024").click()
    await expect(page.get_by_role("heading", name="Campagne ARE 2023-2024")).to_be_visible()
    await expect(page.locator("#statut")).to_have_text("Table produite, vote attendu")
    enveloppes = page.locator("#enveloppes")
    await expect(enveloppes.get_by_role("row")).to_have_count(4)  # header, 2 envelopes, total
    await expect(enveloppes).to_contain_text("151,00 € par élève")
    lycees = page.locator("#lycees tbody tr")
    await expect(lycees).to_have_count(3)
    await expect(page.locator("#lycees")).to_contain_text("PARIS")  # names and académies read
    await expect(page.locator("#lycees")).to_contain_text("Enquête non répondue")
    await expect(page.locator("#vote")).to_contain_text("pas encore votée")
    await photo(page, "campagne-are")
    async with page.expect_download() as telechargement:
        await page.get_by_role("link", name="Exporter la table (CSV)").click()
    fichier = await telechargement.value
    assert fichier.suggested_filename == "commission-2023-2024.csv"

    await page.get_by_label("Observations").select_option("oui")
    await page.get_by_role("button", name="Filtrer").click()
    avec = await lycees.count()
    assert 1 <= avec < 3
    for rang in range(avec):
        await expect(lycees.nth(rang).locator(".badge")).not_to_have_count(0)
    async with page.expect_download() as telechargement:
        await page.get_by_role("link", name="Exporter la table (CSV)").click()
    chemin = await (await telechargement.value).path()
    lignes = chemin.read_text(encoding="utf-8-sig").splitlines()
    assert len(lignes) == 1 + avec + 1  # header, the filtered schools, totals
    await photo(page, "campagne-are-filtree")


async def test_a_complementary_request_page_shows_its_lines_prices_and_decisions(
    page: Page, pile_console: Pile
) -> None:
    await se_connecter(page, pile_console, "claire.instructrice")
    await page.goto(f"{pile_console.url}/console/dossiers/are-complement:DEMO-ARE-DC-0001")
    # in instruction, or waiting for its conditions (the campaign is not voted yet)
    await expect(page.locator("#statut")).to_have_text(
        re.compile("En instruction|Conditions non remplies")
    )
    lignes = page.locator("#lignes-demande")
    await expect(lignes).to_contain_text("CUISINE (CAP)")
    await expect(lignes).to_contain_text("50022139")
    boutons = page.get_by_role("group", name="Décisions possibles").get_by_role("button")
    await expect(boutons).not_to_have_count(0)
    await expect(page.locator("pre")).to_have_count(0)
    await photo(page, "demande-complementaire-are")


async def test_a_spending_report_page_shows_received_spent_and_what_to_correct(
    page: Page, pile_console: Pile
) -> None:
    await se_connecter(page, pile_console, "claire.instructrice")
    await page.goto(f"{pile_console.url}/console/dossiers/are-bilan:0930002B:2022-2023")
    await expect(page.locator("#statut")).to_have_text("Bilan à corriger")
    await expect(page.locator("#ressources tbody tr")).to_have_count(2)
    await expect(page.locator("#depenses")).not_to_contain_text("Aucune dépense")
    await expect(page.locator("#anomalies-bilan tbody tr")).not_to_have_count(0)
    await photo(page, "bilan-are")


async def test_the_exapro_import_page_lists_rejected_lines_by_field_and_gives_the_report(
    page: Page, pile_console: Pile
) -> None:
    cle = "exapro-import:0691234U/CAP2024DEMO_1.0_2024-06_180120240800.csv"
    await se_connecter(page, pile_console, "sophie.superviseure")
    await page.goto(f"{pile_console.url}/console/dossiers/{cle}")
    await expect(page.locator("#statut")).to_have_text("Accepté partiellement (lignes écartées)")
    comptes = page.locator("#comptes-import")
    await expect(comptes.get_by_role("row").filter(has_text="Candidats publiés")).to_contain_text(
        "3"
    )
    rejets = page.locator("#rejets tbody tr")
    toutes = await rejets.count()
    assert toutes >= 2  # civilité and date of birth of line 4
    await expect(page.locator("#rejets")).to_contain_text("Civilité")
    await expect(page.locator("main")).not_to_contain_text("LIGNES_EN_ERREUR_ECARTEES")
    await photo(page, "import-exapro")

    await page.get_by_label("Champ").select_option("civilite")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(rejets).to_have_count(1)
    await expect(rejets.first).to_contain_text("X")
    async with page.expect_download() as telechargement:
        await page.get_by_role("link", name="Télécharger le rapport stocké (JSON)").click()
    rapport = json.loads((await (await telechargement.value).path()).read_text(encoding="utf-8"))
    assert rapport["import"]["candidats_publies"] == 3
    assert len(rapport["erreurs"]) == toutes
    await photo(page, "import-exapro-filtre")


async def test_the_dead_letter_pages_pass_axe(page: Page, pile_console: Pile) -> None:
    id_rebut, _ = await rebut_contrat(pile_console)
    await se_connecter(page, pile_console, "sophie.superviseure")
    await page.get_by_role("link", name="Événements rejetés").click()
    await expect(page.get_by_role("link", name=f"n° {id_rebut}")).to_be_visible()
    await photo(page, "rebuts")
    await page.goto(f"{pile_console.url}/console/rebuts/{id_rebut}")
    await expect(page.locator("#statut")).to_be_visible()
    await photo(page, "rebut")


async def test_axe_finds_a_violation_it_is_shown(page: Page, pile_console: Pile) -> None:
    """The check can fail: an image without text and an unlabelled field are caught."""
    await se_connecter(page, pile_console, "claire.instructrice")
    await page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="x.png"><input type="text">');
        }"""
    )
    ids = {v["id"]: v["impact"] for v in await violations(page)}
    assert ids.get("image-alt") == "critical"
    assert ids.get("label") == "critical"


async def test_the_cae_dom_page_shows_the_cerfa_the_maximum_duration_and_the_schedule(
    page: Page, pile_console: Pile
) -> None:
    cle = pile_console.cle("cae-dom", "90002")
    await se_connecter(page, pile_console, "sophie.superviseure")
    await page.goto(f"{pile_console.url}/console/dossiers/{cle}")
    await expect(page.locator("#statut")).to_have_text("Convention en cours")
    await expect(page.locator("pre")).to_have_count(0)  # no JSON block
    for groupe in (
        "Cadre réservé au prescripteur",
        "L'employeur",
        "Le salarié",
        "Situation du salarié avant la convention",
        "Le contrat de travail",
        "Les actions d'accompagnement et de formation prévues",
        "La prise en charge",
    ):
        await expect(page.get_by_role("heading", name=groupe, exact=True)).to_be_visible()
    duree = page.locator("#duree-maximale")
    await expect(duree).to_contain_text("24 mois")
    await expect(duree).to_contain_text("droit commun")
    await expect(duree).to_contain_text("Circulaire DGEFP n° 2011-02")
    await expect(duree).to_contain_text("annexe II, question 3")
    echeancier = page.locator("#echeancier")
    await expect(echeancier.locator("tbody tr").first).to_contain_text("Payé")
    assert await echeancier.locator("tbody tr").count() >= 8  # 24 months: 8 or 9 quarters
    # a supervisor reads, never decides (and the scheme may not take decisions at all)
    await expect(page.locator("section.decisions")).to_contain_text(
        re.compile("ne prend pas de décision|pas d'y prendre une décision")
    )
    await expect(page.locator("main")).not_to_contain_text("en_cours")
    await photo(page, "dossier-cae-dom")

    rompue = pile_console.cle("cae-dom", "90004")
    await page.goto(f"{pile_console.url}/console/dossiers/{rompue}")
    await expect(page.get_by_role("heading", name="Rupture")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("démission du salarié")
    await photo(page, "dossier-cae-dom-rompu")
