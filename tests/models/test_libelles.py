"""The label catalogue covers every code staff meet: each status of each scheme (from the
state models' enums), each decision type, each notification object the workflows send."""

import ast
from enum import StrEnum
from pathlib import Path

import pytest

from models import cae_dom, libelles, textes
from models.libelles import STATUTS, libelle_statut
from workers.services.regimes import REGIMES

RACINE = Path(__file__).resolve().parents[2]


def _enum_statut(workflow: str) -> type[StrEnum]:
    annotation = REGIMES[workflow].etat.model_fields["statut"].annotation
    assert isinstance(annotation, type), workflow
    assert issubclass(annotation, StrEnum), workflow
    return annotation


@pytest.mark.parametrize("workflow", sorted(REGIMES))
def test_every_status_of_every_scheme_has_a_french_label(workflow: str) -> None:
    enum = _enum_statut(workflow)
    manquants = [s.value for s in enum if s.value not in STATUTS.get(workflow, {})]
    assert manquants == [], f"{workflow} : statuts sans libellé {manquants}"
    for statut in enum:
        libelle = libelle_statut(workflow, statut.value)
        assert libelle != statut.value, (workflow, statut)
        assert "_" not in libelle, (workflow, statut, libelle)


def test_the_catalogue_labels_only_schemes_that_exist() -> None:
    assert set(STATUTS) <= set(REGIMES)


def test_every_quarter_status_of_the_cae_dom_schedule_has_a_label() -> None:
    assert {s.value for s in cae_dom.StatutTrimestre} <= set(libelles.STATUTS_TRIMESTRE)


@pytest.mark.parametrize("workflow", sorted(w for w, r in REGIMES.items() if r.types_decision))
def test_every_decision_type_has_a_label(workflow: str) -> None:
    for code in REGIMES[workflow].types_decision:
        assert code in libelles.DECISIONS, f"{workflow} : décision {code} sans libellé"


def _objets_notifies() -> set[str]:
    """The constant objects passed to `_notifier(destinataire, objet, ...)` in the workflows."""
    objets = set()
    for fichier in (RACINE / "workflows").rglob("*.py"):
        for noeud in ast.walk(ast.parse(fichier.read_text(encoding="utf-8"))):
            if (
                isinstance(noeud, ast.Call)
                and isinstance(noeud.func, ast.Attribute)
                and noeud.func.attr == "_notifier"
                and len(noeud.args) >= 2
                and isinstance(noeud.args[1], ast.Constant)
                and isinstance(noeud.args[1].value, str)
            ):
                objets.add(noeud.args[1].value)
    return objets


def test_every_notification_object_the_workflows_send_has_a_label() -> None:
    objets = _objets_notifies()
    assert len(objets) > 15, objets  # the walk finds them
    assert sorted(o for o in objets if o not in libelles.NOTIFICATIONS) == []


def test_an_unknown_code_reads_as_itself_and_an_unlisted_reminder_as_a_reminder() -> None:
    assert libelle_statut("contrat-pro", "inconnu") == "inconnu"
    assert libelle_statut(None, "a_corriger") == "Bilan à corriger"
    assert libelles.libelle_notification("RAPPEL_DEMANDE_PAIEMENT") == ("Rappel : demande paiement")


def test_a_reference_names_the_text_by_its_title_and_section() -> None:
    assert textes.reference("003", "section 2") == (
        "Règlement d'intervention de l'aide au contrat de professionnalisation, section 2"
    )
    seeds = RACINE.parent / "shared" / "seeds"
    for texte in textes.TEXTES.values():
        assert texte.fichier.startswith(texte.numero)
        if seeds.is_dir():  # beside the repository on the team's machines, not in every clone
            assert (seeds / texte.fichier).is_file(), texte.fichier
