"""What each route shows, within scope (issue 19): `/metrics` answers without a token, so it
shows counts and no amount."""

from tests.api.conftest import Pile


async def test_metrics_show_counts_and_no_amount(pile: Pile) -> None:
    """`/metrics` takes no token (a scraper): counts only, no payment amount."""
    await pile.dossier_enregistre()

    metriques = await pile.http.get("/metrics")

    assert metriques.status_code == 200
    assert "guichet_ordres_paiement" in metriques.text or "guichet_dossiers{" in metriques.text
    assert "montant" not in metriques.text
    assert "euros" not in metriques.text
