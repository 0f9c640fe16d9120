"""The SVG charts: pure functions of Decimal series."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from workers.console.graphiques import Serie, courbe, histogramme, pas_graduation, texte_montant

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_draws_one_bar_per_value_with_its_amount_in_the_tooltip() -> None:
    svg = histogramme(
        "Montants",
        ["janv. 2026", "févr. 2026"],
        [
            Serie("accordé", [Decimal("1500.00"), Decimal("0.00")]),
            Serie("versé", [Decimal("250.50"), Decimal("3000")]),
        ],
    )
    racine = ET.fromstring(svg)
    barres = racine.findall(f"{SVG}rect[@fill]")
    titres = [b.findtext(f"{SVG}title") for b in barres if b.find(f"{SVG}title") is not None]
    assert titres == [
        "accordé, janv. 2026 : 1 500,00 €",
        "versé, janv. 2026 : 250,50 €",
        "accordé, févr. 2026 : 0,00 €",
        "versé, févr. 2026 : 3 000,00 €",
    ]


def test_the_tallest_bar_is_the_largest_value_and_a_zero_has_no_height() -> None:
    svg = histogramme("T", ["a", "b", "c"], [Serie("s", [Decimal(10), Decimal(40), Decimal(0)])])
    barres = [
        b for b in ET.fromstring(svg).findall(f"{SVG}rect") if b.find(f"{SVG}title") is not None
    ]
    hauteurs = [Decimal(b.attrib["height"]) for b in barres]
    assert hauteurs[1] > hauteurs[0] > hauteurs[2] == 0
    assert hauteurs[1] == 4 * hauteurs[0]


def test_labels_are_escaped_so_a_label_cannot_inject_markup() -> None:
    svg = courbe("<script>alert(1)</script>", ["a&b"], [Serie("<b>x</b>", [Decimal(1)])])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "a&amp;b" in svg
    ET.fromstring(svg)  # still well-formed XML


def test_a_line_chart_has_one_point_per_category_and_a_description_with_the_figures() -> None:
    svg = courbe(
        "Échéances", ["1/12", "2/12"], [Serie("dossiers", [Decimal(3), Decimal(5)])], unite=""
    )
    racine = ET.fromstring(svg)
    assert len(racine.findall(f"{SVG}circle")) == 2
    assert racine.findtext(f"{SVG}desc") == "dossiers: 1/12 3,00, 2/12 5,00"
    assert racine.attrib["role"] == "img"


def test_a_series_with_the_wrong_number_of_values_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="la série « versé » a 1 valeurs pour 2 catégories"):
        histogramme("T", ["a", "b"], [Serie("versé", [Decimal(1)])])


def test_an_empty_chart_still_renders_with_an_axis() -> None:
    svg = histogramme("Rien", [], [])
    assert ET.fromstring(svg).findtext(f"{SVG}title") == "Rien"


def test_axis_steps_are_round_numbers_covering_the_maximum() -> None:
    assert pas_graduation(Decimal("9000")) == Decimal("5000")
    assert pas_graduation(Decimal("1234.56")) == Decimal("500")
    assert pas_graduation(Decimal("0")) == Decimal("1")
    assert pas_graduation(Decimal("4")) == Decimal("1")
    assert pas_graduation(Decimal("1")) == Decimal("0.5")
    assert pas_graduation(Decimal("1"), entiers=True) == Decimal("1")


def test_narrow_columns_get_slanted_labels_wide_ones_do_not() -> None:
    serie = [Serie("s", [Decimal(1)] * 12)]
    etroit = histogramme("T", [f"m{i}" for i in range(12)], serie)
    large = histogramme("T", ["a", "b"], [Serie("s", [Decimal(1), Decimal(2)])])
    assert etroit.count("rotate(-35") == 12
    assert "rotate(" not in large


def test_amounts_are_written_the_french_way() -> None:
    assert texte_montant(Decimal("1234567.8")) == "1 234 567,80"
    assert texte_montant(Decimal("-5")) == "-5,00"
