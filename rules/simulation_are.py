"""Simulators of the ARE (Île-de-France): a school's allocation, next year's flat rates, the
CPGE competition-fee aid.

JSON in, JSON out: `Sortie*.model_dump(mode="json")`. Amounts are strings with two decimals.
A bad value is refused by pydantic with a French message naming the field, the value and the
rule. Sources: see `rules/are/` (seeds 000 and 001).
"""

from decimal import Decimal
from typing import Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rules import are
from rules.are import Enveloppe, LigneEffectif


def _montant(valeur: Decimal) -> str:
    return f"{are.arrondi(valeur)}"


def _montant_positif(champ: str, valeur: Decimal) -> Decimal:
    """Amounts from a person: >= 0, at most two decimals."""
    if not valeur.is_finite() or valeur < 0:
        raise ValueError(f"{champ} « {valeur} » doit être un montant positif ou nul")
    if valeur != valeur.quantize(are.UN_CENTIME):
        raise ValueError(f"{champ} « {valeur} » : au plus deux décimales (centimes)")
    return valeur


# --- allocation ---------------------------------------------------------------------------


class LigneEffectifEntree(BaseModel):
    """A formation's first-year enrolment at the n-1 school start."""

    model_config = ConfigDict(extra="forbid")

    code_diplome: str
    effectif: int
    apprentis: int = 0

    @field_validator("code_diplome")
    @classmethod
    def _code(cls, valeur: str) -> str:
        if not are.code_diplome_valide(valeur):
            raise ValueError(
                f"code_diplome « {valeur} » invalide : le code diplôme compte 8 chiffres"
            )
        return valeur

    @field_validator("effectif", "apprentis")
    @classmethod
    def _positif(cls, valeur: int, info: ValidationInfo) -> int:
        if valeur < 0:
            raise ValueError(
                f"{info.field_name} « {valeur} » : un effectif ne peut pas être négatif"
            )
        return valeur

    @model_validator(mode="after")
    def _apprentis_inclus(self) -> Self:
        if self.apprentis > self.effectif:
            raise ValueError(
                f"apprentis ({self.apprentis}) dépasse effectif ({self.effectif}) pour "
                f"{self.code_diplome} : les apprentis et contrats de professionnalisation sont "
                "une partie de l'effectif"
            )
        return self


class ReliquatsEntree(BaseModel):
    """Last year's leftovers per envelope, in euros (default: none)."""

    model_config = ConfigDict(extra="forbid")

    pre_bac: Decimal = Decimal(0)
    post_bac: Decimal = Decimal(0)

    @field_validator("pre_bac", "post_bac")
    @classmethod
    def _reliquat(cls, valeur: Decimal, info: ValidationInfo) -> Decimal:
        return _montant_positif(f"reliquats.{info.field_name}", valeur)


class EntreeDotation(BaseModel):
    """A school's data for its yearly allocation.

    `taux_boursiers_post_bac` is a fraction between 0 and 1 ("0.35"): a percentage ("35") is
    refused, not converted.
    """

    model_config = ConfigDict(extra="forbid")

    annee_scolaire: str
    uai: str
    a_repondu_enquete: bool
    effectifs: list[LigneEffectifEntree]
    taux_boursiers_post_bac: Decimal
    reliquats: ReliquatsEntree = Field(default_factory=ReliquatsEntree)

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        are.version_regle(valeur)
        return valeur

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        if not are.uai_valide(valeur):
            raise ValueError(
                f"uai « {valeur} » invalide : 7 chiffres suivis d'une lettre majuscule "
                "attendus (ex. 0750001A)"
            )
        return valeur

    @field_validator("taux_boursiers_post_bac")
    @classmethod
    def _taux(cls, valeur: Decimal) -> Decimal:
        if not valeur.is_finite() or not Decimal(0) <= valeur <= 1:
            raise ValueError(
                f"taux_boursiers_post_bac « {valeur} » doit être une fraction entre 0 et 1 "
                "(ex. « 0.35 » pour 35 %) ; un pourcentage n'est pas accepté"
            )
        return valeur


class LigneSortie(BaseModel):
    code_diplome: str
    eligible: bool
    hors_liste: bool
    enveloppe: Enveloppe | None
    effectif_retenu: int
    motif: str | None


class EnveloppeSortie(BaseModel):
    brut: str
    reliquat: str
    dotation: str


class EnveloppesSortie(BaseModel):
    pre_bac: EnveloppeSortie
    post_bac: EnveloppeSortie


class ForfaitsSortie(BaseModel):
    standard: str
    prepa_metiers: str


class SortieDotation(BaseModel):
    annee_scolaire: str
    uai: str
    version_regle: str
    forfaits: ForfaitsSortie
    lignes: list[LigneSortie]
    boursiers_post_bac: int
    enveloppes: EnveloppesSortie
    total: str
    motifs: list[str]


def simuler_dotation(entree: EntreeDotation) -> SortieDotation:
    """A school's allocation for a school year (`rules.are.calculer_dotation`)."""
    d = are.calculer_dotation(
        entree.annee_scolaire,
        a_repondu_enquete=entree.a_repondu_enquete,
        effectifs=[
            LigneEffectif(code_diplome=e.code_diplome, effectif=e.effectif, apprentis=e.apprentis)
            for e in entree.effectifs
        ],
        taux_boursiers_post_bac=entree.taux_boursiers_post_bac,
        reliquats={
            Enveloppe.PRE_BAC: entree.reliquats.pre_bac,
            Enveloppe.POST_BAC: entree.reliquats.post_bac,
        },
    )

    def enveloppe(env: Enveloppe) -> EnveloppeSortie:
        m = d.enveloppes[env]
        return EnveloppeSortie(
            brut=_montant(m.brut), reliquat=_montant(m.reliquat), dotation=_montant(m.dotation)
        )

    return SortieDotation(
        annee_scolaire=d.annee_scolaire,
        uai=entree.uai,
        version_regle=d.version_regle,
        forfaits=ForfaitsSortie(
            standard=_montant(d.forfaits.standard),
            prepa_metiers=_montant(d.forfaits.prepa_metiers),
        ),
        lignes=[
            LigneSortie(
                code_diplome=ligne.code_diplome,
                eligible=ligne.eligible,
                hors_liste=ligne.hors_liste,
                enveloppe=ligne.enveloppe,
                effectif_retenu=ligne.effectif_retenu,
                motif=ligne.motif.value if ligne.motif else None,
            )
            for ligne in d.lignes
        ],
        boursiers_post_bac=d.boursiers_post_bac,
        enveloppes=EnveloppesSortie(
            pre_bac=enveloppe(Enveloppe.PRE_BAC), post_bac=enveloppe(Enveloppe.POST_BAC)
        ),
        total=_montant(d.total),
        motifs=[m.value for m in d.motifs],
    )


# --- flat rates ---------------------------------------------------------------------------


class ForfaitsPrecedents(BaseModel):
    """Last year's rates in euros; `cpge_concours` optional (the same act indexes it)."""

    model_config = ConfigDict(extra="forbid")

    standard: Decimal
    prepa_metiers: Decimal
    cpge_concours: Decimal | None = None

    @field_validator("standard", "prepa_metiers", "cpge_concours")
    @classmethod
    def _forfait(cls, valeur: Decimal | None, info: ValidationInfo) -> Decimal | None:
        champ = f"forfaits_precedents.{info.field_name}"
        return None if valeur is None else _montant_positif(champ, valeur)


class EntreeForfaits(BaseModel):
    """Last year's rates and the December consumer price index (INSEE 001763862) of years
    n-2 and n-1 (for 2023-2024: December 2021 and December 2022)."""

    model_config = ConfigDict(extra="forbid")

    forfaits_precedents: ForfaitsPrecedents
    ipc_decembre_n_2: Decimal
    ipc_decembre_n_1: Decimal

    @field_validator("ipc_decembre_n_2", "ipc_decembre_n_1")
    @classmethod
    def _indice(cls, valeur: Decimal, info: ValidationInfo) -> Decimal:
        if not valeur.is_finite() or valeur <= 0:
            raise ValueError(
                f"{info.field_name} « {valeur} » : un indice des prix doit être strictement positif"
            )
        return valeur


class ForfaitsIndexes(BaseModel):
    standard: str
    prepa_metiers: str
    cpge_concours: str | None


class SortieForfaits(BaseModel):
    evolution_pct: str
    reconduits: bool
    forfaits: ForfaitsIndexes


def simuler_forfaits(entree: EntreeForfaits) -> SortieForfaits:
    """Next year's rates (`rules.are.evolution_indice`, `rules.are.forfait_indexe`)."""
    evolution = are.evolution_indice(entree.ipc_decembre_n_1, entree.ipc_decembre_n_2)
    p = entree.forfaits_precedents
    cpge = p.cpge_concours
    return SortieForfaits(
        evolution_pct=f"{evolution}",
        reconduits=evolution < 0,
        forfaits=ForfaitsIndexes(
            standard=_montant(are.forfait_indexe(p.standard, evolution)),
            prepa_metiers=_montant(are.forfait_indexe(p.prepa_metiers, evolution)),
            cpge_concours=None if cpge is None else _montant(are.forfait_indexe(cpge, evolution)),
        ),
    )


# --- CPGE competition fees ----------------------------------------------------------------


class EntreeCpge(BaseModel):
    """A CPGE pupil's request: school year, year of CPGE (1 or 2), annual regional family
    quotient in euros, number of competitions entered."""

    model_config = ConfigDict(extra="forbid")

    annee_scolaire: str
    annee_cpge: int
    quotient_familial: Decimal
    nombre_concours: int

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        are.parametres_cpge(valeur)
        return valeur

    @field_validator("annee_cpge")
    @classmethod
    def _annee_cpge(cls, valeur: int) -> int:
        if valeur not in (1, 2):
            raise ValueError(f"annee_cpge « {valeur} » : 1 ou 2 attendu")
        return valeur

    @field_validator("quotient_familial")
    @classmethod
    def _quotient(cls, valeur: Decimal) -> Decimal:
        return _montant_positif("quotient_familial", valeur)

    @field_validator("nombre_concours")
    @classmethod
    def _concours(cls, valeur: int) -> int:
        if valeur < 0:
            raise ValueError(f"nombre_concours « {valeur} » ne peut pas être négatif")
        return valeur


class SortieCpge(BaseModel):
    eligible: bool
    forfait_par_concours: str
    concours_retenus: int
    montant: str
    motifs: list[str]


def simuler_cpge(entree: EntreeCpge) -> SortieCpge:
    """The CPGE competition-fee aid (`rules.are.aide_frais_concours`)."""
    a = are.aide_frais_concours(
        entree.annee_scolaire,
        annee_cpge=entree.annee_cpge,
        quotient_familial=entree.quotient_familial,
        nombre_concours=entree.nombre_concours,
    )
    return SortieCpge(
        eligible=a.eligible,
        forfait_par_concours=_montant(a.forfait_par_concours),
        concours_retenus=a.concours_retenus,
        montant=_montant(a.montant),
        motifs=[m.value for m in a.motifs],
    )


# The CLI convention (`EntreeSimulation` / `SortieSimulation` / `simuler`) points at the main
# simulator, the allocation; the two others are reached by their own names.
EntreeSimulation = EntreeDotation
SortieSimulation = SortieDotation
simuler = simuler_dotation
