"""The Cerfa's contract, planned actions and State support, and the convention as a whole
(`ConventionCaeDom`: every Cerfa field, checked across sections)."""

from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from models.cae_dom.commun import _FORMAT_IDE, _FORMAT_ROME, _Modele, _niveau_formation, _refus
from models.cae_dom.parties import (
    AdresseTerritoire,
    Employeur,
    NumeroConvention,
    Salarie,
    SituationAnterieure,
)
from models.personnel import PERSONNEL
from rules import cae_dom

# --- le contrat de travail ------------------------------------------------------------------


class TypeContrat(StrEnum):
    CDI = "CDI"
    CDD = "CDD"


class DureeHebdomadaire(_Modele):
    """« ... h ... minutes » per week."""

    heures: int = Field(ge=0, le=48)
    minutes: int = Field(default=0, ge=0, le=59)

    @model_validator(mode="after")
    def _positive_et_legale(self) -> Self:
        total = self.heures * 60 + self.minutes
        if total == 0 or total > 48 * 60:
            raise _refus(
                "durée hebdomadaire",
                f"{self.heures} h {self.minutes:02d}",
                "une durée hebdomadaire est comprise entre 1 minute et 48 heures",
            )
        return self

    @property
    def en_heures(self) -> Fraction:
        return Fraction(self.heures * 60 + self.minutes, 60)


class ContratTravail(_Modele):
    """« Le contrat de travail »."""

    type_contrat: TypeContrat
    date_embauche: date
    date_fin_prevue: date | None = Field(
        default=None, validate_default=True, description="« si CDD »"
    )
    code_rome: str
    salaire_brut_mensuel: Decimal = Field(gt=0, decimal_places=2)
    duree_hebdomadaire: DureeHebdomadaire
    modulation: bool
    duree_collective: DureeHebdomadaire
    lieu_execution: AdresseTerritoire | None = Field(
        default=None, description="if different from the employer's address"
    )

    @field_validator("date_fin_prevue")
    @classmethod
    def _fin_cdd(cls, value: date | None, info: ValidationInfo) -> date | None:
        type_contrat = info.data.get("type_contrat")
        embauche = info.data.get("date_embauche")
        if type_contrat is TypeContrat.CDD and value is None:
            raise _refus(
                "date_fin_prevue", value, "la date prévue de fin est obligatoire pour un CDD"
            )
        if type_contrat is TypeContrat.CDI and value is not None:
            raise _refus("date_fin_prevue", value, "un CDI n'a pas de date de fin prévue")
        if value is not None and isinstance(embauche, date) and value <= embauche:
            raise _refus(
                "date_fin_prevue",
                value,
                f"la fin du CDD doit suivre la date d'embauche ({embauche.isoformat()})",
            )
        return value

    @field_validator("code_rome", mode="before")
    @classmethod
    def _rome(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        code = value.strip().upper()
        if not _FORMAT_ROME.fullmatch(code):
            raise _refus(
                "code_rome",
                value,
                "un code ROME s'écrit une lettre et 4 chiffres, par exemple K2204",
            )
        return code


# --- les actions d'accompagnement et de formation prévues ---------------------------------


class Initiative(IntEnum):
    """« Indiquez 1, 2 ou 3 ... selon que l'action est mobilisée à l'initiative de »."""

    EMPLOYEUR = 1
    SALARIE = 2
    PRESCRIPTEUR = 3


class TypeAccompagnement(StrEnum):
    REMOBILISATION_VERS_L_EMPLOI = "remobilisation_vers_l_emploi"
    AIDE_A_LA_PRISE_DE_POSTE = "aide_a_la_prise_de_poste"
    PROJET_PROFESSIONNEL = "elaboration_du_projet_professionnel"
    EVALUATION_DES_CAPACITES = "evaluation_des_capacites_et_des_competences"
    AIDE_A_LA_RECHERCHE_D_EMPLOI = "aide_a_la_recherche_d_emploi"
    AUTRE = "autre"


class TypeFormation(StrEnum):
    ADAPTATION_AU_POSTE = "adaptation_au_poste_de_travail"
    REMISE_A_NIVEAU = "remise_a_niveau"
    PREQUALIFICATION = "prequalification"
    NOUVELLES_COMPETENCES = "acquisition_de_nouvelles_competences"
    FORMATION_QUALIFIANTE = "formation_qualifiante"


class ActionAccompagnement(_Modele):
    type: TypeAccompagnement
    initiative: Initiative
    precision: str | None = Field(default=None, max_length=200, validate_default=True)

    @field_validator("precision")
    @classmethod
    def _autre(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("type") is TypeAccompagnement.AUTRE and not value:
            raise _refus("precision", value, "« Autre : précisez » : la précision est obligatoire")
        return value


class ActionFormation(_Modele):
    type: TypeFormation
    initiative: Initiative


class ActionsPrevues(_Modele):
    """« Les actions d'accompagnement et de formation prévues »."""

    tuteur: str = Field(
        min_length=1, max_length=160, description="nom et fonction", json_schema_extra=PERSONNEL
    )
    organisme_suivi: str = Field(min_length=1, max_length=160)
    referent: str = Field(min_length=1, max_length=120, json_schema_extra=PERSONNEL)
    accompagnement_social: bool
    accompagnement_professionnel: list[ActionAccompagnement] = Field(default_factory=list)
    formation: list[ActionFormation] = Field(default_factory=list)
    formation_interne: bool = False
    formation_externe: bool = False
    periodes_professionnalisation: bool = False
    niveau_qualification_vise: str | None = Field(default=None, validate_default=True)
    validation_des_acquis_de_l_experience: bool = False

    @field_validator("accompagnement_professionnel", "formation")
    @classmethod
    def _une_fois(
        cls, value: list[ActionAccompagnement] | list[ActionFormation], info: ValidationInfo
    ) -> list[ActionAccompagnement] | list[ActionFormation]:
        types = [action.type for action in value]
        doublons = sorted({str(t) for t in types if types.count(t) > 1})
        if doublons:
            raise _refus(
                str(info.field_name),
                ", ".join(doublons),
                "chaque type d'action ne se coche qu'une fois",
            )
        return value

    @field_validator("niveau_qualification_vise")
    @classmethod
    def _niveau_vise(cls, value: str | None, info: ValidationInfo) -> str | None:
        periodes = info.data.get("periodes_professionnalisation")
        if periodes is True and value is None:
            raise _refus(
                "niveau_qualification_vise",
                value,
                "obligatoire (tableau 2) avec des périodes de professionnalisation",
            )
        if value is not None:
            return _niveau_formation("niveau_qualification_vise", value)
        return value

    @property
    def formation_qualifiante(self) -> bool:
        return any(a.type is TypeFormation.FORMATION_QUALIFIANTE for a in self.formation)


# --- la prise en charge ----------------------------------------------------------------------


class PriseEnCharge(_Modele):
    """« La prise en charge (cadre réservé au prescripteur) »."""

    date_effet: date
    date_fin: date
    niveau_prime_mensuel: Decimal = Field(
        gt=0, decimal_places=2, description="euros par mois pour un temps plein"
    )
    operation_speciale: str | None = Field(default=None, max_length=60)

    @field_validator("date_fin")
    @classmethod
    def _fin(cls, value: date, info: ValidationInfo) -> date:
        effet = info.data.get("date_effet")
        if isinstance(effet, date) and value < effet:
            raise _refus(
                "date_fin",
                value.isoformat(),
                "la fin de la prise en charge ne peut "
                f"précéder sa date d'effet ({effet.isoformat()})",
            )
        return value


# --- the convention ---------------------------------------------------------------------------


class ConventionCaeDom(_Modele):
    """The whole Cerfa: prescriber's box, employer, employee, prior situation, employment
    contract, planned actions, coverage, signatures."""

    numero_convention: NumeroConvention
    date_depot: date | None = None
    code_prescripteur: str = Field(min_length=1, max_length=20)
    numero_ide: str | None = Field(
        default=None,
        description="identifiant Pôle emploi, if registered",
        json_schema_extra=PERSONNEL,
    )
    employeur: Employeur
    salarie: Salarie = Field(json_schema_extra=PERSONNEL)
    situation: SituationAnterieure
    contrat: ContratTravail
    actions: ActionsPrevues
    prise_en_charge: PriseEnCharge
    date_signature_employeur_salarie: date
    date_signature_etat: date
    date_transmission_asp: date | None = None
    date_effet_initiale: date | None = Field(
        default=None,
        description="Cerfa de renouvellement seulement : date d'effet de la prise en charge "
        "initiale, d'où compte la durée maximale (par défaut la date d'embauche, « identique à "
        "la date d'embauche si convention initiale »)",
    )

    @field_validator("numero_ide", mode="before")
    @classmethod
    def _ide(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if not _FORMAT_IDE.fullmatch(value):
                raise _refus(
                    "numero_ide",
                    value,
                    "un identifiant Pôle emploi compte 8 à 11 lettres ou chiffres",
                )
        return value

    @model_validator(mode="after")
    def _coherence(self) -> Self:
        contrat, prise = self.contrat, self.prise_en_charge
        if self.situation.inscrit_pole_emploi and self.numero_ide is None:
            raise _refus("numero_ide", None, "obligatoire si le salarié est inscrit à Pôle emploi")
        if prise.date_effet < contrat.date_embauche:
            raise _refus(
                "prise_en_charge.date_effet",
                prise.date_effet.isoformat(),
                f"la prise en charge ne peut commencer avant l'embauche "
                f"({contrat.date_embauche.isoformat()})",
            )
        if self.numero_convention.est_initiale and prise.date_effet != contrat.date_embauche:
            raise _refus(
                "prise_en_charge.date_effet",
                prise.date_effet.isoformat(),
                "pour une convention initiale, la date d'effet est identique à la date "
                f"d'embauche ({contrat.date_embauche.isoformat()})",
            )
        if contrat.date_fin_prevue is not None and prise.date_fin > contrat.date_fin_prevue:
            raise _refus(
                "prise_en_charge.date_fin",
                prise.date_fin.isoformat(),
                "la prise en charge ne peut dépasser la fin prévue du CDD "
                f"({contrat.date_fin_prevue.isoformat()})",
            )
        if self.date_effet_initiale is not None:
            if self.numero_convention.est_initiale:
                raise _refus(
                    "date_effet_initiale",
                    self.date_effet_initiale.isoformat(),
                    "sans objet pour une convention initiale (indices d'avenant 00-00) : "
                    "sa date d'effet est celle de la prise en charge",
                )
            if self.date_effet_initiale > prise.date_effet:
                raise _refus(
                    "date_effet_initiale",
                    self.date_effet_initiale.isoformat(),
                    "la prise en charge initiale commence au plus tard à la date d'effet du "
                    f"renouvellement ({prise.date_effet.isoformat()})",
                )
        lieu = contrat.lieu_execution or self.employeur.adresse
        if lieu.departement != self.numero_convention.departement:
            raise _refus(
                "numero_convention.departement",
                self.numero_convention.departement,
                f"le lieu d'exécution du contrat (code postal {lieu.code_postal}) relève du "
                f"département {lieu.departement}",
            )
        return self

    @property
    def date_convention(self) -> date:
        """The convention is concluded when its last party signs (« Fait le » of the employer
        and employee, « Fait le » of the State)."""
        return max(self.date_signature_employeur_salarie, self.date_signature_etat)

    def beneficiaire(self) -> cae_dom.Beneficiaire:
        """The facts the maximum duration depends on. « RSA financé par le département » is
        read as RSA socle; a planned qualifying training counts as « formation qualifiante en
        cours »."""
        situation = self.situation
        return cae_dom.Beneficiaire(
            date_naissance=self.salarie.date_naissance,
            beneficiaire_rsa_socle=situation.beneficiaire_rsa,
            travailleur_handicape=situation.travailleur_handicape,
            beneficiaire_aah=situation.beneficiaire_aah,
            beneficiaire_minima_sociaux=situation.beneficiaire_minima_sociaux,
            formation_qualifiante_en_cours=self.actions.formation_qualifiante,
        )

    @property
    def debut_initial(self) -> date:
        """The initial convention's coverage start, which the maximum duration counts from
        (annexe II, question 3: the durations are those of the convention, renewals
        included). An initial convention: its own date d'effet. A renewal Cerfa (« avenant
        renouvellement » >= 01) that opens the dossier: `date_effet_initiale`, or else the
        hiring date, since the initial convention's date d'effet is « identique à la date
        d'embauche si convention initiale » (Cerfa, « La prise en charge »)."""
        if self.numero_convention.est_initiale:
            return self.prise_en_charge.date_effet
        return self.date_effet_initiale or self.contrat.date_embauche

    def duree_maximale_mois(self, debut_initial: date | None = None) -> int:
        """`debut_initial`: the initial convention's coverage start (default `debut_initial`)."""
        return cae_dom.duree_maximale_mois(self.beneficiaire(), debut_initial or self.debut_initial)

    def motifs_refus(self, debut_initial: date | None = None) -> list[cae_dom.Motif]:
        """Eligibility (rules.cae_dom.motifs_refus); `debut_initial` as above. A renewal Cerfa
        is signed after the hiring by construction: « la conclusion de la convention
        individuelle de CAE-DOM doit désormais obligatoirement précéder l'embauche » (annexe
        II, question 1) concerns the initial convention, so its own signature date is not
        checked against the hiring."""
        return cae_dom.motifs_refus(
            departement=self.numero_convention.departement,
            initiale=self.numero_convention.est_initiale,
            date_convention=self.date_convention,
            date_embauche=self.contrat.date_embauche,
            debut_prise_en_charge=debut_initial or self.debut_initial,
            fin_prise_en_charge=self.prise_en_charge.date_fin,
            beneficiaire=self.beneficiaire(),
        )

    def parametres_aide(self) -> cae_dom.ParametresAide:
        return cae_dom.ParametresAide(
            debut=self.prise_en_charge.date_effet,
            fin=self.prise_en_charge.date_fin,
            niveau_prime_mensuel=self.prise_en_charge.niveau_prime_mensuel,
            duree_hebdomadaire=self.contrat.duree_hebdomadaire.en_heures,
            duree_collective=self.contrat.duree_collective.en_heures,
        )

    def echeancier(
        self, date_fin_effective: date | None = None
    ) -> list[cae_dom.EcheanceTrimestrielle]:
        return cae_dom.echeancier(self.parametres_aide(), date_fin_effective)
