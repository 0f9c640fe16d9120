"""Aide régionale à l'équipement (ARE), Île-de-France lycées: event payloads, decisions and
states of the three workflows (yearly campaign, complementary request, spending report).

Sources: `shared/seeds/000_1a6800f97ad826db.txt` (règlement d'intervention 2021-2022) and
`shared/seeds/001_d4a38141b0b7da2a.txt` (modalités 2023-2024). The workflows and the choices
made where the texts are silent are described in docs/are.md, section « Workflows ».

Sandbox-safe: pydantic and the pure format checks of `rules.are` (no reference data is read
here, so these models can be validated inside workflow code).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from models.dossier import Anomalie, Registre
from rules.are import Enveloppe, annee_valide, code_diplome_valide, uai_valide, version_regle

WORKFLOW_CAMPAGNE = "are-campagne"
WORKFLOW_COMPLEMENT = "are-complement"
WORKFLOW_BILAN = "are-bilan"

ACADEMIES = ("PARIS", "CRETEIL", "VERSAILLES")
"""The three rectorats of Île-de-France that send the stabilised enrolments (both seeds,
« communiqués par les trois rectorats »)."""

ZERO = Decimal("0.00")


# --- field checks (French messages naming the field, the value and the rule) ---------------


def verifier_uai(valeur: str, champ: str = "uai") -> str:
    if not uai_valide(valeur):
        raise ValueError(
            f"{champ} « {valeur} » invalide : un UAI compte 7 chiffres et une lettre majuscule"
        )
    return valeur


def verifier_code_diplome(valeur: str, champ: str = "code_diplome") -> str:
    if not code_diplome_valide(valeur):
        raise ValueError(f"{champ} « {valeur} » invalide : un code diplôme compte 8 chiffres")
    return valeur


def verifier_annee_connue(valeur: str) -> str:
    """A school year the allocation rules know (`rules.are.VERSIONS_REGLE`)."""
    version_regle(valeur)  # raises a French message naming the value and the known years
    return valeur


def verifier_annee(valeur: str) -> str:
    if not annee_valide(valeur):
        raise ValueError(
            f"annee_scolaire « {valeur} » invalide : format attendu AAAA-AAAA+1 (ex. 2023-2024)"
        )
    return valeur


def verifier_montant(valeur: Decimal, champ: str, *, positif: bool = True) -> Decimal:
    """A euro amount: finite, at most two decimals (kept as cents), positive unless allowed."""
    if not valeur.is_finite():
        raise ValueError(f"{champ} « {valeur} » n'est pas un montant")
    if positif and valeur < 0:
        raise ValueError(f"{champ} « {valeur} » ne peut pas être négatif")
    exposant = valeur.as_tuple().exponent
    if isinstance(exposant, int) and exposant < -2:
        raise ValueError(f"{champ} « {valeur} » : deux décimales au plus (montant en euros)")
    return valeur.quantize(Decimal("0.01"))


def annee_suivante(annee_scolaire: str) -> str:
    """« 2023-2024 » → « 2024-2025 »."""
    debut = int(verifier_annee(annee_scolaire)[:4]) + 1
    return f"{debut}-{debut + 1}"


def fin_annee_scolaire(annee_scolaire: str) -> date:
    """The day the school year is over and the spending report is asked for: 1 July of its
    second calendar year (seeds: « à l'issue de l'année scolaire »; the date is our reading)."""
    return date(int(verifier_annee(annee_scolaire)[5:]), 7, 1)


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Montants(_Modele):
    """An amount per envelope, in euros (the two envelopes are never merged)."""

    pre_bac: Decimal = ZERO
    post_bac: Decimal = ZERO

    @field_validator("pre_bac", "post_bac")
    @classmethod
    def _montant(cls, valeur: Decimal, info: ValidationInfo) -> Decimal:
        return verifier_montant(valeur, str(info.field_name))

    def de(self, enveloppe: Enveloppe) -> Decimal:
        return self.pre_bac if enveloppe is Enveloppe.PRE_BAC else self.post_bac

    @property
    def total(self) -> Decimal:
        return self.pre_bac + self.post_bac

    def plus(self, autre: "Montants") -> "Montants":
        return Montants(
            pre_bac=self.pre_bac + autre.pre_bac, post_bac=self.post_bac + autre.post_bac
        )

    def par_enveloppe(self) -> dict[Enveloppe, Decimal]:
        return {Enveloppe.PRE_BAC: self.pre_bac, Enveloppe.POST_BAC: self.post_bac}

    @classmethod
    def depuis(cls, montants: Any) -> "Montants":
        """From a mapping Enveloppe → amount (what `rules.are` returns)."""
        return cls(
            pre_bac=montants.get(Enveloppe.PRE_BAC, ZERO),
            post_bac=montants.get(Enveloppe.POST_BAC, ZERO),
        )


def texte_montant(montant: Decimal) -> str:
    """« 1 510,00 € »: French formatting for messages (thin spaces would be nicer; plain
    spaces keep the text searchable)."""
    signe = "-" if montant < 0 else ""
    entier, decimales = f"{abs(montant):.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{signe}{' '.join(groupes)},{decimales} €"


# --- partner events: campaign (subject: the school year) ------------------------------------


class CampagneOuverte(_Modele):
    """The Région opens the year's campaign with the files it received
    (`etablissements.are.campagne-ouverte.v1`, subject: the school year).

    `fichier_effectifs`: the rectorats' stabilised first-year enrolments of the n-1 school start,
    one line per school and formation; `fichier_etablissements`: one line per school with its
    post-bac scholarship rate (services académiques) and whether it answered the regional
    survey. Both are `;`-separated UTF-8 CSV files, described in docs/are.md."""

    annee_scolaire: str = Field(description="année scolaire de la campagne, ex. 2023-2024")
    fichier_effectifs: str = Field(
        min_length=1, max_length=500, description="chemin du fichier des effectifs (rectorats)"
    )
    fichier_etablissements: str = Field(
        min_length=1,
        max_length=500,
        description="chemin du fichier des établissements (taux de boursiers, enquête)",
    )

    date_demande_bilans: date | None = Field(
        default=None,
        description="jour où les bilans de fin d'année sont demandés (par défaut le 1er juillet "
        "de fin d'année scolaire, jamais avant)",
    )

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee_connue(valeur)

    @model_validator(mode="after")
    def _bilans_en_fin_d_annee(self) -> Self:
        fin = fin_annee_scolaire(self.annee_scolaire)
        if self.date_demande_bilans is not None and self.date_demande_bilans < fin:
            raise ValueError(
                f"date_demande_bilans « {self.date_demande_bilans} » : les bilans se demandent à "
                f"l'issue de l'année scolaire, pas avant le {fin:%d/%m/%Y}"
            )
        return self

    def demande_bilans(self) -> date:
        return self.date_demande_bilans or fin_annee_scolaire(self.annee_scolaire)


class FichiersCorriges(_Modele):
    """Corrected files for a campaign not voted yet (`etablissements.are.fichiers-corriges.v1`)."""

    fichier_effectifs: str = Field(min_length=1, max_length=500)
    fichier_etablissements: str = Field(min_length=1, max_length=500)


# --- partner events: complementary request (subject: the request's reference) -------------


class LigneComplement(_Modele):
    """One eligible formation of a complementary request (both seeds, « Dotation
    complémentaire »: « les effectifs supplémentaires par formation éligible au dispositif (code
    nomenclature NSF du diplôme et intitulé de la formation) »)."""

    code_diplome: str = Field(description="code diplôme à 8 chiffres (spécialité NSF incluse)")
    libelle_formation: str = Field(min_length=1, max_length=200)
    enveloppe: Enveloppe = Field(description="pre_bac (élèves) ou post_bac (boursiers)")
    effectif_supplementaire: int = Field(
        description="élèves supplémentaires (pré-bac) ou boursiers supplémentaires (post-bac)"
    )

    @field_validator("code_diplome")
    @classmethod
    def _code(cls, valeur: str) -> str:
        return verifier_code_diplome(valeur)

    @field_validator("effectif_supplementaire")
    @classmethod
    def _effectif(cls, valeur: int) -> int:
        if valeur < 1:
            raise ValueError(
                f"effectif_supplementaire « {valeur} » : au moins un élève supplémentaire"
            )
        return valeur


class DemandeComplementaire(_Modele):
    """A school's written request for a complementary allocation
    (`etablissements.are.demande-complementaire.v1`, subject: the request's reference)."""

    uai: str
    annee_scolaire: str
    date_demande: date
    canal: Literal["courriel", "courrier"] = Field(
        description="« Les demandes sont adressées par courriel ou par voie postale »"
    )
    motif: str = Field(
        min_length=1, max_length=2000, description="insuffisance de crédits constatée"
    )
    lignes: list[LigneComplement] = Field(min_length=1, max_length=200)

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return verifier_uai(valeur)

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee_connue(valeur)

    @model_validator(mode="after")
    def _codes_uniques(self) -> Self:
        vus: set[str] = set()
        for i, ligne in enumerate(self.lignes):
            if ligne.code_diplome in vus:
                raise ValueError(
                    f"lignes[{i}].code_diplome « {ligne.code_diplome} » en double : une ligne "
                    "par formation"
                )
            vus.add(ligne.code_diplome)
        return self


# --- partner events: spending report (subject: « <UAI>:<année scolaire> ») ------------------


class LigneDepense(_Modele):
    """A line of the spending report: by formation, pupils helped, purchases and equipment type
    (both seeds, « Compte rendu d'utilisation des dotations »). The equipment type and the sign
    of the amount are checked by the rules (`rules.are.verifier_bilan`), which report anomalies
    naming the rule rather than refusing the event."""

    code_diplome: str
    libelle_formation: str = Field(min_length=1, max_length=200)
    enveloppe: Enveloppe
    type_equipement: str = Field(min_length=1, max_length=100)
    nombre_eleves: int = Field(ge=0, description="nombre d'élèves aidés")
    montant: Decimal = Field(description="montant des achats, en euros")

    @field_validator("code_diplome")
    @classmethod
    def _code(cls, valeur: str) -> str:
        return verifier_code_diplome(valeur)

    @field_validator("montant")
    @classmethod
    def _montant(cls, valeur: Decimal) -> Decimal:
        return verifier_montant(valeur, "montant", positif=False)


class BilanDepose(_Modele):
    """A school's end-of-year spending report (`etablissements.are.bilan-depose.v1`, subject:
    `<UAI>:<année scolaire>`). A new report replaces the previous one until one is valid."""

    uai: str
    annee_scolaire: str
    date_depot: date
    dotations_recues: Montants = Field(description="total des dotations reçues dans l'année")
    reliquats_anterieurs: Montants = Field(description="reliquats de l'année antérieure")
    depenses: list[LigneDepense] = Field(default_factory=list, max_length=2000)

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return verifier_uai(valeur)

    @field_validator("annee_scolaire")
    @classmethod
    def _annee(cls, valeur: str) -> str:
        return verifier_annee(valeur)


# --- internal events (one guichet workflow to another, by signal-with-start) ----------------

BILAN_DEMANDE = "guichet.are.bilan-demande.v1"
COMPLEMENT_ACCORDE = "guichet.are.complement-accorde.v1"
RELIQUATS_CONSTATES = "guichet.are.reliquats-constates.v1"
INTERNES = (BILAN_DEMANDE, COMPLEMENT_ACCORDE, RELIQUATS_CONSTATES)
"""Sent by a guichet workflow (through the `signaler_dossiers_are` activity) to another one;
never read from Kafka."""


class BilanDemande(_Modele):
    """The campaign asks a school's spending report on 1 July, with what it knows: the initial
    allocation voted and the leftovers of the year before (`guichet.are.bilan-demande.v1`)."""

    uai: str
    annee_scolaire: str
    dotation_initiale: Montants
    reliquats_anterieurs: Montants | None = Field(
        default=None, description="vide si la campagne n'a reçu aucun bilan n-1 de l'établissement"
    )
    campagne: str
    deliberation: str


class ComplementAccorde(_Modele):
    """A complementary allocation was granted and ordered (`guichet.are.complement-accorde.v1`)."""

    uai: str
    annee_scolaire: str
    montants: Montants
    demande: str
    deliberation: str


class ReliquatsConstates(_Modele):
    """A valid spending report's leftovers, for the next year's campaign
    (`guichet.are.reliquats-constates.v1`)."""

    uai: str
    annee_scolaire: str = Field(description="année du bilan (la campagne est l'année suivante)")
    reliquats: Montants
    bilan: str


class SignalDossier(_Modele):
    """Deliver `evenement` to the workflow `<workflow>:<cle>`, starting it if needed."""

    workflow: str
    cle: str
    evenement: dict[str, Any] = Field(description="the CloudEvent, as JSON")


class SignauxDossiers(_Modele):
    signaux: list[SignalDossier]


class RefusSignal(_Modele):
    workflow_id: str
    motif: str


class ResultatSignaux(_Modele):
    refus: list[RefusSignal] = Field(default_factory=list)


# --- anomalies, decisions -------------------------------------------------------------------


class TypeDecisionCampagne(StrEnum):
    VOTER = "voter"
    """Record the commission permanente's vote of the table (its version)."""
    RECALCULER = "recalculer"
    """Import and compute again (the files were fixed in place, leftovers arrived late...)."""


class DecisionCampagne(_Modele):
    """An instructor's decision on a campaign, through the `decider` update."""

    type: TypeDecisionCampagne
    auteur: str = Field(min_length=1, max_length=200)
    date_vote: date | None = None
    deliberation: str | None = Field(
        default=None, max_length=100, description="référence de la délibération, ex. CP 2023-456"
    )
    version_table: int | None = Field(
        default=None, ge=1, description="version de la table soumise au vote"
    )
    motif: str | None = Field(default=None, max_length=2000)


class TypeDecisionComplement(StrEnum):
    INSCRIRE = "inscrire"
    """Queue the request for the next commission permanente session."""
    REJETER = "rejeter"
    AJOURNER = "ajourner"
    """The session postponed it: queue it for the following session."""
    STATUER = "statuer"
    """Record the commission's decision: the amounts granted (may differ, with a reason)."""


class DecisionComplement(_Modele):
    type: TypeDecisionComplement
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    montants_accordes: Montants | None = None
    deliberation: str | None = Field(default=None, max_length=100)


class TypeDecisionBilan(StrEnum):
    PROROGER = "proroger"
    """Give the school a new deadline."""
    CLORE_SANS_SUITE = "clore_sans_suite"


class DecisionBilan(_Modele):
    type: TypeDecisionBilan
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    date_limite: date | None = None


# --- campaign: activity inputs and results --------------------------------------------------


class ErreurImport(_Modele):
    """One refused value of an imported file: file, line (the header is line 1), field, value
    and the rule, with the French message built from them."""

    fichier: Literal["effectifs", "etablissements"]
    ligne: int
    champ: str
    valeur: str
    regle: str
    message: str


class EntreeImport(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    fichier_effectifs: str
    fichier_etablissements: str


class ResultatImport(_Modele):
    version: int
    valide: bool
    nombre_etablissements: int = 0
    nombre_lignes: int = 0
    nombre_erreurs: int = 0
    erreurs: list[ErreurImport] = Field(
        default_factory=list, description="les premières erreurs (toutes dans le rapport)"
    )
    rapport_erreurs: str | None = None
    donnees: str | None = Field(default=None, description="import normalisé (JSON)")
    empreinte: str | None = Field(default=None, description="SHA-256 de l'import normalisé")


class ReliquatRecu(_Modele):
    reliquats: Montants
    bilan: str
    evenement_id: str
    apres_vote: bool = False


class EntreeCalcul(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    donnees: str
    empreinte: str
    reliquats: dict[str, Montants] = Field(default_factory=dict)


class DotationEtablissement(_Modele):
    """What the workflow keeps of a school's allocation: enough to notify, pay and ask the
    spending report (the details are in the table's files)."""

    uai: str
    dotation: Montants
    reliquats: Montants
    motifs: list[str] = Field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.dotation.total


class ResultatCalcul(_Modele):
    version: int
    version_regle: str
    forfait_standard: Decimal
    forfait_prepa_metiers: Decimal
    brut: Montants
    reliquats: Montants
    dotation: Montants
    nombre_etablissements: int
    nombre_dotes: int
    dotations: list[DotationEtablissement]
    calcul: str = Field(description="calcul détaillé (JSON)")
    empreinte: str

    @property
    def total(self) -> Decimal:
        return self.dotation.total


class EntreeTable(_Modele):
    campagne: str
    annee_scolaire: str
    version: int
    calcul: str
    empreinte: str


class TableCommission(_Modele):
    version: int
    csv: str
    rapport: str
    empreinte_csv: str


class LotCampagne(_Modele):
    """A batch of schools to notify and pay after the vote."""

    campagne: str
    annee_scolaire: str
    deliberation: str
    date_vote: date
    horodatage: datetime
    dotations: list[DotationEtablissement]


class ResultatLot(_Modele):
    notifications: int
    ordres: int
    montant: Decimal


# --- complementary request: activity inputs and results -------------------------------------


class EntreeEvaluationComplement(_Modele):
    annee_scolaire: str
    lignes: list[LigneComplement]


class LigneEvaluee(_Modele):
    code_diplome: str
    enveloppe: Enveloppe
    effectif_supplementaire: int
    eligible: bool
    hors_liste: bool
    forfait: Decimal
    montant: Decimal
    motif: str | None = None


class EvaluationComplement(_Modele):
    version_regle: str
    lignes: list[LigneEvaluee]
    montants_demandes: Montants = Field(description="lignes éligibles seulement")

    @property
    def eligible(self) -> bool:
        return self.montants_demandes.total > 0


class SessionCommission(_Modele):
    reference: str
    date_session: date


class EntreeSession(_Modele):
    jour: date = Field(description="la prochaine session est strictement après ce jour")


class ResultatSession(_Modele):
    session: SessionCommission | None = None


# --- spending report: activity inputs and results -------------------------------------------


class EntreeVerificationBilan(_Modele):
    bilan: BilanDepose
    dotations_versees: Montants | None = None
    reliquats_connus: Montants | None = None


class AnomalieBilan(_Modele):
    code: str
    message: str
    ligne: int | None = None
    enveloppe: Enveloppe | None = None


class VerificationBilan(_Modele):
    valide: bool
    anomalies: list[AnomalieBilan]
    ressources: Montants
    depenses: Montants
    reliquats: Montants
    eleves_aides: int


# --- states ---------------------------------------------------------------------------------


class StatutCampagne(StrEnum):
    NOUVELLE = "nouvelle"
    """Started by leftovers of last year's reports; the Région has not opened it yet."""
    IMPORT_REFUSE = "import_refuse"
    TABLE_PRODUITE = "table_produite"
    VOTEE = "votee"
    PAYEE = "payee"
    """Notifications and payment orders published; waiting for the end of the school year."""
    BILANS_DEMANDES = "bilans_demandes"


class VoteCommission(_Modele):
    auteur: str
    date_vote: date
    deliberation: str
    version_table: int


class EtatCampagne(_Modele):
    """What the `etat` query returns; also the workflow's result."""

    cle: str
    statut: StatutCampagne = StatutCampagne.NOUVELLE
    annee_scolaire: str | None = None
    fichier_effectifs: str | None = None
    fichier_etablissements: str | None = None
    date_demande_bilans: date | None = None
    a_recalculer: bool = False
    version: int = 0
    import_: ResultatImport | None = None
    calcul: ResultatCalcul | None = None
    table: TableCommission | None = None
    reliquats: dict[str, ReliquatRecu] = Field(default_factory=dict)
    vote: VoteCommission | None = None
    lots_publies: int = 0
    ordres_emis: int = 0
    montant_ordonne: Decimal = ZERO
    lots_bilans: int = 0
    bilans_demandes: int = 0
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)


class StatutComplement(StrEnum):
    NOUVEAU = "nouveau"
    INSTRUCTION = "instruction"
    ATTENTE_COMMISSION = "attente_commission"
    EN_COMMISSION = "en_commission"
    REJETEE = "rejetee"
    PAIEMENT_EMIS = "paiement_emis"


STATUTS_COMPLEMENT_TERMINAUX = frozenset({StatutComplement.REJETEE, StatutComplement.PAIEMENT_EMIS})


class DecisionCommission(_Modele):
    session: SessionCommission
    deliberation: str
    montants_accordes: Montants
    motif: str | None
    auteur: str


class OrdreAre(_Modele):
    id: str
    enveloppe: Enveloppe
    montant: Decimal
    statut: Literal["emis"] = "emis"


class EtatComplement(_Modele):
    cle: str
    statut: StatutComplement = StatutComplement.NOUVEAU
    demande: DemandeComplementaire | None = None
    evaluation: EvaluationComplement | None = None
    session: SessionCommission | None = None
    sessions_ajournees: list[SessionCommission] = Field(default_factory=list)
    commission: DecisionCommission | None = None
    ordres: list[OrdreAre] = Field(default_factory=list)
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    decisions: list[DecisionComplement] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)


class StatutBilan(StrEnum):
    NOUVEAU = "nouveau"
    ATTENTE_BILAN = "attente_bilan"
    A_CORRIGER = "a_corriger"
    EN_RETARD = "en_retard"
    VALIDE = "valide"
    CLOS_SANS_SUITE = "clos_sans_suite"


STATUTS_BILAN_TERMINAUX = frozenset({StatutBilan.VALIDE, StatutBilan.CLOS_SANS_SUITE})


class ComplementRecu(_Modele):
    demande: str
    montants: Montants
    deliberation: str


class EtatBilan(_Modele):
    cle: str
    uai: str | None = None
    annee_scolaire: str | None = None
    statut: StatutBilan = StatutBilan.NOUVEAU
    date_demande: date | None = None
    date_limite: date | None = None
    campagne: BilanDemande | None = None
    complements: list[ComplementRecu] = Field(default_factory=list)
    bilan: BilanDepose | None = None
    bilans_recus: int = 0
    verification: VerificationBilan | None = None
    reliquats: Montants | None = None
    depose_en_retard: bool = False
    transmis_a: str | None = None
    rappels_envoyes: list[str] = Field(default_factory=list)
    decisions: list[DecisionBilan] = Field(default_factory=list)
    refus_signaux: list[RefusSignal] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def dotations_versees(self) -> Montants | None:
        """Initial allocation (known once the campaign asked the report) plus complements."""
        if self.campagne is None:
            return None
        total = self.campagne.dotation_initiale
        for complement in self.complements:
            total = total.plus(complement.montants)
        return total


# --- ids ------------------------------------------------------------------------------------


def cle_etablissement(uai: str, annee_scolaire: str) -> str:
    """The school-year key: the spending report's workflow key and the subject of every
    outbound event about that school and year."""
    return f"{uai}:{annee_scolaire}"


def id_notification_campagne(campagne: str, uai: str) -> str:
    return f"{campagne}/notification/{uai}"


def id_ordre_campagne(campagne: str, uai: str, enveloppe: Enveloppe) -> str:
    """Idempotency key of an initial allocation's payment order: one per school and envelope
    (the envelopes are separate budget lines, never merged)."""
    return f"{campagne}/paiement/{uai}/{enveloppe.value}"
