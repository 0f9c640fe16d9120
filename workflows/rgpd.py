"""The data subject's rights inside a dossier workflow (GDPR articles 16 and 18), the same way
for every scheme that serves them (contrat-pro, cae-dom).

`DroitsRgpd` is used from inside a workflow, next to its `Suivi`: it holds the GDPR state
(`models.rgpd.EtatRgpd`: restriction in force, rectifications applied or refused), carried
over continue-as-new under the `rgpd` key of the `reprise`; it applies the three
`guichet.rgpd.*` events (models/rgpd.py) and audits them with the admin as author, the field's
name and the reason, never the value. The scheme keeps what is its own: which fields may be
rectified and where they live in its state, what to re-evaluate after a correction, and how its
main loop holds timers and partner events while processing is restricted (`en_attente` and
`prochain` give it the GDPR events to apply meanwhile).
"""

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from models import rgpd
    from models.dossier import Nature
    from models.evenements import CloudEvent
    from workflows.suivi import Suivi

REPRISE_RGPD = "rgpd"
"""Key of the GDPR state (`models.rgpd.EtatRgpd`) in the continue-as-new `reprise`."""
LIBELLE_LIMITE = "traitement limité (RGPD): échéances suspendues"
"""The read model's deadline label while processing is restricted."""

_VALEUR_CITEE = re.compile(r"«[^»]*»")
_NOMBRE_CITE = re.compile(r"\(\d[\d-]*\)")
"""A model's refusal may quote the value (« 1850697 ») or a part of it, e.g. the NIR's birth
year (85) or the birth date (1985-06-10): neither goes to the audit or back to the admin."""

Reevaluer = Callable[[str], Awaitable[None]]
"""What the scheme re-evaluates after a field (named) was corrected."""


def regles_sans_valeur(exc: ValidationError) -> str:
    """The rules a value broke, without the value (nor any number quoted from it)."""
    regles = []
    for erreur in exc.errors(include_input=False, include_url=False):
        message = str(erreur["msg"]).removeprefix("Value error, ")
        message = _NOMBRE_CITE.sub("", _VALEUR_CITEE.sub("", message))
        regles.append(" ".join(message.split()))
    return "; ".join(regles)


class DroitsRgpd:
    def __init__(self, suivi: Suivi, reprise: Mapping[str, Any] | None) -> None:
        self._suivi = suivi
        self.etat = rgpd.EtatRgpd.model_validate((reprise or {}).get(REPRISE_RGPD, {}))

    @property
    def limitation(self) -> rgpd.LimitationEnCours | None:
        """The restriction of processing in force, if any."""
        return self.etat.limitation

    def en_attente(self) -> bool:
        """Whether a GDPR event is queued (applied even while processing is restricted)."""
        return self._suivi.en_attente(rgpd.TYPES)

    def prochain(self) -> CloudEvent | None:
        """The next GDPR event, ahead of the partner events held behind it."""
        return self._suivi.prochain(rgpd.TYPES)

    def reprise(self, donnees: dict[str, Any]) -> dict[str, Any]:
        """The scheme's `reprise` with the GDPR state, if there is any to carry over (a dossier
        no GDPR event ever reached continues-as-new with the same input as before)."""
        if self.etat != rgpd.EtatRgpd():
            donnees[REPRISE_RGPD] = self.etat.model_dump(mode="json")
        return donnees

    # --- the three events --------------------------------------------------------------------

    async def appliquer(
        self,
        event: CloudEvent,
        etat: BaseModel,
        rectifiables: Mapping[str, tuple[str, ...]],
        reevaluer: Reevaluer,
    ) -> str | None:
        """Apply a `guichet.rgpd.*` event to the scheme's state `etat` (mutated in place: the
        workflow's `Suivi` holds a part of it); returns why it was refused, or None."""
        if event.type == rgpd.RECTIFICATION:
            return await self._rectifier(event, etat, rectifiables, reevaluer)
        if event.type == rgpd.LIMITATION:
            return self._limiter(event)
        if event.type == rgpd.LEVEE_LIMITATION:
            return self._lever(event)
        return f"événement {event.type} inconnu des demandes RGPD"

    def refuser(self, event: CloudEvent, motif: str) -> None:
        """An admin's request refused: kept for the `rgpd` query and audited (not a partner's
        anomaly: nothing is announced on `guichet.dossiers`)."""
        self.etat.refus[event.id] = motif
        self._suivi.noter(
            self._suivi.entree(Nature.DECISION, "rgpd_refus", f"{event.id}/refus", refus=motif)
        )

    def _noter(
        self, event: CloudEvent, type_: str, demande: rgpd.DemandeRgpd, **detail: str
    ) -> None:
        entree = self._suivi.entree(
            Nature.DECISION, type_, f"{event.id}/rgpd", motif=demande.motif, **detail
        )
        self._suivi.noter(entree.model_copy(update={"auteur": demande.auteur}))

    async def _rectifier(
        self,
        event: CloudEvent,
        etat: BaseModel,
        rectifiables: Mapping[str, tuple[str, ...]],
        reevaluer: Reevaluer,
    ) -> str | None:
        """Correct a personal field, validated by the scheme's own model (the whole state is
        validated again, so the rules across fields hold too); the value is never written to
        the audit or a refusal."""
        try:
            demande = rgpd.Rectification.model_validate(event.data)
        except ValidationError as exc:
            return f"rectification: demande invalide ({exc.error_count()} erreur(s))"
        chemin = rectifiables.get(demande.champ)
        if chemin is None:
            return (
                f"rectification: le champ {demande.champ!r} n'est pas rectifiable ici "
                f"(champs rectifiables: {', '.join(sorted(rectifiables))})"
            )
        donnees = etat.model_dump(mode="json")
        parent: Any = donnees
        for rang, cle in enumerate(chemin[:-1]):
            parent = parent.get(cle) if isinstance(parent, dict) else None
            if not isinstance(parent, dict):
                donnee = ".".join(chemin[: rang + 1])
                return f"rectification: aucune donnée {donnee} dans le dossier (purgée ou absente)"
        actuel, champs = parent.get(chemin[-1]), {}
        if isinstance(actuel, dict) and isinstance(demande.valeur, dict):
            # A group of fields (an address, the employee): the fields given replace theirs,
            # the others stay, and the group is validated as a whole (e.g. NIR and birth date).
            parent[chemin[-1]] = {**actuel, **demande.valeur}
            champs = {"sous_champs": ", ".join(sorted(map(str, demande.valeur)))}
        else:
            parent[chemin[-1]] = demande.valeur
        try:
            corrige = type(etat).model_validate(donnees)
        except ValidationError as exc:
            return f"rectification de {demande.champ}: valeur refusée ({regles_sans_valeur(exc)})"
        setattr(etat, chemin[0], getattr(corrige, chemin[0]))
        self.etat.rectifications.append(event.id)
        self._noter(event, "rgpd_rectification", demande, champ=demande.champ, **champs)
        await reevaluer(demande.champ)
        return None

    def _limiter(self, event: CloudEvent) -> str | None:
        try:
            demande = rgpd.Limitation.model_validate(event.data)
        except ValidationError as exc:
            return f"limitation: demande invalide ({exc.error_count()} erreur(s))"
        if self.etat.limitation is not None:
            depuis = self.etat.limitation.depuis
            return f"limitation: le traitement est déjà limité depuis le {depuis:%d/%m/%Y}"
        self.etat.limitation = rgpd.LimitationEnCours(
            depuis=workflow.now(), motif=demande.motif, auteur=demande.auteur, evenement_id=event.id
        )
        self._noter(event, "rgpd_limitation", demande)
        return None

    def _lever(self, event: CloudEvent) -> str | None:
        try:
            demande = rgpd.LeveeLimitation.model_validate(event.data)
        except ValidationError as exc:
            return f"levée de limitation: demande invalide ({exc.error_count()} erreur(s))"
        if self.etat.limitation is None:
            return "levée de limitation: le traitement n'est pas limité"
        depuis = self.etat.limitation.depuis
        self.etat.limitation = None
        self._noter(event, "rgpd_levee_limitation", demande, depuis=depuis.isoformat())
        return None
