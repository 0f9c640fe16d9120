"""CAE-DOM convention between the State, the employer and the employee: every Cerfa field.

Source: `shared/seeds/004_022d0843bed3b39c.txt`, annexe III, Cerfa « Contrat unique d'insertion
- contrat d'accès à l'emploi (CAE-DOM) - convention entre l'État, l'employeur et le salarié »
(ASP 0562 12 10), its notice and its code tables. Sandbox-safe pydantic models: the code tables
are read by `rules.cae_dom` at import, never during validation.

A bad value is refused with a French message naming the field, the value and the rule; pydantic
adds the field's path.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from models.dossier import Anomalie, Registre
from rules import cae_dom

WORKFLOW = "cae-dom"


def _refus(champ: str, valeur: object, regle: str) -> ValueError:
    """The French message of a refusal: the field, the value given, the rule."""
    if valeur is None:
        return ValueError(f"{champ} (non renseigné) : {regle}")
    return ValueError(f"{champ} « {valeur} » : {regle}")


_FORMAT_NUMERO = re.compile(r"(\d{3})[ -]?(\d{2})[ -]?(\d{5})[ -]?(\d{2})[ -]?(\d{2})")
_FORMAT_NAF = re.compile(r"(\d{2})\.?(\d{2})([A-Z])")
_FORMAT_ROME = re.compile(r"[A-Z]\d{4}")
_FORMAT_CODE_POSTAL = re.compile(r"(?!00)\d{5}")
_FORMAT_COURRIEL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_FORMAT_IDCC = re.compile(r"\d{4}")
_FORMAT_IDE = re.compile(r"[0-9A-Z]{8,11}")
_FORMAT_DEPARTEMENT_NAISSANCE = re.compile(r"0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8]|99")


def _erreur_stdnum(exc: StdnumError) -> str:
    if isinstance(exc, InvalidLength):
        return "longueur incorrecte"
    if isinstance(exc, InvalidChecksum):
        return "clé de contrôle fausse"
    if isinstance(exc, InvalidFormat):
        return "caractères non admis"
    return "numéro invalide"


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- cadre réservé au prescripteur ---------------------------------------------------------


class NumeroConvention(_Modele):
    """« Cadre réservé au prescripteur »: dept | année | n° d'ordre | avenant renouvellement |
    avenant modification.

    The Cerfa shows the five boxes but not their widths; chosen format: department (3 digits),
    year (2 digits), order number (5 digits), renewal index (2 digits), amendment index (2
    digits), written `971-11-00123-00-00` (also accepted with spaces or no separator:
    `97111001230000`). The dossier key is the first three parts (`971-11-00123`): renewals and
    amendments belong to the same dossier.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    departement: str = Field(pattern=r"^\d{3}$")
    annee: int = Field(ge=2000, le=2099)
    numero_ordre: int = Field(ge=1, le=99999)
    avenant_renouvellement: int = Field(default=0, ge=0, le=99)
    avenant_modification: int = Field(default=0, ge=0, le=99)

    @model_validator(mode="before")
    @classmethod
    def _depuis_texte(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _FORMAT_NUMERO.fullmatch(value.strip())
        if match is None:
            raise _refus(
                "numero_convention",
                value,
                "format attendu DDD-AA-NNNNN-RR-MM (département, année, n° d'ordre, avenant de "
                "renouvellement, avenant de modification), par exemple 971-11-00123-00-00",
            )
        departement, annee, ordre, renouvellement, modification = match.groups()
        if int(ordre) == 0:
            raise _refus("numero_convention", value, "le n° d'ordre 00000 n'existe pas")
        return {
            "departement": departement,
            "annee": 2000 + int(annee),
            "numero_ordre": int(ordre),
            "avenant_renouvellement": int(renouvellement),
            "avenant_modification": int(modification),
        }

    @field_validator("departement")
    @classmethod
    def _territoire(cls, value: str) -> str:
        if not cae_dom.est_dans_le_territoire(value):
            raise _refus(
                "numero_convention.departement",
                value,
                "le CAE-DOM ne s'applique que dans les départements et collectivités "
                f"{', '.join(sorted(cae_dom.referentiel().territoire))} (HORS_TERRITOIRE)",
            )
        return value

    def __str__(self) -> str:
        return (
            f"{self.cle_dossier}-{self.avenant_renouvellement:02d}-{self.avenant_modification:02d}"
        )

    @model_serializer
    def _en_texte(self) -> str:
        return str(self)

    @property
    def cle_dossier(self) -> str:
        """Department, year and order number: the same for the initial convention, its
        renewals and its amendments."""
        return f"{self.departement}-{self.annee % 100:02d}-{self.numero_ordre:05d}"

    @property
    def est_initiale(self) -> bool:
        return self.avenant_renouvellement == 0 and self.avenant_modification == 0


# --- addresses ------------------------------------------------------------------------------


class Adresse(_Modele):
    """N°, rue ou voie, complément, code postal, commune, adresse électronique."""

    numero: str | None = Field(default=None, max_length=10)
    voie: str = Field(min_length=1, max_length=120)
    complement: str | None = Field(default=None, max_length=120)
    code_postal: str
    commune: str = Field(min_length=1, max_length=80)
    adresse_electronique: str | None = None

    @field_validator("code_postal")
    @classmethod
    def _code_postal(cls, value: str) -> str:
        if not _FORMAT_CODE_POSTAL.fullmatch(value):
            raise _refus("code_postal", value, "un code postal compte 5 chiffres")
        return value

    @field_validator("adresse_electronique")
    @classmethod
    def _courriel(cls, value: str | None) -> str | None:
        if value is not None and not _FORMAT_COURRIEL.fullmatch(value):
            raise _refus("adresse_electronique", value, "adresse électronique mal formée")
        return value


class AdresseTerritoire(Adresse):
    """An address that must lie in the CAE-DOM territory (employer, place of work)."""

    @field_validator("code_postal")
    @classmethod
    def _dans_le_territoire(cls, value: str) -> str:
        if cae_dom.departement_du_code_postal(value) is None:
            raise _refus(
                "code_postal",
                value,
                "le code postal doit être celui d'une commune du territoire du CAE-DOM "
                "(Guadeloupe, Martinique, Guyane, La Réunion, Saint-Pierre-et-Miquelon, "
                "Saint-Barthélemy, Saint-Martin)",
            )
        return value

    @property
    def departement(self) -> str:
        departement = cae_dom.departement_du_code_postal(self.code_postal)
        assert departement is not None  # checked by the validator
        return departement


# --- l'employeur ----------------------------------------------------------------------------


class Employeur(_Modele):
    """« L'employeur »."""

    denomination: str = Field(min_length=1, max_length=120)
    adresse: AdresseTerritoire
    adresse_correspondance: Adresse | None = Field(
        default=None,
        description="address for administrative and financial documents, if different",
    )
    siret: str
    code_naf: str = Field(description="code NAF rév. 2, e.g. 62.01Z")
    identifiant_convention_collective: str | None = Field(
        default=None, description="IDCC, 4 digits"
    )
    statut: str = Field(description="Cerfa, tableau 1")
    effectif_au_31_decembre: int = Field(ge=0)
    rib_fourni: bool = Field(description="« Paiement par virement : fournir un RIB »")
    declaration_a_jour_sans_licenciement_economique: bool = Field(
        description="up to date with social contributions and no economic dismissal in the "
        "last 6 months (sworn statement)"
    )
    date_demande_autorisation_embauche: date | None = Field(default=None, validate_default=True)

    @field_validator("siret", mode="before")
    @classmethod
    def _siret(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            compact: str = stdnum_siret.validate(value)
        except StdnumError as exc:
            raise _refus(
                "siret",
                value,
                "un SIRET compte 14 chiffres et sa clé de contrôle (algorithme de Luhn) doit "
                f"être juste ({_erreur_stdnum(exc)})",
            ) from exc
        return compact

    @field_validator("code_naf", mode="before")
    @classmethod
    def _naf(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _FORMAT_NAF.fullmatch(value.strip().upper())
        if match is None:
            raise _refus(
                "code_naf",
                value,
                "un code NAF rév. 2 s'écrit 2 chiffres, 2 chiffres et une "
                "lettre, par exemple 62.01Z",
            )
        return f"{match[1]}.{match[2]}{match[3]}"

    @field_validator("identifiant_convention_collective")
    @classmethod
    def _idcc(cls, value: str | None) -> str | None:
        if value is not None and not _FORMAT_IDCC.fullmatch(value):
            raise _refus("identifiant_convention_collective", value, "un IDCC compte 4 chiffres")
        return value

    @field_validator("statut")
    @classmethod
    def _statut(cls, value: str) -> str:
        statuts = cae_dom.referentiel().statuts_employeur
        if value not in statuts:
            codes = ", ".join(f"{c} ({lib})" for c, lib in statuts.items())
            raise _refus("statut", value, f"code du tableau 1 attendu : {codes}")
        return value

    @field_validator("date_demande_autorisation_embauche")
    @classmethod
    def _autorisation(cls, value: date | None, info: ValidationInfo) -> date | None:
        declaration = info.data.get("declaration_a_jour_sans_licenciement_economique")
        if declaration is False and value is None:
            raise _refus(
                "date_demande_autorisation_embauche",
                value,
                "sans la déclaration sur l'honneur (cotisations à jour, pas de licenciement "
                "économique depuis 6 mois), la date de la demande d'autorisation d'embauche "
                "auprès de la DIECCTE est obligatoire",
            )
        return value


# --- le salarié -----------------------------------------------------------------------------


class Civilite(StrEnum):
    M = "M"
    MME = "Mme"
    MLLE = "Mlle"


class Nationalite(StrEnum):
    FRANCE = "france"
    UNION_EUROPEENNE = "union_europeenne"
    HORS_UNION_EUROPEENNE = "hors_union_europeenne"


class Salarie(_Modele):
    """« Le salarié »."""

    civilite: Civilite
    nom: str = Field(min_length=1, max_length=80)
    prenoms: str = Field(min_length=1, max_length=120)
    nom_patronymique: str | None = Field(default=None, max_length=80)
    nir: str
    date_naissance: date
    lieu_naissance: str = Field(min_length=1, max_length=80)
    departement_naissance: str = Field(description="01-95, 2A, 2B, 971-978, 99 (abroad)")
    adresse: Adresse
    nationalite: Nationalite

    @field_validator("nir", mode="before")
    @classmethod
    def _nir(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            compact: str = stdnum_nir.validate(value)
        except StdnumError as exc:
            raise _refus(
                "nir",
                value,
                "un NIR compte 13 caractères (2A ou 2B pour la Corse) et une clé de 2 chiffres "
                f"égale à 97 moins le reste de la division par 97 ({_erreur_stdnum(exc)})",
            ) from exc
        return compact

    @field_validator("departement_naissance", mode="before")
    @classmethod
    def _departement_naissance(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if not _FORMAT_DEPARTEMENT_NAISSANCE.fullmatch(value):
                raise _refus(
                    "departement_naissance",
                    value,
                    "département attendu : 01 à 95, 2A, 2B, 971 à 978, ou 99 (né à l'étranger)",
                )
        return value

    @model_validator(mode="after")
    def _nir_et_naissance(self) -> Self:
        annee, mois = self.nir[1:3], self.nir[3:5]
        if annee != f"{self.date_naissance.year % 100:02d}":
            raise _refus(
                "nir",
                self.nir,
                f"l'année de naissance du NIR ({annee}) ne correspond pas à la date de naissance "
                f"({self.date_naissance.isoformat()})",
            )
        if mois.isdigit() and 1 <= int(mois) <= 12 and int(mois) != self.date_naissance.month:
            raise _refus(
                "nir",
                self.nir,
                f"le mois de naissance du NIR ({mois}) ne correspond pas à la date de naissance "
                f"({self.date_naissance.isoformat()})",
            )
        return self


# --- situation du salarié avant la signature de la convention ------------------------------


class Anciennete(StrEnum):
    """« moins de 6 mois / 6 à 11 mois / 12 à 23 mois / 24 à 35 mois / 36 et + »."""

    MOINS_DE_6_MOIS = "moins_de_6_mois"
    DE_6_A_11_MOIS = "6_a_11_mois"
    DE_12_A_23_MOIS = "12_a_23_mois"
    DE_24_A_35_MOIS = "24_a_35_mois"
    DE_36_MOIS_ET_PLUS = "36_mois_et_plus"


class AncienneteMinima(StrEnum):
    """Minimum benefits « depuis : moins de 6 mois / 6 à 11 mois / 12 à 23 mois / 24 et plus »."""

    MOINS_DE_6_MOIS = "moins_de_6_mois"
    DE_6_A_11_MOIS = "6_a_11_mois"
    DE_12_A_23_MOIS = "12_a_23_mois"
    DE_24_MOIS_ET_PLUS = "24_mois_et_plus"


class JeuneSortant(StrEnum):
    SYSTEME_SCOLAIRE = "systeme_scolaire"
    CAE_PCS_OU_CUI = "cae_pcs_ou_cui"
    CIA = "cia"
    CONTRAT_PROFESSIONNALISATION = "contrat_professionnalisation"


class SituationAnterieure(_Modele):
    """« Situation du salarié avant la signature de la convention »."""

    niveau_formation: str = Field(description="Cerfa, tableau 2")
    sans_emploi_depuis: Anciennete | None = None
    inscrit_pole_emploi: bool
    inscrit_pole_emploi_depuis: Anciennete | None = Field(default=None, validate_default=True)
    beneficiaire_ass: bool
    beneficiaire_rsa: bool = Field(description="« RSA financé par le département »: RSA socle")
    rsa_majore: bool | None = Field(default=None, validate_default=True)
    beneficiaire_aah: bool
    minima_sociaux_depuis: AncienneteMinima | None = Field(default=None, validate_default=True)
    travailleur_handicape: bool
    jeune_sortant: JeuneSortant | None = None

    @field_validator("niveau_formation")
    @classmethod
    def _niveau(cls, value: str) -> str:
        return _niveau_formation("niveau_formation", value)

    @field_validator("inscrit_pole_emploi_depuis")
    @classmethod
    def _depuis_inscription(
        cls, value: Anciennete | None, info: ValidationInfo
    ) -> Anciennete | None:
        inscrit = info.data.get("inscrit_pole_emploi")
        if inscrit is True and value is None:
            raise _refus(
                "inscrit_pole_emploi_depuis",
                value,
                "obligatoire si le salarié est inscrit à Pôle emploi",
            )
        if inscrit is False and value is not None:
            raise _refus(
                "inscrit_pole_emploi_depuis",
                value,
                "sans objet si le salarié n'est pas inscrit à Pôle emploi",
            )
        return value

    @field_validator("rsa_majore")
    @classmethod
    def _majore(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        rsa = info.data.get("beneficiaire_rsa")
        if rsa is True and value is None:
            raise _refus(
                "rsa_majore", value, "à renseigner (oui ou non) pour un bénéficiaire du RSA"
            )
        if rsa is False and value is not None:
            raise _refus("rsa_majore", value, "sans objet si le salarié ne perçoit pas le RSA")
        return value

    @field_validator("minima_sociaux_depuis")
    @classmethod
    def _depuis_minima(
        cls, value: AncienneteMinima | None, info: ValidationInfo
    ) -> AncienneteMinima | None:
        flags = [
            info.data.get(k) for k in ("beneficiaire_ass", "beneficiaire_rsa", "beneficiaire_aah")
        ]
        if any(f is True for f in flags) and value is None:
            raise _refus(
                "minima_sociaux_depuis",
                value,
                "obligatoire pour un bénéficiaire de l'ASS, du RSA ou de l'AAH",
            )
        if all(f is False for f in flags) and value is not None:
            raise _refus(
                "minima_sociaux_depuis",
                value,
                "sans objet si le salarié ne perçoit ni l'ASS, ni le RSA, ni l'AAH",
            )
        return value

    @property
    def beneficiaire_minima_sociaux(self) -> bool:
        return self.beneficiaire_ass or self.beneficiaire_rsa or self.beneficiaire_aah


def _niveau_formation(champ: str, value: str) -> str:
    niveaux = cae_dom.referentiel().niveaux_formation
    if value not in niveaux:
        codes = ", ".join(niveaux)
        raise _refus(champ, value, f"code du tableau 2 attendu : {codes}")
    return value


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

    tuteur: str = Field(min_length=1, max_length=160, description="nom et fonction")
    organisme_suivi: str = Field(min_length=1, max_length=160)
    referent: str = Field(min_length=1, max_length=120)
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
        default=None, description="identifiant Pôle emploi, if registered"
    )
    employeur: Employeur
    salarie: Salarie
    situation: SituationAnterieure
    contrat: ContratTravail
    actions: ActionsPrevues
    prise_en_charge: PriseEnCharge
    date_signature_employeur_salarie: date
    date_signature_etat: date
    date_transmission_asp: date | None = None

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

    def duree_maximale_mois(self, debut_initial: date | None = None) -> int:
        """`debut_initial`: the initial convention's coverage start, for a renewal."""
        return cae_dom.duree_maximale_mois(
            self.beneficiaire(), debut_initial or self.prise_en_charge.date_effet
        )

    def motifs_refus(self, debut_initial: date | None = None) -> list[cae_dom.Motif]:
        """Eligibility (rules.cae_dom.motifs_refus); `debut_initial` as above."""
        return cae_dom.motifs_refus(
            departement=self.numero_convention.departement,
            date_convention=self.date_convention,
            date_embauche=self.contrat.date_embauche,
            debut_prise_en_charge=debut_initial or self.prise_en_charge.date_effet,
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


# --- the dossier workflow: event payloads, state ----------------------------------------------
#
# One workflow per convention (`cae-dom:<DDD-AA-NNNNN>`, the dossier key of the convention
# number: renewals and amendments stay in the same dossier). Every partner event comes from the
# ASP, which holds the convention (Cerfa notice, point 5: « Le prescripteur transmet le feuillet
# blanc accompagné du RIB ou RIP, à l'Agence de services et de paiement, pour paiement ») and
# collects the employers' attendance statements. See docs/cae_dom.md, section Workflow.


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


class RenouvellementCaeDom(_Avenant):
    """ASP: a renewal amendment (« avenant renouvellement », `asp.cae-dom.avenant-renouvellement
    .v1`): the coverage runs on to `date_fin`; new level or hours apply from the day after the
    previous end. Checked against the maximum duration (annexe II, q. 3)."""

    date_fin: date = Field(description="nouvelle date de fin de prise en charge")

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


# --- what the rules are evaluated on, and what they return (activities.regles_cae_dom) -------


class ParametresPeriode(BaseModel):
    """The aid parameters in force from `a_partir_du` until the next period (amendments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a_partir_du: date
    niveau_prime_mensuel: Decimal
    duree_hebdomadaire_minutes: int = Field(gt=0)
    duree_collective_minutes: int = Field(gt=0)

    @property
    def montant_mensuel(self) -> Fraction:
        return cae_dom.montant_mensuel(
            self.niveau_prime_mensuel,
            cae_dom.quotite(self.duree_hebdomadaire_minutes, self.duree_collective_minutes),
        )


def minutes(duree: DureeHebdomadaire) -> int:
    return duree.heures * 60 + duree.minutes


class EvaluationConvention(BaseModel):
    """`evaluer_convention_cae_dom`: eligibility, maximum duration, the territory's time zone,
    the first aid period and the planned schedule, with the rule version."""

    version_regles: str
    motifs: list[str]
    duree_maximale_mois: int
    date_fin_maximale: date
    departement: str
    fuseau_horaire: str
    periode: ParametresPeriode
    echeancier: list[cae_dom.EcheanceTrimestrielle]


class EntreeEcheancier(BaseModel):
    """The aid periods, the planned coverage end and the effective end, if any."""

    periodes: list[ParametresPeriode] = Field(min_length=1)
    fin: date
    date_fin_effective: date | None = None


class EntreeLiquidation(EntreeEcheancier):
    etats: list[EtatPresenceCaeDom] = Field(min_length=1)


class Liquidation(BaseModel):
    """One quarter's amount from its attendance statement (`liquider_trimestres_cae_dom`)."""

    version_regles: str
    trimestre: str
    du: date | None = Field(description="premier jour couvert (vide: aucun jour dû)")
    au: date | None
    jours_couverts: int
    jours_non_travailles: int
    montant_sans_absence: Decimal
    montant: Decimal


# --- the workflow's state -------------------------------------------------------------------


class Statut(StrEnum):
    NOUVEAU = "nouveau"
    REFUSE = "refuse"
    EN_COURS = "en_cours"
    ROMPU = "rompu"
    RECOUVREMENT = "recouvrement"
    CLOS = "clos"


STATUTS_TERMINAUX = frozenset({Statut.REFUSE, Statut.CLOS})


class StatutTrimestre(StrEnum):
    A_VENIR = "a_venir"
    ATTENTE_ETAT = "attente_etat"
    ORDONNE = "ordonne"
    REJETE = "rejete"
    PAYE = "paye"
    NEANT = "neant"
    ANNULE = "annule"


TRIMESTRES_LIQUIDES = frozenset(
    {StatutTrimestre.ORDONNE, StatutTrimestre.REJETE, StatutTrimestre.PAYE, StatutTrimestre.NEANT}
)
TRIMESTRES_SOLDES = frozenset({StatutTrimestre.PAYE, StatutTrimestre.NEANT, StatutTrimestre.ANNULE})


class TrimestreCaeDom(BaseModel):
    """One calendar quarter of the schedule and where it stands."""

    trimestre: str
    du: date
    au: date
    montant_prevu: Decimal = Field(description="montant de l'échéancier, sans absence")
    date_paiement: date = Field(description="lendemain de la fin du trimestre")
    statut: StatutTrimestre = StatutTrimestre.A_VENIR
    etat_presence: EtatPresenceCaeDom | None = None
    liquidation: Liquidation | None = None
    montant_du: Decimal | None = Field(
        default=None, description="montant liquidé; après une rupture, recalculé à la fin effective"
    )
    montant_verse: Decimal = Decimal("0.00")
    tentatives: int = Field(default=0, description="ordres de paiement émis pour ce trimestre")
    rappels: list[str] = Field(default_factory=list, description="échéances traitées")

    @property
    def dernier_jour(self) -> date:
        return cae_dom.Trimestre.depuis_libelle(self.trimestre).dernier_jour


class OrdreCaeDom(BaseModel):
    id: str
    nature: Literal["paiement", "reversement"]
    periode: str = Field(description="trimestre payé, ou « reversement »")
    montant: Decimal
    statut: Literal["emis", "execute", "rejete", "recouvre"]
    rib_reference: str | None = None
    emis_le: date
    solde_le: date | None = None
    montant_recu: Decimal = Decimal("0.00")


class EtatCaeDom(BaseModel):
    """What the `etat` query returns; also carried over continue-as-new and returned."""

    cle: str
    statut: Statut = Statut.NOUVEAU
    convention: ConventionCaeDom | None = None
    evaluation: EvaluationConvention | None = None
    motifs_refus: list[str] = Field(default_factory=list)
    periodes: list[ParametresPeriode] = Field(default_factory=list)
    date_fin: date | None = Field(default=None, description="fin de prise en charge en vigueur")
    date_fin_effective: date | None = None
    motif_rupture: str | None = None
    avenants: list[str] = Field(default_factory=list, description="numéros des avenants appliqués")
    rib_reference: str | None = None
    trimestres: list[TrimestreCaeDom] = Field(default_factory=list)
    ordres: list[OrdreCaeDom] = Field(default_factory=list)
    montant_accorde: Decimal = Decimal("0.00")
    montant_verse: Decimal = Decimal("0.00")
    montant_du: Decimal = Decimal("0.00")
    montant_a_recuperer: Decimal = Decimal("0.00")
    montant_recouvre: Decimal = Decimal("0.00")
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def trimestre(self, libelle: str) -> TrimestreCaeDom | None:
        return next((t for t in self.trimestres if t.trimestre == libelle), None)

    def ordre(self, ordre_id: str, nature: str) -> OrdreCaeDom | None:
        return next((o for o in self.ordres if o.id == ordre_id and o.nature == nature), None)
