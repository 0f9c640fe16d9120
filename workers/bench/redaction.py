"""`guichet bench redaction`: the log redaction (`workers.runtime.redaction.redact_text`) on
adversarial and realistic texts of 40 KB and 1 MB, beside the version it replaced.

Each text is built from a family (a long run of letters, of digits, `«` without `»`, `x«`
then spaces, `(valeur: ` never closed, a long quoted string, a JSON object with a huge
base64url value, `a@a@a@...`, a realistic log line: a dead-letter reason quoting a rejected
event, then a batch of records with names, NIR, e-mail, phone, IBAN) and redacted once, timed
with `time.perf_counter`: size, seconds, MB/s.

The baseline is the previous implementation, kept here only, frozen (`_ancienne_redaction`:
its regular expressions read a run of characters again from each of its positions, quadratic,
and `«\\s*(.*?)\\s*»` is cubic on spaces). It runs on the 40 KB texts only, each in a fresh
process (`python -m workers.bench.redaction FAMILLE TAILLE`) stopped after `delai` seconds
("> 20 s (arrêtée)"), so both are timed on the same text; when it finishes, the two outputs
are compared (same SHA-256 or not). One run: figures to read side by side, never a capacity
promise.
"""

import ast
import base64
import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from workers.runtime.redaction import (
    MASK,
    _is_personal_field,
    _masquer_ibans,
    _masquer_tout,
    masquer_blocs_personnels,
    redact_text,
)

TAILLES = (40_000, 1_000_000)
"""Characters per text: 40 KB (the baseline runs on these only) and 1 MB."""
TAILLE_REFERENCE = TAILLES[0]


def _repeter(motif: str, n: int, debut: str = "", fin: str = "") -> str:
    """`debut`, `motif` repeated, `fin`: `n` characters (the repetition is cut to fit)."""
    reste = max(n - len(debut) - len(fin), 0)
    return debut + (motif * (reste // len(motif) + 1))[:reste] + fin


_SALARIE = {
    "nom": "Kerbrat",
    "prenoms": "Anne Marie",
    "nir": "2 85 06 97 112 345 33",
    "date_naissance": "1985-06-14",
    "email": "anne.kerbrat@example.fr",
    "telephone": "06 12 34 56 78",
    "adresse": {"voie": "17 rue (bis) des Lilas", "code_postal": "97100"},
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "siret": "73282932000074",
    "heures": 35,
    "code_diplome": "1234",
}


def _ligne_de_journal(n: int) -> str:
    """A JSON log line of about `n` characters: a dead-letter reason quoting the rejected
    event (`(valeur: ...)`, `champ « valeur »`), then a batch of records in JSON."""
    motif = (
        "données non conformes au contrat 'asp.cae-dom.convention-enregistree.v1': salarie: "
        "Value error, salarie.nom « Kerbrat » : l'année de naissance du NIR (85) ne correspond "
        f"pas à la date de naissance (1985-06-14) (valeur: {_SALARIE!r}); contact "
        "anne.kerbrat@example.fr, +33612345678"
    )
    entete = json.dumps(
        {"event": "rebut_recu", "level": "warning", "dossier": "OPCO-2024-000123", "motif": motif},
        ensure_ascii=False,
    )[:-1]
    enregistrements: list[str] = []
    taille = len(entete) + len(', "lot": []}')
    i = 0
    while True:
        enregistrement = json.dumps(
            {**_SALARIE, "rang": i, "dossier": f"OPCO-2024-{i:06d}"}, ensure_ascii=False
        )
        if taille + len(enregistrement) + 2 > n and enregistrements:
            break
        enregistrements.append(enregistrement)
        taille += len(enregistrement) + 2
        i += 1
    return entete + ', "lot": [' + ", ".join(enregistrements) + "]}"


def _jeton_base64url(n: int) -> str:
    """`n` characters of a base64url token (an attachment, a signature: letters, digits, `-`
    and `_`, one run of the characters an e-mail's local part is made of)."""
    octets = hashlib.shake_256(b"guichet").digest(n * 3 // 4 + 3)
    return base64.urlsafe_b64encode(octets).decode()[:n]


FAMILLES: dict[str, Callable[[int], str]] = {
    "lettres": lambda n: _repeter("a", n, fin=" «"),
    "chiffres": lambda n: _repeter("1", n),
    "« sans »": lambda n: _repeter("nom « ", n),
    "x« espaces": lambda n: _repeter(" ", n, debut="x«"),
    "(valeur: ouvertes": lambda n: _repeter("(valeur: ", n),
    "chaîne entre '": lambda n: _repeter("a", n, debut="{'commentaire': '", fin="'}"),
    "JSON, valeur géante": lambda n: _repeter(
        _jeton_base64url(n),
        n,
        debut='{"dossier": "OPCO-2024-000123", "piece": "',
        fin='", "nir": "185069711234533"}',
    ),
    "a@a@a@": lambda n: _repeter("a@", n),
    "ligne de journal": _ligne_de_journal,
}
"""Builders of the benchmarked texts, by family: `FAMILLES[nom](taille)`."""


@dataclass(frozen=True)
class Mesure:
    famille: str
    caracteres: int
    octets: int
    duree_s: float
    empreinte: str

    @property
    def mo_par_s(self) -> float:
        return self.octets / 1e6 / self.duree_s if self.duree_s else float("inf")


def _empreinte(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()


def mesurer(famille: str, taille: int, redaction: Callable[[str], str] = redact_text) -> Mesure:
    texte = FAMILLES[famille](taille)
    debut = time.perf_counter()
    sortie = redaction(texte)
    duree = time.perf_counter() - debut
    return Mesure(famille, len(texte), len(texte.encode()), duree, _empreinte(sortie))


def mesurer_ancienne(famille: str, taille: int, delai: float) -> Mesure | None:
    """The baseline on one text, in a fresh Python process (`python -m
    workers.bench.redaction FAMILLE TAILLE`, this module only), stopped if it has not answered
    `delai` seconds (plus its start) after it started: None."""
    with subprocess.Popen(
        [sys.executable, "-m", "workers.bench.redaction", famille, str(taille)],
        stdout=subprocess.PIPE,
        text=True,
    ) as processus:
        try:
            sortie, _ = processus.communicate(timeout=delai + _DEMARRAGE_S)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.communicate()
            return None
    if processus.returncode != 0:
        raise RuntimeError(f"référence {famille} {taille}: code de sortie {processus.returncode}")
    duree, empreinte = sortie.split()
    texte = FAMILLES[famille](taille)
    return Mesure(famille, len(texte), len(texte.encode()), float(duree), empreinte)


_DEMARRAGE_S = 2.0
"""Allowed for the baseline's process to start and build its text, beyond `delai`."""


def _main(arguments: list[str]) -> None:
    """In the baseline's process: time `_ancienne_redaction` on one text, print the seconds
    and the SHA-256 of its output."""
    famille, taille = arguments
    texte = FAMILLES[famille](int(taille))
    debut = time.perf_counter()
    sortie = _ancienne_redaction(texte)
    duree = time.perf_counter() - debut
    print(f"{duree!r} {_empreinte(sortie)}")


@dataclass(frozen=True)
class Resultats:
    delai_s: float
    lignes_mesurees: list[tuple[Mesure, Mesure | None]]
    """Each measure of `redact_text` and, on the 40 KB texts, the baseline's (None: stopped)."""

    def lignes(self) -> list[str]:
        sortie = [
            f"{'texte':22}{'taille':>9}{'durée':>11}{'débit':>12}   "
            "référence: la version remplacée, même texte"
        ]
        for mesure, ancienne in self.lignes_mesurees:
            taille = f"{mesure.octets / 1e3:.0f} Ko"
            ligne = (
                f"{mesure.famille:22}{taille:>9}{mesure.duree_s:>9.3f} s"
                f"{mesure.mo_par_s:>7.1f} Mo/s   "
            )
            if mesure.caracteres > TAILLE_REFERENCE:
                ligne += "non mesurée (40 Ko seulement)"
            elif self.delai_s == 0:
                ligne += "non mesurée (--delai 0)"
            elif ancienne is None:
                ligne += f"> {self.delai_s:g} s (arrêtée)"
            else:
                identique = "identique" if ancienne.empreinte == mesure.empreinte else "DIFFÉRENTE"
                rapport = ancienne.duree_s / max(mesure.duree_s, 1e-9)
                ligne += (
                    f"{ancienne.duree_s:.3f} s, {ancienne.mo_par_s:.3f} Mo/s (x{rapport:.0f}), "
                    f"sortie {identique}"
                )
            sortie.append(ligne)
        return sortie


def run_redaction(delai: float) -> Resultats:
    """Every family at every size, `redact_text` in this process then, on the 40 KB texts and
    unless `delai` is 0, the baseline in a fresh process."""
    lignes: list[tuple[Mesure, Mesure | None]] = []
    for famille in FAMILLES:
        for taille in TAILLES:
            mesure = mesurer(famille, taille)
            ancienne = (
                mesurer_ancienne(famille, taille, delai)
                if taille == TAILLE_REFERENCE and delai > 0
                else None
            )
            lignes.append((mesure, ancienne))
    return Resultats(delai, lignes)


# --- The baseline: workers/runtime/redaction.py before it ran in linear time, frozen. --------
# Kept for this benchmark only (and as the reference of tests/workers/test_redaction_lineaire.py);
# never used to redact anything.

_ANCIENS_MOTIFS = [
    re.compile(
        r"(?<![0-9])[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?"
        r"(?![0-9A-Za-z])"
    ),
    re.compile(r"\b\d{9}[A-Z]{2}\b"),
    re.compile(r"\b(?=[0-9A-Z]*\d)[0-9A-Z]{10}[A-Z]\b"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?:\+|\b00)\d{1,3}(?:[ .-]?\d){6,13}\b"),
    re.compile(r"\b0[1-9](?:[ .-]?\d{2}){4}\b"),
    re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b"),
]
# The replaced version's *scanning* (its regular expressions and loops), with today's masking
# *policy* shared with the live module (which names are personal, a personal value masked whole
# keeping its shape, IBANs with valid check digits): the differential tests compare algorithms,
# not policies.
_ancien_est_personnel = _is_personal_field


_ANCIENNE_VALEUR = "(valeur: "
_ANCIENNE_CITATION = re.compile(r"([A-Za-z_][\w.\[\]]*)\s*«\s*(.*?)\s*»")
_ANCIENS_OUVRANTS = {"(": ")", "[": "]", "{": "}"}


def _ancienne_fin_de_repr(text: str, debut: int) -> int | None:
    attendus: list[str] = []
    guillemet: str | None = None
    i = debut
    while i < len(text):
        c = text[i]
        if guillemet:
            if c == "\\":
                i += 1
            elif c == guillemet:
                guillemet = None
        elif c in "'\"":
            guillemet = c
        elif c in _ANCIENS_OUVRANTS:
            attendus.append(_ANCIENS_OUVRANTS[c])
        elif attendus and c == attendus[-1]:
            attendus.pop()
        elif not attendus and c == ")":
            return i
        i += 1
    return None


def _ancien_masquer_repr(valeur: str) -> str:
    try:
        lue = ast.literal_eval(valeur)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return MASK
    if isinstance(lue, dict | list | tuple):
        return repr(_ancienne_redaction_valeur(lue))
    if isinstance(lue, bool | int | float) or lue is None:
        return valeur
    return MASK


def _anciennes_valeurs_citees(text: str) -> str:
    morceaux: list[str] = []
    position = 0
    while (trouve := text.find(_ANCIENNE_VALEUR, position)) >= 0:
        debut = trouve + len(_ANCIENNE_VALEUR)
        fin = _ancienne_fin_de_repr(text, debut)
        if fin is None:
            morceaux.append(text[position:debut] + MASK + ")")
            position = len(text)
            break
        morceaux.append(text[position:debut] + _ancien_masquer_repr(text[debut:fin]) + ")")
        position = fin + 1
    morceaux.append(text[position:])
    text = "".join(morceaux)
    return _ANCIENNE_CITATION.sub(
        lambda m: (
            f"{m.group(1)} « {MASK} »"
            if _ancien_est_personnel(re.split(r"[.\[\]]", m.group(1).rstrip("]"))[-1])
            else m.group(0)
        ),
        text,
    )


_ANCIENNE_DATE_NAISSANCE = re.compile(
    r"(naissance[^0-9;]{0,30}?)(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE
)
_ANCIENNE_CLE_VALEUR = re.compile(
    r"""(?P<cle>["'](?P<nom>[A-Za-z_]\w*)["']\s*:\s*)"""
    r"""(?P<valeur>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^,{}\[\]\s]+)"""
)


def _ancienne_redaction(text: str) -> str:
    """`redact_text` before it ran in linear time."""
    if _ANCIENNE_VALEUR in text or "«" in text:
        text = _anciennes_valeurs_citees(text)
    if ":" in text:
        text = _ANCIENNE_CLE_VALEUR.sub(
            lambda m: (
                m.group("cle") + f'"{MASK}"'
                if _ancien_est_personnel(m.group("nom"))
                else m.group(0)
            ),
            text,
        )
        text = masquer_blocs_personnels(text)
    if "naissance" in text.lower():
        text = _ANCIENNE_DATE_NAISSANCE.sub(lambda m: m.group(1) + MASK, text)
    for pattern in _ANCIENS_MOTIFS:
        text = pattern.sub(MASK, text)
    return _masquer_ibans(text)


def _ancienne_redaction_valeur(value: Any) -> Any:
    if isinstance(value, str):
        return _ancienne_redaction(value)
    if isinstance(value, Mapping):
        return {
            key: _masquer_tout(item)
            if isinstance(key, str) and _ancien_est_personnel(key)
            else _ancienne_redaction_valeur(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_ancienne_redaction_valeur(item) for item in value]
    return value


def _ancienne_redaction_journal(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """`redact_personal_data` before it ran in linear time."""
    for key in list(event_dict):
        if _ancien_est_personnel(key):
            event_dict[key] = _masquer_tout(event_dict[key])
        else:
            event_dict[key] = _ancienne_redaction_valeur(event_dict[key])
    return event_dict


if __name__ == "__main__":
    _main(sys.argv[1:])
