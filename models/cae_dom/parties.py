"""The Cerfa's parties: the prescriber's box (the convention number), the addresses, the
employer, the employee and the employee's situation before the convention."""

from datetime import date
from enum import StrEnum
from typing import Any, Self

from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from models.cae_dom.commun import (
    _FORMAT_CODE_POSTAL,
    _FORMAT_COURRIEL,
    _FORMAT_DEPARTEMENT_NAISSANCE,
    _FORMAT_IDCC,
    _FORMAT_NAF,
    _FORMAT_NUMERO,
    _erreur_stdnum,
    _Modele,
    _niveau_formation,
    _refus,
)
from models.personnel import PERSONNEL
from rules import cae_dom

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
    adresse_electronique: str | None = Field(default=None, json_schema_extra=PERSONNEL)

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
