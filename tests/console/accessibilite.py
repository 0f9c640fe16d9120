"""axe-core (the npm package, installed in build/npm/ by `make axe`) run inside a page of the
console: no serious or critical violation allowed. The script is evaluated through the
DevTools protocol (`page.evaluate`), which the pages' Content-Security-Policy does not govern:
the console itself still ships no script."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

RACINE = Path(__file__).resolve().parents[2]
AXE = RACINE / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = RACINE / "artifacts" / "console"
GRAVES = ("serious", "critical")


@cache
def _source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core absent ({AXE}) : lancez `make axe` (ou `make test`)")
    return AXE.read_text(encoding="utf-8")


async def violations(page: Page) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is (WCAG 2.1 A and AA, best practices)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(_source())
    resultat: dict[str, Any] = await page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    trouvees: list[dict[str, Any]] = resultat["violations"]
    return trouvees


async def verifier_accessibilite(page: Page, nom: str) -> None:
    """No serious or critical violation; every violation found is written to
    `artifacts/console/axe-<nom>.json` (the minor ones too, for the record)."""
    trouvees = await violations(page)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"axe-{nom}.json").write_text(
        json.dumps(trouvees, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    graves = [
        f"{v['id']} ({v['impact']}) : {v['help']} — "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in trouvees
        if v.get("impact") in GRAVES
    ]
    assert graves == [], f"{nom} : " + "\n".join(graves)
