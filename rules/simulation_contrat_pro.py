"""Simulator of the aide au contrat de professionnalisation (Pays de la Loire).

Source: `shared/seeds/003_78a5ddbbdc7b9add.txt` (sections 2 to 4, annex list). The public
contract of `guichet simulate contrat-pro`, also used by the regional team to answer
employers: JSON in (`EntreeSimulation`), JSON out (`SortieSimulation`). The rules themselves
are in `rules.contrat_pro`; this module only validates the input and formats the output.

`cumul_aides_annee` is the aid already granted to the beneficiary earlier in the calendar
year, *without* this one: this dossier's amount is added to it for the 23 000 EUR test. The
service counts its own contrat-pro aids itself (docs/contrat_pro.md, « Cumul annuel par
bénéficiaire »): the simulator takes them as `aides_service_annee` (default 0) and the employer's
other declared aids as `cumul_aides_annee`, adds both, and shows the sum in `cumul`.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rules.contrat_pro import (
    SEUIL_CONVENTION,
    Acte,
    DureeHebdomadaire,
    FaitsContrat,
    Motif,
    NatureContrat,
    Periode,
    evaluer,
)

DUREE_HEBDOMADAIRE_MAXIMUM = Decimal(48)
_DATE_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(valeur: Any, champ: str) -> Any:
    """A date given as an ISO string `AAAA-MM-JJ` (or already a `date`)."""
    if valeur is None or isinstance(valeur, date):
        return valeur
    if isinstance(valeur, str) and _DATE_ISO.fullmatch(valeur):
        try:
            return date.fromisoformat(valeur)
        except ValueError:
            pass
    raise ValueError(f"{champ} : « {valeur} » n'est pas une date valide (format AAAA-MM-JJ)")


def _booleen(valeur: Any, champ: str) -> bool:
    if isinstance(valeur, bool):
        return valeur
    raise ValueError(f"{champ} : « {valeur} » n'est pas un booléen (true ou false attendu)")


def _decimal(valeur: Any, champ: str, *, nombre_accepte: bool) -> Decimal:
    """A decimal from a string or an integer; JSON numbers with a fraction only when
    `nombre_accepte` (hours), never for money."""
    if isinstance(valeur, bool):
        raise ValueError(f"{champ} : « {valeur} » n'est pas un nombre")
    if isinstance(valeur, float) and not nombre_accepte:
        raise ValueError(
            f"{champ} : « {valeur} » doit être donné en chaîne décimale (par exemple « 1500.00 »)"
        )
    if isinstance(valeur, int | float | Decimal):
        valeur = str(valeur)
    if isinstance(valeur, str):
        try:
            resultat = Decimal(valeur.strip())
        except InvalidOperation:
            pass
        else:
            if resultat.is_finite():
                return resultat
    raise ValueError(f"{champ} : « {valeur} » n'est pas un nombre décimal")


class CertificationSimulation(BaseModel):
    """The certification prepared: an RNCP code, or a CERTIFINFO code (branch CQPs), or both."""

    model_config = ConfigDict(extra="forbid")

    rncp: str | None = None
    certifinfo: str | None = None

    @field_validator("rncp", "certifinfo", mode="before")
    @classmethod
    def _code(cls, valeur: Any, info: ValidationInfo) -> Any:
        if valeur is None:
            return None
        if isinstance(valeur, int) and not isinstance(valeur, bool):
            valeur = str(valeur)
        maximum = 6 if info.field_name == "rncp" else 7
        if not isinstance(valeur, str) or not re.fullmatch(rf"[0-9]{{1,{maximum}}}", valeur):
            raise ValueError(
                f"certification.{info.field_name} : « {valeur} » doit compter 1 à {maximum} "
                "chiffres"
            )
        return valeur

    @model_validator(mode="after")
    def _un_code_au_moins(self) -> Self:
        if self.rncp is None and self.certifinfo is None:
            raise ValueError("certification : il faut un code RNCP ou un code CERTIFINFO")
        return self


class SuspensionSimulation(BaseModel):
    """An unpaid suspension of the contract, both days included."""

    model_config = ConfigDict(extra="forbid")

    du: date
    au: date

    @field_validator("du", "au", mode="before")
    @classmethod
    def _dates(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _date(valeur, f"suspension.{info.field_name}")

    @model_validator(mode="after")
    def _ordre(self) -> Self:
        if self.au < self.du:
            raise ValueError(
                f"suspension : la fin « au » ({self.au}) précède le début « du » ({self.du})"
            )
        return self


class EntreeSimulation(BaseModel):
    """One contract and its aid request, as an employer or the regional team describes it."""

    model_config = ConfigDict(extra="forbid")

    date_debut_contrat: date
    date_fin_contrat: date
    date_naissance: date
    demandeur_emploi: bool
    dans_effectif_6_mois: bool
    code_postal_etablissement: str
    employeur_a_jour: bool
    licenciement_economique_6_mois: bool
    certification: CertificationSimulation
    nature_contrat: NatureContrat = NatureContrat.STANDARD
    duree_hebdomadaire_heures: Decimal
    date_demande: date
    date_fin_effective: date | None = None
    suspensions_non_remunerees: list[SuspensionSimulation] = Field(default_factory=list)
    cumul_aides_annee: Decimal = Decimal("0.00")
    aides_service_annee: Decimal = Decimal("0.00")

    @field_validator(
        "date_debut_contrat",
        "date_fin_contrat",
        "date_naissance",
        "date_demande",
        "date_fin_effective",
        mode="before",
    )
    @classmethod
    def _dates(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _date(valeur, str(info.field_name))

    @field_validator(
        "demandeur_emploi",
        "dans_effectif_6_mois",
        "employeur_a_jour",
        "licenciement_economique_6_mois",
        mode="before",
    )
    @classmethod
    def _booleens(cls, valeur: Any, info: ValidationInfo) -> bool:
        return _booleen(valeur, str(info.field_name))

    @field_validator("code_postal_etablissement", mode="before")
    @classmethod
    def _code_postal(cls, valeur: Any) -> Any:
        if not isinstance(valeur, str) or not re.fullmatch(r"[0-9]{5}", valeur):
            raise ValueError(
                f"code_postal_etablissement : « {valeur} » doit compter exactement 5 chiffres"
            )
        return valeur

    @field_validator("nature_contrat", mode="before")
    @classmethod
    def _nature(cls, valeur: Any) -> Any:
        valeurs = [n.value for n in NatureContrat]
        if valeur not in valeurs:
            raise ValueError(
                f"nature_contrat : « {valeur} » n'est pas une nature connue ({', '.join(valeurs)})"
            )
        return valeur

    @field_validator("duree_hebdomadaire_heures", mode="before")
    @classmethod
    def _duree(cls, valeur: Any) -> Decimal:
        heures = _decimal(valeur, "duree_hebdomadaire_heures", nombre_accepte=True)
        if not Decimal(0) < heures <= DUREE_HEBDOMADAIRE_MAXIMUM:
            raise ValueError(
                f"duree_hebdomadaire_heures : « {valeur} » doit être supérieure à 0 et au plus "
                f"{DUREE_HEBDOMADAIRE_MAXIMUM} heures (durée maximale légale)"
            )
        if heures != heures.quantize(Decimal("0.01")):
            raise ValueError(f"duree_hebdomadaire_heures : « {valeur} » a plus de deux décimales")
        return heures

    @field_validator("cumul_aides_annee", "aides_service_annee", mode="before")
    @classmethod
    def _cumul(cls, valeur: Any, info: ValidationInfo) -> Decimal:
        champ = str(info.field_name)
        cumul = _decimal(valeur, champ, nombre_accepte=False)
        if cumul < 0:
            raise ValueError(f"{champ} : « {valeur} » ne peut pas être négatif")
        if cumul != cumul.quantize(Decimal("0.01")):
            raise ValueError(f"{champ} : « {valeur} » a plus de deux décimales (centimes)")
        return cumul

    @model_validator(mode="after")
    def _coherence_des_dates(self) -> Self:
        if self.date_fin_contrat < self.date_debut_contrat:
            raise ValueError(
                f"date_fin_contrat ({self.date_fin_contrat}) est antérieure à "
                f"date_debut_contrat ({self.date_debut_contrat})"
            )
        if self.date_naissance >= self.date_debut_contrat:
            raise ValueError(
                f"date_naissance ({self.date_naissance}) doit précéder "
                f"date_debut_contrat ({self.date_debut_contrat})"
            )
        if self.date_fin_effective is not None and not (
            self.date_debut_contrat <= self.date_fin_effective <= self.date_fin_contrat
        ):
            raise ValueError(
                f"date_fin_effective ({self.date_fin_effective}) doit être comprise entre "
                f"date_debut_contrat ({self.date_debut_contrat}) et "
                f"date_fin_contrat ({self.date_fin_contrat})"
            )
        return self


class CumulSimulation(BaseModel):
    """The act's test (section 4): the year's aids of the service and declared, this aid, the
    total against the threshold."""

    aides_service: str
    autres_aides_declarees: str
    montant: str
    total: str
    seuil: str


class SortieSimulation(BaseModel):
    """The answer: eligibility with every reason, aided months, amounts and dates."""

    eligible: bool
    motifs: list[Motif]
    mois_aides: int
    montant_mensuel: str
    montant: str
    date_limite_demande: date
    date_versement: date
    date_limite_demande_paiement: date
    acte: Acte
    version_regles: str
    cumul: CumulSimulation


def _montant(valeur: Decimal) -> str:
    return f"{valeur:.2f}"


def simuler(entree: EntreeSimulation) -> SortieSimulation:
    """Evaluate one contract under the rules of seed 003 (`rules.contrat_pro.evaluer`)."""
    faits = FaitsContrat(
        date_debut_contrat=entree.date_debut_contrat,
        date_fin_contrat=entree.date_fin_contrat,
        date_naissance=entree.date_naissance,
        demandeur_emploi=entree.demandeur_emploi,
        dans_effectif_6_mois=entree.dans_effectif_6_mois,
        code_postal_etablissement=entree.code_postal_etablissement,
        employeur_a_jour=entree.employeur_a_jour,
        licenciement_economique_6_mois=entree.licenciement_economique_6_mois,
        code_rncp=entree.certification.rncp,
        code_certifinfo=entree.certification.certifinfo,
        nature_contrat=entree.nature_contrat,
        durees_hebdomadaires=(
            DureeHebdomadaire(entree.date_debut_contrat, entree.duree_hebdomadaire_heures),
        ),
        date_demande=entree.date_demande,
        date_fin_effective=entree.date_fin_effective,
        suspensions_non_remunerees=tuple(
            Periode(s.du, s.au) for s in entree.suspensions_non_remunerees
        ),
    )
    deja = entree.aides_service_annee + entree.cumul_aides_annee
    resultat = evaluer(faits, deja)
    return SortieSimulation(
        eligible=resultat.eligible,
        motifs=resultat.motifs,
        mois_aides=len(resultat.mois_aides),
        montant_mensuel=_montant(resultat.montant_mensuel),
        montant=_montant(resultat.montant),
        date_limite_demande=resultat.date_limite_demande,
        date_versement=resultat.date_versement,
        date_limite_demande_paiement=resultat.date_limite_demande_paiement,
        acte=resultat.acte,
        version_regles=resultat.version_regles,
        cumul=CumulSimulation(
            aides_service=_montant(entree.aides_service_annee),
            autres_aides_declarees=_montant(entree.cumul_aides_annee),
            montant=_montant(resultat.montant),
            total=_montant(
                entree.aides_service_annee + entree.cumul_aides_annee + resultat.montant
            ),
            seuil=_montant(SEUIL_CONVENTION),
        ),
    )
