"""The CAE-DOM dossier workflow's partner events (all from the ASP): attendance statements,
payments, bank details, refunds, renewals, amendments, termination."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from models.cae_dom.commun import _refus
from models.cae_dom.convention import DureeHebdomadaire
from models.cae_dom.parties import NumeroConvention
from models.personnel import PERSONNEL
from rules import cae_dom

# --- the dossier workflow: event payloads (its state: etat.py) --------------------------------
#
# One workflow per convention (`cae-dom:<DDD-AA-NNNNN>`, the dossier key of the convention
# number: renewals and amendments stay in the same dossier). Every partner event comes from the
# ASP, which holds the convention (Cerfa notice, point 5: « Le prescripteur transmet le feuillet
# blanc accompagné du RIB ou RIP, à l'Agence de services et de paiement, pour paiement ») and
# collects the employers' attendance statements. See docs/cae_dom.md, section Workflow.

WORKFLOW = "cae-dom"


class _Evenement(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _trimestre(champ: str, value: str) -> cae_dom.Trimestre:
    try:
        return cae_dom.Trimestre.depuis_libelle(value)
    except ValueError as exc:
        raise _refus(
            champ, value, "format attendu AAAA-Tn, n de 1 à 4 (par exemple 2024-T1)"
        ) from exc


class PeriodeAbsence(_Evenement):
    """Calendar days, both inclusive."""

    du: date = Field(description="premier jour d'absence")
    au: date = Field(description="dernier jour d'absence (inclus)")

    @model_validator(mode="after")
    def _ordre(self) -> Self:
        if self.au < self.du:
            raise _refus("au", self.au.isoformat(), f"antérieur au premier jour ({self.du})")
        return self


_FORMAT_MOIS = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


class EtatPresenceCaeDom(_Evenement):
    """ASP: the employer's quarterly attendance statement (`asp.cae-dom.etat-presence.v1`).

    Not in the seed (annexe II, q. 1, point 2 only says the aid is paid quarterly); the issue
    asks for months worked and unpaid absences. Chosen payload: the quarter, the months of the
    quarter not worked at all (`mois_non_travailles`, « AAAA-MM ») and the periods of unpaid
    absence (`absences_non_remunerees`, calendar days inclusive). Every declared day is taken
    out of the covered days; see `activities.regles_cae_dom.liquider`.
    """

    trimestre: str = Field(description="trimestre civil déclaré, AAAA-Tn (ex. 2024-T1)")
    mois_non_travailles: list[str] = Field(
        default_factory=list, description="mois du trimestre non travaillés du tout, AAAA-MM"
    )
    absences_non_remunerees: list[PeriodeAbsence] = Field(
        default_factory=list, description="périodes d'absence non rémunérée (jours calendaires)"
    )

    @field_validator("trimestre")
    @classmethod
    def _format_trimestre(cls, value: str) -> str:
        return _trimestre("trimestre", value).libelle

    @field_validator("mois_non_travailles")
    @classmethod
    def _mois(cls, value: list[str], info: ValidationInfo) -> list[str]:
        libelle = info.data.get("trimestre")
        trimestre = cae_dom.Trimestre.depuis_libelle(libelle) if libelle else None
        for mois in value:
            match = _FORMAT_MOIS.fullmatch(mois)
            if match is None:
                raise _refus("mois_non_travailles", mois, "format attendu AAAA-MM")
            premier = date(int(match[1]), int(match[2]), 1)
            if trimestre is not None and cae_dom.Trimestre.de_date(premier) != trimestre:
                raise _refus(
                    "mois_non_travailles", mois, f"ce mois n'est pas dans le trimestre {libelle}"
                )
        if len(set(value)) != len(value):
            raise _refus("mois_non_travailles", ", ".join(value), "un mois est déclaré deux fois")
        return value

    @field_validator("absences_non_remunerees")
    @classmethod
    def _absences(cls, value: list[PeriodeAbsence], info: ValidationInfo) -> list[PeriodeAbsence]:
        libelle = info.data.get("trimestre")
        if not libelle:
            return value
        trimestre = cae_dom.Trimestre.depuis_libelle(libelle)
        for absence in value:
            if absence.du < trimestre.premier_jour or absence.au > trimestre.dernier_jour:
                raise _refus(
                    "absences_non_remunerees",
                    f"{absence.du} au {absence.au}",
                    f"hors du trimestre {libelle} ({trimestre.premier_jour} au "
                    f"{trimestre.dernier_jour})",
                )
        return value

    def periodes_non_travaillees(self) -> list[tuple[date, date]]:
        """Every declared day, as inclusive periods (whole months included), sorted."""
        periodes = [(a.du, a.au) for a in self.absences_non_remunerees]
        for mois in self.mois_non_travailles:
            premier = date(int(mois[:4]), int(mois[5:]), 1)
            periodes.append((premier, cae_dom.ajouter_mois(premier, 1) - timedelta(days=1)))
        return sorted(periodes)


class _Ordre(_Evenement):
    ordre_id: str = Field(min_length=1, max_length=200, description="identifiant de l'ordre")


class PaiementExecuteCaeDom(_Ordre):
    """ASP: a quarterly payment order was executed (`asp.cae-dom.paiement-execute.v1`)."""

    date_execution: date = Field(description="date du paiement par l'ASP")
    montant: Decimal | None = Field(
        default=None, gt=0, decimal_places=2, description="montant payé, s'il est transmis"
    )


class PaiementRejeteCaeDom(_Ordre):
    """ASP: a quarterly payment order was rejected (`asp.cae-dom.paiement-rejete.v1`)."""

    motif: str = Field(min_length=1, max_length=500, description="motif du rejet")


class CoordonneesBancairesCaeDom(_Evenement):
    """ASP: the employer's new bank details (`asp.cae-dom.coordonnees-bancaires-corrigees.v1`);
    every rejected quarter is ordered again."""

    rib_reference: str = Field(
        min_length=1, max_length=100, description="référence du RIB enregistré à l'ASP"
    )


class ReversementRecuCaeDom(_Ordre):
    """ASP: a sum was received on a recovery order (`asp.cae-dom.reversement-recu.v1`)."""

    montant: Decimal = Field(gt=0, decimal_places=2, description="somme encaissée, EUR")
    date_encaissement: date = Field(description="date de l'encaissement par l'ASP")


class _Avenant(_Evenement):
    numero_convention: NumeroConvention = Field(
        description="numéro de l'avenant, DDD-AA-NNNNN-RR-MM"
    )
    date_signature: date = Field(description="date de signature de l'avenant")
    date_fin: date | None = Field(
        default=None, description="nouvelle date de fin de prise en charge"
    )
    niveau_prime_mensuel: Decimal | None = Field(
        default=None, gt=0, decimal_places=2, description="euros par mois pour un temps plein"
    )
    duree_hebdomadaire: DureeHebdomadaire | None = Field(
        default=None, description="nouvelle durée hebdomadaire du salarié"
    )
    duree_collective: DureeHebdomadaire | None = Field(
        default=None, description="nouvelle durée collective de l'établissement"
    )


class SituationRenouvellement(_Evenement):
    """The employee's situation at the renewal: what the maximum duration depends on (annexe
    II, question 3 and its footnote (1)), known at renewal rather than at the first signature.

    Optional in `RenouvellementCaeDom` (payloads sent before it stay valid). Chosen fields:
    the three ways to 60 months (qualifying training in progress; recognised disabled worker
    or AAH; minimum benefits with the age condition) and the RSA socle's 30 months. The date
    of birth is required with a minimum benefit (the age condition needs it) and must be the
    Cerfa's: a wrong birth date is corrected by a GDPR rectification, not by a renewal.
    """

    formation_qualifiante_en_cours: bool = Field(
        default=False, description="formation qualifiante en cours à la date du renouvellement"
    )
    travailleur_handicape: bool = Field(
        default=False, description="reconnu travailleur handicapé (RQTH)"
    )
    beneficiaire_aah: bool = Field(default=False, description="bénéficiaire de l'AAH")
    beneficiaire_ass: bool = Field(default=False, description="bénéficiaire de l'ASS")
    beneficiaire_rsa: bool = Field(
        default=False, description="bénéficiaire du RSA financé par le département (RSA socle)"
    )
    date_naissance: date | None = Field(
        default=None,
        validate_default=True,
        description="date de naissance du salarié, obligatoire avec un minimum social",
        json_schema_extra=PERSONNEL,
    )

    @field_validator("date_naissance")
    @classmethod
    def _naissance(cls, value: date | None, info: ValidationInfo) -> date | None:
        minima = [
            info.data.get(k) for k in ("beneficiaire_ass", "beneficiaire_rsa", "beneficiaire_aah")
        ]
        if value is None and any(m is True for m in minima):
            raise _refus(
                "situation.date_naissance",
                None,
                "obligatoire pour un bénéficiaire de l'ASS, du RSA ou de l'AAH (condition "
                "d'âge de 50 ans, circulaire DGEFP n° 2011-02, annexe II, question 3)",
            )
        return value

    def beneficiaire(self, date_naissance: date) -> cae_dom.Beneficiaire:
        """The facts of the maximum duration at the renewal; `date_naissance` is the Cerfa's
        (the situation's, when given, is checked equal to it by the workflow)."""
        return cae_dom.Beneficiaire(
            date_naissance=date_naissance,
            beneficiaire_rsa_socle=self.beneficiaire_rsa,
            travailleur_handicape=self.travailleur_handicape,
            beneficiaire_aah=self.beneficiaire_aah,
            beneficiaire_minima_sociaux=self.beneficiaire_ass
            or self.beneficiaire_rsa
            or self.beneficiaire_aah,
            formation_qualifiante_en_cours=self.formation_qualifiante_en_cours,
        )


class RenouvellementCaeDom(_Avenant):
    """ASP: a renewal amendment (« avenant renouvellement », `asp.cae-dom.avenant-renouvellement
    .v1`): the coverage runs on to `date_fin`; new level or hours apply from the day after the
    previous end. Checked against the maximum duration (annexe II, q. 3): with a `situation`,
    the maximum is evaluated again from it (counted from the initial coverage start); without
    one, the maximum of the registration holds."""

    date_fin: date = Field(description="nouvelle date de fin de prise en charge")
    situation: SituationRenouvellement | None = Field(
        default=None,
        description="situation du salarié au renouvellement (durée maximale réévaluée)",
    )

    @field_validator("numero_convention")
    @classmethod
    def _renouvellement(cls, value: NumeroConvention) -> NumeroConvention:
        if value.avenant_renouvellement == 0:
            raise _refus(
                "numero_convention", str(value), "un avenant de renouvellement a un indice RR >= 01"
            )
        return value


class ModificationCaeDom(_Avenant):
    """ASP: an amendment (« avenant modification », `asp.cae-dom.avenant-modification.v1`):
    new hours, level or end date from `date_effet`."""

    date_effet: date = Field(description="date d'effet de la modification")

    @field_validator("numero_convention")
    @classmethod
    def _modification(cls, value: NumeroConvention) -> NumeroConvention:
        if value.avenant_modification == 0:
            raise _refus(
                "numero_convention", str(value), "un avenant de modification a un indice MM >= 01"
            )
        return value

    @model_validator(mode="after")
    def _un_changement(self) -> Self:
        changements = (
            self.date_fin,
            self.niveau_prime_mensuel,
            self.duree_hebdomadaire,
            self.duree_collective,
        )
        if all(c is None for c in changements):
            raise _refus(
                "avenant",
                str(self.numero_convention),
                "un avenant de modification change la date de fin, le niveau de prime ou une "
                "durée hebdomadaire",
            )
        return self


class RuptureCaeDom(_Evenement):
    """ASP: the contract ended before the coverage end (`asp.cae-dom.rupture.v1`).

    A `date_fin_effective` before the coverage start is the Cerfa's « non exécution »: nothing
    is due and every sum paid is recovered."""

    date_fin_effective: date = Field(description="dernier jour d'exécution du contrat")
    motif: str = Field(min_length=1, max_length=500, description="démission, licenciement...")
