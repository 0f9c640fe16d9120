"""Every catalogue example, fed through the logs, the dead-letter reasons and the dead-letter
store's masked view, shows none of its personal values (issue 19: redaction by the catalogue's
marks, `models.personnel`; the names list and the patterns stay a second net)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from events.catalogue import CATALOGUE, TypeEvenement
from events.delivery import Rejet, parse
from events.registre import RebutRecu, origine_kafka
from models.evenements import CloudEvent
from models.personnel import chemins_personnels, masquer
from workers.runtime.codec import lire_trousseau, nouvelle_cle
from workers.runtime.database import engine_for, upgrade
from workers.runtime.redaction import redact_personal_data, redact_text
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import Identite, Role

MARQUES_PERSONNELLES = [spec for spec in CATALOGUE.values() if chemins_personnels(spec.contrat)]
SUPERVISEUR = Identite(nom="sup", role=Role.SUPERVISEUR, dispositifs=("*",), partenaire=None)


def _valeurs(noeud: Any) -> list[str]:
    """The scalar values under a node, as texts of at least 3 characters (shorter ones, a
    `1` or `M`, would be found anywhere)."""
    if isinstance(noeud, dict):
        return [v for item in noeud.values() for v in _valeurs(item)]
    if isinstance(noeud, list):
        return [v for item in noeud for v in _valeurs(item)]
    if isinstance(noeud, bool) or noeud is None:
        return []
    texte = str(noeud)
    return [texte] if len(texte) >= 3 else []


def personnelles(spec: TypeEvenement) -> list[str]:
    """The example's values at the catalogue's personal marks, except those that also occur
    in a field that is not personal (a town named in an organisation's name)."""
    ailleurs = json.dumps(masquer(spec.exemple, spec.contrat, ""), ensure_ascii=False)
    trouvees: list[str] = []
    for chemin in chemins_personnels(spec.contrat):
        noeud: Any = spec.exemple
        for nom in chemin:
            noeud = noeud.get(nom) if isinstance(noeud, dict) else None
        trouvees += [v for v in _valeurs(noeud) if v not in ailleurs]
    return trouvees


# The types whose example holds a value at a personal mark. An optional personal block stays
# out of an example when filling it would change what the example means: scenarios start from
# the catalogue's examples, and a CAE-DOM renewal carrying a situation is a renewal that
# re-examines the employee's eligibility.
AVEC_DONNEES_PERSONNELLES = [spec for spec in MARQUES_PERSONNELLES if personnelles(spec)]


def _evenement(spec: TypeEvenement, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        id="exemple-1",
        source="/exemple",
        type=spec.nom,
        subject="EXEMPLE-1",
        time=datetime(2024, 9, 3, tzinfo=UTC),
        data=data,
    )


def _casse(spec: TypeEvenement) -> dict[str, Any]:
    """The example with every personal leaf replaced by a list (a type error naming the
    field) and a stray field: a record the contract refuses."""
    data: dict[str, Any] = json.loads(json.dumps(spec.exemple))
    for chemin in chemins_personnels(spec.contrat):
        noeud = data
        for nom in chemin[:-1]:
            noeud = noeud.get(nom, {}) if isinstance(noeud, dict) else {}
        if isinstance(noeud, dict) and chemin[-1] in noeud:
            noeud[chemin[-1]] = [personnelles(spec)[0], {"x": noeud[chemin[-1]]}]
    data["champ_inconnu"] = personnelles(spec)[0]
    return data


def test_some_catalogue_types_carry_personal_data_with_examples_holding_it() -> None:
    assert len(AVEC_DONNEES_PERSONNELLES) >= 2
    sans_exemple = {s.nom for s in MARQUES_PERSONNELLES} - {
        s.nom for s in AVEC_DONNEES_PERSONNELLES
    }
    assert sans_exemple <= {"asp.cae-dom.avenant-renouvellement.v1"}


@pytest.mark.parametrize("spec", AVEC_DONNEES_PERSONNELLES, ids=lambda s: s.nom)
def test_a_log_line_carrying_the_example_shows_no_personal_value(spec: TypeEvenement) -> None:
    evenement = _evenement(spec, dict(spec.exemple))
    ligne = redact_personal_data(
        None,
        "info",
        {"event": "evenement_recu", "data": evenement.data, "brut": evenement.model_dump_json()},
    )
    rendu = json.dumps(ligne, ensure_ascii=False)
    for valeur in personnelles(spec):
        assert valeur not in rendu, (spec.nom, valeur)
    assert redact_text(json.dumps(spec.exemple)) != json.dumps(spec.exemple)


@pytest.mark.parametrize("spec", AVEC_DONNEES_PERSONNELLES, ids=lambda s: s.nom)
async def test_a_dead_letter_of_the_example_shows_no_personal_value(
    spec: TypeEvenement, tmp_path: Path
) -> None:
    valeur = _evenement(spec, _casse(spec)).model_dump_json().encode()
    rejet = parse(spec.topic, valeur)
    assert isinstance(rejet, Rejet)
    engine = engine_for(f"sqlite:///{tmp_path / 'lecture.db'}")
    upgrade(engine)
    registre = RegistreRebutsSql(engine, lire_trousseau(f"k1:{nouvelle_cle()}"))
    await registre.consigner(
        RebutRecu(
            origine=origine_kafka(spec.topic, 0, 1),
            topic=spec.topic,
            partition=0,
            offset=1,
            cle="EXEMPLE-1",
            code=rejet.code,
            motif=rejet.motif,
            type=spec.nom,
            recu_le=datetime.now(UTC),
            valeur=valeur,
        )
    )
    vue = registre.lire(registre.lister(SUPERVISEUR).rebuts[0].id, SUPERVISEUR)
    engine.dispose()

    montre = json.dumps(vue.model_dump(mode="json"), ensure_ascii=False)
    for personnelle in personnelles(spec):
        assert personnelle not in rejet.motif, (spec.nom, personnelle, rejet.motif)
        assert personnelle not in montre, (spec.nom, personnelle)
