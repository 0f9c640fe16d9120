"""Server-side SVG charts for the console: bars and lines from Decimal series.

Pure: no I/O, no clock, no float in the figures (coordinates are computed with Decimal and
written with one decimal). Every label is XML-escaped; each chart carries a `<title>` and a
`<desc>` and the page shows the same figures as a table, so nothing is only visual. No script,
no CDN: the markup is inlined in the page.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from html import escape

PALETTE = ("#1f4e9c", "#c2410c", "#15803d", "#7e22ce", "#a16207")
"""Dark enough on white for a 3:1 contrast (WCAG 1.4.11, graphical objects)."""

LARGEUR = 640
HAUTEUR = 260
MARGE_GAUCHE = 72
MARGE_DROITE = 16
MARGE_HAUT = 28
MARGE_BAS = 72
COLONNE_LARGE = Decimal(64)
"""Below this width a column's label is slanted."""
GRADUATIONS = 4
DIXIEME = Decimal("0.1")


@dataclass(frozen=True)
class Serie:
    libelle: str
    valeurs: Sequence[Decimal]


def _n(valeur: Decimal) -> str:
    """A coordinate, to one decimal (SVG user units)."""
    return str(valeur.quantize(DIXIEME, ROUND_HALF_UP))


def texte_montant(valeur: Decimal) -> str:
    """« 12 345,67 »: French grouping, for axis labels and tooltips."""
    signe = "-" if valeur < 0 else ""
    entier, decimales = f"{abs(valeur):.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{signe}{' '.join(groupes)},{decimales}"


def pas_graduation(maximum: Decimal, *, entiers: bool = False) -> Decimal:
    """A round step (1, 2 or 5 x 10^n) so that GRADUATIONS steps cover `maximum`; at least 1
    when the values are counts (`entiers`)."""
    if maximum <= 0:
        return Decimal(1)
    brut = maximum / GRADUATIONS
    if entiers and brut < 1:
        return Decimal(1)
    puissance = Decimal(10) ** (brut.adjusted())
    for facteur in (1, 2, 5, 10):
        pas = puissance * facteur
        if pas >= brut:
            return pas
    return puissance * 10  # pragma: no cover - 10 always covers


def _verifier(categories: Sequence[str], series: Sequence[Serie]) -> None:
    for serie in series:
        if len(serie.valeurs) != len(categories):
            raise ValueError(
                f"la série « {serie.libelle} » a {len(serie.valeurs)} valeurs pour "
                f"{len(categories)} catégories"
            )


class _Cadre:
    """The plot area and the value → y mapping shared by both chart kinds."""

    def __init__(
        self, categories: Sequence[str], series: Sequence[Serie], *, entiers: bool = False
    ) -> None:
        valeurs = [v for s in series for v in s.valeurs]
        maximum = max([Decimal(0), *valeurs])
        self.pas = pas_graduation(maximum, entiers=entiers)
        graduations = (maximum / self.pas).to_integral_value(ROUND_CEILING) if maximum else 1
        self.haut = self.pas * max(Decimal(1), graduations)
        self.x0 = Decimal(MARGE_GAUCHE)
        self.y0 = Decimal(HAUTEUR - MARGE_BAS)
        self.largeur = Decimal(LARGEUR - MARGE_GAUCHE - MARGE_DROITE)
        self.hauteur = Decimal(HAUTEUR - MARGE_HAUT - MARGE_BAS)
        self.colonne = self.largeur / max(1, len(categories))

    def y(self, valeur: Decimal) -> Decimal:
        return self.y0 - self.hauteur * max(Decimal(0), valeur) / self.haut

    def axes(self, categories: Sequence[str]) -> list[str]:
        parties: list[str] = []
        niveau = Decimal(0)
        while niveau <= self.haut:
            y = _n(self.y(niveau))
            parties.append(
                f'<line x1="{_n(self.x0)}" y1="{y}" x2="{_n(self.x0 + self.largeur)}" '
                f'y2="{y}" stroke="#d0d5dd" stroke-width="1"/>'
                f'<text x="{_n(self.x0 - 6)}" y="{y}" text-anchor="end" '
                f'dominant-baseline="middle" font-size="11">{escape(_etiquette(niveau))}</text>'
            )
            niveau += self.pas
        serre = self.colonne < COLONNE_LARGE
        for i, categorie in enumerate(categories):
            x = _n(self.x0 + self.colonne * i + self.colonne / 2)
            y = _n(self.y0 + 14)
            # narrow columns: labels slanted so that they never overlap
            position = (
                f'text-anchor="end" transform="rotate(-35 {x} {y})"'
                if serre
                else 'text-anchor="middle"'
            )
            parties.append(
                f'<text x="{x}" y="{y}" {position} font-size="11">{escape(categorie)}</text>'
            )
        return parties


def _etiquette(valeur: Decimal) -> str:
    """Axis label: whole euros, grouped (« 12 000 »)."""
    return texte_montant(valeur.quantize(Decimal(1), ROUND_HALF_UP)).split(",", 1)[0]


def _legende(series: Sequence[Serie]) -> list[str]:
    parties: list[str] = []
    x = MARGE_GAUCHE
    for i, serie in enumerate(series):
        couleur = PALETTE[i % len(PALETTE)]
        parties.append(
            f'<rect x="{x}" y="{HAUTEUR - 22}" width="12" height="12" fill="{couleur}"/>'
            f'<text x="{x + 16}" y="{HAUTEUR - 12}" font-size="12">{escape(serie.libelle)}</text>'
        )
        x += 24 + 8 * len(serie.libelle)
    return parties


def _enveloppe(titre: str, description: str, corps: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LARGEUR} {HAUTEUR}" '
        f'role="img" class="graphique" font-family="system-ui, sans-serif">'
        f"<title>{escape(titre)}</title><desc>{escape(description)}</desc>"
        f'<text x="{MARGE_GAUCHE}" y="16" font-size="13" font-weight="bold">{escape(titre)}</text>'
        + "".join(corps)
        + "</svg>"
    )


def _description(categories: Sequence[str], series: Sequence[Serie], unite: str) -> str:
    return "; ".join(
        f"{s.libelle}: "
        + ", ".join(
            f"{c} {texte_montant(v)} {unite}".strip()
            for c, v in zip(categories, s.valeurs, strict=True)
        )
        for s in series
    )


def histogramme(
    titre: str,
    categories: Sequence[str],
    series: Sequence[Serie],
    *,
    unite: str = "€",
    entiers: bool = False,
) -> str:
    """Grouped vertical bars, one group per category, one bar per series."""
    _verifier(categories, series)
    cadre = _Cadre(categories, series, entiers=entiers)
    corps = cadre.axes(categories)
    nombre = max(1, len(series))
    barre = cadre.colonne * Decimal("0.8") / nombre
    for i in range(len(categories)):
        debut = cadre.x0 + cadre.colonne * i + cadre.colonne * Decimal("0.1")
        for j, serie in enumerate(series):
            valeur = serie.valeurs[i]
            y = cadre.y(valeur)
            corps.append(
                f'<rect x="{_n(debut + barre * j)}" y="{_n(y)}" width="{_n(barre)}" '
                f'height="{_n(cadre.y0 - y)}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(serie.libelle)}, {escape(categories[i])} : "
                f"{escape(texte_montant(valeur))} {escape(unite)}</title></rect>"
            )
    corps += _legende(series)
    return _enveloppe(titre, _description(categories, series, unite), corps)


def courbe(
    titre: str,
    categories: Sequence[str],
    series: Sequence[Serie],
    *,
    unite: str = "€",
    entiers: bool = False,
) -> str:
    """One polyline per series with a marker on each point."""
    _verifier(categories, series)
    cadre = _Cadre(categories, series, entiers=entiers)
    corps = cadre.axes(categories)
    for j, serie in enumerate(series):
        couleur = PALETTE[j % len(PALETTE)]
        points = [
            (cadre.x0 + cadre.colonne * i + cadre.colonne / 2, cadre.y(v))
            for i, v in enumerate(serie.valeurs)
        ]
        if points:
            corps.append(
                f'<polyline fill="none" stroke="{couleur}" stroke-width="2" points="'
                + " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
                + '"/>'
            )
        for (x, y), categorie, valeur in zip(points, categories, serie.valeurs, strict=True):
            corps.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{couleur}">'
                f"<title>{escape(serie.libelle)}, {escape(categorie)} : "
                f"{escape(texte_montant(valeur))} {escape(unite)}</title></circle>"
            )
    corps += _legende(series)
    return _enveloppe(titre, _description(categories, series, unite), corps)
