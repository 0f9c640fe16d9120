"""The log redaction on adversarial texts of 40 KB and 1 MB (long runs of letters or digits,
`«` without `»`, `(valeur: ` never closed, long quoted strings, a JSON object with a huge
value, `a@a@a@...`): personal values masked, the rest kept, as the replaced (quadratic)
version did on short texts. No timing here: `guichet bench redaction` prints the figures."""

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workers.bench.redaction import (
    FAMILLES,
    _ancienne_redaction,
    _ancienne_redaction_journal,
    mesurer,
    mesurer_ancienne,
)
from workers.runtime.redaction import MASK, redact_personal_data, redact_text, redact_value

GUICHET = str(Path(sys.executable).parent / "guichet")

TAILLES = [pytest.param(40_000, id="40Ko"), pytest.param(1_000_000, id="1Mo")]

PERSONNES = {
    "e-mail": "jeanne.martin@example.fr",
    "NIR": "1 85 03 44 109 234 57",
    "téléphone": "+33612345678",
    "portable": "06 12 34 56 78",
    "IBAN": "FR76 3000 6000 0112 3456 7890 189",
    "INE": "123456789AB",
}


@pytest.mark.parametrize("n", TAILLES)
@pytest.mark.parametrize("lettre", ["a", "1", "A1", "a.", "_"])
def test_a_long_run_of_letters_or_digits_is_kept_and_what_follows_it_masked(
    n: int, lettre: str
) -> None:
    bruit = lettre * (n // len(lettre))
    assert redact_text(bruit) == bruit
    assert redact_text(bruit + " «") == bruit + " «"
    for personnel in PERSONNES.values():
        assert redact_text(f"{bruit} {personnel}") == f"{bruit} {MASK}"


@pytest.mark.parametrize("n", TAILLES)
def test_an_email_with_a_huge_local_part_is_masked_whole(n: int) -> None:
    assert redact_text("a" * n + "@example.fr") == MASK
    assert redact_text("a" * n + "@example") == "a" * n + "@example"


@pytest.mark.parametrize("n", TAILLES)
def test_many_at_signs_are_kept_and_the_emails_among_them_masked(n: int) -> None:
    bruit = "a@" * (n // 2)
    assert redact_text(bruit) == bruit
    assert redact_text(bruit + "example.fr") == "a@" * (n // 2 - 1) + MASK
    assert redact_text("a.a@" * (n // 4)) == (MASK + "@") * (n // 8)


@pytest.mark.parametrize("n", TAILLES)
def test_guillemets_never_closed_are_kept_and_a_closed_one_is_masked(n: int) -> None:
    ouverts = "nom « " * (n // 6)
    assert redact_text(ouverts) == ouverts
    # The first `nom «` quotes everything up to the only `»` (on the same line).
    assert redact_text(ouverts + "Dupont »") == f"nom « {MASK} »"
    espaces = "x«" + " " * n
    assert redact_text(espaces) == espaces
    assert redact_text(espaces + "»") == espaces + "»"  # x is not a personal field
    # A line end stops a quoted value: the `«` before it quote nothing, the one after it does.
    assert redact_text(f"{ouverts}x\n{espaces}x\nnom « Dupont »") == (
        f"{ouverts}x\n{espaces}x\nnom « {MASK} »"
    )


@pytest.mark.parametrize("n", TAILLES)
def test_quoted_values_never_closed_mask_the_rest_once(n: int) -> None:
    ouverts = "(valeur: " * (n // 9)
    assert redact_text("refus " + ouverts) == f"refus (valeur: {MASK})"
    assert redact_text("(valeur: {'nom': 'Kerbrat', 'notes': '" + "x" * n) == f"(valeur: {MASK})"


@pytest.mark.parametrize("n", TAILLES)
def test_many_closed_quoted_values_are_each_masked_like_one(n: int) -> None:
    motif = "nom (valeur: {'nom': 'Kerbrat', 'heures': 35}) heures (valeur: -2); "
    redacted = redact_text(motif * (n // len(motif)))
    assert "Kerbrat" not in redacted
    assert redacted == _ancienne_redaction(motif) * (n // len(motif))


@pytest.mark.parametrize("n", TAILLES)
def test_a_long_quoted_string_is_kept_and_the_personal_key_after_it_masked(n: int) -> None:
    texte = "{'commentaire': '" + "a" * n + "', 'nom': 'Kerbrat'}"
    assert redact_text(texte) == "{'commentaire': '" + "a" * n + f"', 'nom': \"{MASK}\"}}"
    coupe = '{"adresse": "12 rue ' + "x" * n
    assert redact_text(coupe) == f'{{"adresse": "{MASK}"'


@pytest.mark.parametrize("n", TAILLES)
def test_a_json_object_with_a_huge_value_keeps_it_and_masks_the_personal_fields(n: int) -> None:
    piece = ("x" * 999 + "-") * (n // 1000)
    objet = {
        "dossier": "OPCO-2024-000123",
        "piece": piece,
        "nir": "185069711234533",
        "courriel": "jeanne.martin@example.fr",
        "heures": 35,
    }
    redacted = json.loads(redact_text(json.dumps(objet)))
    assert redacted == {**objet, "nir": MASK, "courriel": MASK}


def test_personal_values_after_1_mb_of_noise_are_masked_and_the_noise_kept() -> None:
    bruit = "\n".join(
        [
            "a" * 150_000,
            "1" * 150_000,
            "nom « " * 25_000,
            "x«" + " " * 150_000 + "x",
            "a@" * 75_000,
            "A1" * 75_000,
            "{'commentaire': '" + "b" * 150_000 + "'}",
            "salarie.nom « " * 10_000 + "x",  # spaces after a « would run into the next line
        ]
    )
    assert len(bruit) >= 1_000_000
    personnel = (
        "\nsalarie.nom « Dupont », date de naissance (1990-01-01), "
        + ", ".join(PERSONNES.values())
        + ', {"prenoms": "Jeanne Marie"}'
    )
    redacted = redact_text(bruit + personnel)
    assert redacted == (
        f"{bruit}\nsalarie.nom « {MASK} », date de naissance ({MASK}), "
        + ", ".join([MASK] * len(PERSONNES))
        + f', {{"prenoms": "{MASK}"}}'
    )
    for valeur in [*PERSONNES.values(), "Dupont", "1990-01-01", "Jeanne"]:
        assert valeur not in redacted


def test_a_realistic_log_line_is_redacted_as_before_at_40_kb_and_alike_at_1_mb() -> None:
    petite = FAMILLES["ligne de journal"](40_000)
    assert redact_text(petite) == _ancienne_redaction(petite)
    ligne = FAMILLES["ligne de journal"](1_000_000)
    redacted = redact_text(ligne)
    enregistrements = ligne.count('"rang": ')
    assert enregistrements > 2000
    for cle in ("nom", "prenoms", "nir", "date_naissance", "email", "telephone", "iban"):
        assert redacted.count(f'"{cle}": "{MASK}"') == enregistrements
    for valeur in ["Kerbrat", "Anne", "2 85 06 97 112 345 33", "1985-06-14", "06 12"]:
        assert valeur not in redacted
    assert redacted.count('"siret": "73282932000074"') == enregistrements


_JETONS = [
    *"aAZ190_.[]«» \n\t@+-)({}'\":,;\\é",
    "  ",
    "\u00a0",
    "١",
    "(valeur: ",
    "nom",
    "prenom",
    "Nom",
    "naissance",
    "1990-01-01",
    "x.fr",
    "a@b.c",
    "b.c",
    "185069711234533",
    "06 12 34 56 78",
    "FR76",
    "3000",
    "2A",
    "+33",
    "00",
    "nom_x",
    "code",
    "'nom': ",
    '"nir": "',
    "salarie.nom",
    "x[0]",
    "«\n",
    "\n»",
    " » ",
    "« ",
    "12345678901",
    "123456789AB",
]


def test_short_texts_are_redacted_exactly_as_the_replaced_version_did() -> None:
    alea = random.Random(2024)
    for _ in range(5000):
        texte = "".join(alea.choice(_JETONS) for _ in range(alea.randint(1, 30)))
        assert redact_text(texte) == _ancienne_redaction(texte), texte


def test_log_events_are_redacted_exactly_as_the_replaced_version_did() -> None:
    alea = random.Random(2025)
    cles = ["event", "nom", "nir_salarie", "motif", "nombre", "hotel", "contact", "dossier"]

    def valeur(profondeur: int) -> Any:
        tirage = alea.random()
        if tirage < 0.2 and profondeur < 3:
            return {alea.choice(cles): valeur(profondeur + 1) for _ in range(3)}
        if tirage < 0.3 and profondeur < 3:
            return [valeur(profondeur + 1) for _ in range(2)]
        if tirage < 0.4:
            return alea.choice([35, 1.5, None, True])
        return "".join(alea.choice(_JETONS) for _ in range(alea.randint(0, 12)))

    for _ in range(1000):
        evenement = {alea.choice(cles): valeur(0) for _ in range(4)}
        attendu = _ancienne_redaction_journal(None, "info", dict(evenement))
        assert redact_personal_data(None, "info", dict(evenement)) == attendu
        assert redact_value(evenement) == attendu


def _citer(profondeur: int) -> str:
    """`(valeur: [...])` quoting a text that quotes one, `profondeur` times in all."""
    texte = "(valeur: ['texte'])"
    for _ in range(profondeur - 1):
        texte = f"(valeur: [{texte!r}])"
    return texte


def test_values_quoted_inside_three_quoted_values_are_masked_whole() -> None:
    for profondeur in (1, 2, 3):
        assert redact_text(_citer(profondeur)) == _ancienne_redaction(_citer(profondeur))
        assert "texte" in redact_text(_citer(profondeur))
    assert "texte" not in redact_text(_citer(4))
    assert MASK in redact_text(_citer(4))


def test_a_quoted_integer_too_long_to_write_in_decimal_is_masked() -> None:
    """The replaced version raised ValueError (Python's limit on int-to-decimal digits)."""
    assert redact_text("(valeur: [0x" + "f" * 5000 + "])") == f"(valeur: {MASK})"


def test_the_bench_prints_one_line_per_text_and_size() -> None:
    result = subprocess.run(
        [GUICHET, "bench", "redaction", "--delai", "0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=280,
    )

    assert result.returncode == 0, result.stderr
    lignes = result.stdout.splitlines()
    assert lignes[0] == "guichet bench redaction --delai 0"
    mesures = lignes[3:]
    assert len(mesures) == 2 * len(FAMILLES)
    for famille, quarante, mega in zip(FAMILLES, mesures[::2], mesures[1::2], strict=True):
        for ligne in (quarante, mega):
            assert ligne.startswith(famille)
            assert re.search(r" \d+ Ko +\d+\.\d{3} s +\d+\.\d Mo/s ", ligne), ligne
        assert quarante.endswith("non mesurée (--delai 0)"), quarante
        assert mega.endswith("non mesurée (40 Ko seulement)"), mega


def test_the_replaced_version_runs_in_its_own_process_and_is_stopped_after_the_delay() -> None:
    """Its output on the same text is compared with the new one's; `x« espaces` would take
    hours at 40 KB (cubic), so the process is stopped."""
    mesure = mesurer("a@a@a@", 40_000)
    ancienne = mesurer_ancienne("a@a@a@", 40_000, delai=120)
    assert ancienne is not None
    assert (ancienne.caracteres, ancienne.empreinte) == (40_000, mesure.empreinte)
    assert mesurer_ancienne("x« espaces", 40_000, delai=0.5) is None
