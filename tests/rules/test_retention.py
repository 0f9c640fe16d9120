"""The retention rule and its reference data (rules/retention.py, rules/data/retention.csv)."""

from datetime import date

from rules.retention import Ancrage, conservation_echue, fin_conservation, regles_conservation


def test_every_scheme_has_a_retention_rule_with_its_source() -> None:
    regles = regles_conservation()
    assert set(regles) == {
        "contrat-pro",
        "cae-dom",
        "are-campagne",
        "are-complement",
        "are-bilan",
        "exapro-import",
    }
    assert all(regle.source for regle in regles.values())


def test_a_contrat_pro_is_kept_10_years_after_its_payment_seed_003() -> None:
    regle = regles_conservation()["contrat-pro"]
    assert (regle.annees, regle.ancrage) == (10, Ancrage.DERNIER_PAIEMENT)
    fin = fin_conservation(regle, cloture=date(2035, 6, 1), dernier_paiement=date(2025, 5, 31))
    assert fin == date(2035, 5, 31)


def test_a_dossier_never_paid_counts_from_its_closing() -> None:
    regle = regles_conservation()["contrat-pro"]
    assert fin_conservation(regle, cloture=date(2024, 2, 29), dernier_paiement=None) == date(
        2034, 2, 28
    )


def test_an_open_dossier_is_never_due() -> None:
    regle = regles_conservation()["exapro-import"]
    assert fin_conservation(regle, cloture=None, dernier_paiement=None) is None
    assert not conservation_echue(
        regle, cloture=None, dernier_paiement=None, today=date(2099, 1, 1)
    )


def test_the_last_day_kept_is_not_purged_the_next_day_is() -> None:
    regle = regles_conservation()["exapro-import"]
    fin = date(2025, 3, 1)
    cloture = date(2024, 3, 1)
    assert not conservation_echue(regle, cloture=cloture, dernier_paiement=None, today=fin)
    assert conservation_echue(regle, cloture=cloture, dernier_paiement=None, today=date(2025, 3, 2))
