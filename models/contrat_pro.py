"""Aide au contrat de professionnalisation (Pays de la Loire): event payloads and dossier state.

Source: `shared/seeds/003_78a5ddbbdc7b9add.txt`.
"""

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.dossier import Anomalie, Registre
from models.personnel import PERSONNEL

WORKFLOW = "contrat-pro"
WORKFLOW_CUMUL = "contrat-pro-cumul"
PLAFOND_DEPASSE = "PlafondDeMinimis"
"""The error type of a ledger reservation refused over the de minimis ceiling."""
"""The ledger of one beneficiary's (SIREN) contrat-pro aids in one calendar year: one workflow
per `<SIREN>:<année>` (docs/contrat_pro.md, « Cumul annuel par bénéficiaire »)."""


class Certification(BaseModel):
    """The certification prepared: an RNCP code, or a CERTIFINFO code for branch CQPs."""

    model_config = ConfigDict(extra="forbid")

    rncp: str | None = Field(default=None, pattern=r"^\d{1,6}$")
    certifinfo: str | None = Field(default=None, pattern=r"^\d{1,7}$")

    @model_validator(mode="after")
    def _un_code_au_moins(self) -> Self:
        if self.rncp is None and self.certifinfo is None:
            raise ValueError("la certification doit porter un code RNCP ou un code CERTIFINFO")
        return self


class ContratEnregistre(BaseModel):
    """OPCO: a contrat de professionnalisation was registered (`opco.contrat-pro.enregistre.v1`).

    The OPCO contract number is the dossier's business key (the CloudEvent `subject`).
    """

    model_config = ConfigDict(extra="forbid")

    numero_contrat: str = Field(
        min_length=1, max_length=30, description="numéro du contrat à l'OPCO (clé du dossier)"
    )
    siret_etablissement: str = Field(description="SIRET de l'établissement employeur, 14 chiffres")
    code_postal_etablissement: str = Field(
        pattern=r"^\d{5}$", description="code postal de l'établissement employeur"
    )
    date_debut: date = Field(description="date de début d'exécution du contrat")
    date_fin: date = Field(description="date de fin prévue du contrat")
    duree_hebdomadaire_heures: Decimal = Field(
        gt=0, le=48, decimal_places=2, description="durée hebdomadaire de travail, en heures"
    )
    certification: Certification = Field(
        description="certification visée: code RNCP ou code CERTIFINFO"
    )
    nature_contrat: Literal["standard", "experimental", "qualification_ccn"] = Field(
        default="standard",
        description="standard, experimental ou qualification_ccn (les deux derniers exclus)",
    )
    date_naissance_salarie: date = Field(
        description="date de naissance du salarié (donnée personnelle)",
        json_schema_extra=PERSONNEL,
    )
    demandeur_emploi: bool = Field(description="le salarié était demandeur d'emploi à l'embauche")

    @field_validator("siret_etablissement")
    @classmethod
    def _siret(cls, value: str) -> str:
        if not re.fullmatch(r"\d{14}", value):
            raise ValueError("le SIRET doit compter 14 chiffres")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.date_fin < self.date_debut:
            raise ValueError(
                f"date_fin ({self.date_fin}) est antérieure à date_debut ({self.date_debut})"
            )
        return self


class _Evenement(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContratRompu(_Evenement):
    """OPCO: the contract was broken early (`opco.contrat-pro.rompu.v1`)."""

    date_fin_effective: date = Field(description="dernier jour d'exécution du contrat")


class SuspensionNonRemuneree(_Evenement):
    """OPCO: the contract is suspended without pay (`opco.contrat-pro.suspendu.v1`).

    `au` empty: still suspended; the resumption event closes it."""

    du: date = Field(description="premier jour de suspension")
    au: date | None = Field(default=None, description="dernier jour, vide si en cours")

    @model_validator(mode="after")
    def _ordre(self) -> Self:
        if self.au is not None and self.au < self.du:
            raise ValueError(f"au ({self.au}) est antérieur à du ({self.du})")
        return self


class ContratRepris(_Evenement):
    """OPCO: work resumed after a suspension (`opco.contrat-pro.repris.v1`)."""

    date_reprise: date = Field(description="premier jour travaillé après la suspension")


class AvenantDuree(_Evenement):
    """OPCO: an amendment changes the weekly hours (`opco.contrat-pro.avenant.v1`)."""

    date_effet: date = Field(description="date d'effet de l'avenant")
    duree_hebdomadaire_heures: Decimal = Field(
        gt=0, le=48, decimal_places=2, description="nouvelle durée hebdomadaire, en heures"
    )


class TypeDocument(StrEnum):
    CERFA = "cerfa"
    DECISION_OPCO = "decision_prise_en_charge_opco"
    AUTRE = "autre"


DOCUMENTS_REQUIS = frozenset({TypeDocument.CERFA, TypeDocument.DECISION_OPCO})
"""Seed 003 section 2: « la copie du contrat de professionnalisation (formulaire CERFA) et la
copie de la décision de prise en charge du contrat par l'opérateur de compétences »."""


class Document(BaseModel):
    type: TypeDocument
    reference: str = Field(min_length=1, max_length=200, description="référence au portail")


class DemandeDeposee(_Evenement):
    """Portal: the employer filed the aid request (`portail.contrat-pro.demande-deposee.v1`)."""

    date_demande: date = Field(description="date de dépôt de la demande")
    dans_effectif_6_mois: bool = Field(
        description="le salarié appartenait à l'effectif dans les 6 mois avant le début"
    )
    employeur_a_jour: bool = Field(description="obligations fiscales et sociales à jour")
    licenciement_economique_6_mois: bool = Field(
        description="licenciement économique dans les 6 mois avant la demande"
    )
    cumul_aides_annee: Decimal = Field(
        default=Decimal("0"),
        ge=0,
        description="autres aides régionales déclarées par l'employeur pour l'année civile, "
        "EUR (les aides contrat de professionnalisation du service sont comptées par guichet)",
    )
    aides_de_minimis_declarees: Decimal = Field(
        default=Decimal("0"),
        ge=0,
        description="autres aides de minimis reçues par l'entreprise unique sur les trois "
        "dernières années glissantes, EUR (règlement (UE) 2023/2831 ; les aides contrat de "
        "professionnalisation du service sont comptées par guichet)",
    )
    documents: list[Document] = Field(default_factory=list, description="pièces jointes")


class DocumentAjoute(_Evenement):
    """Portal: a document was added to the dossier (`portail.contrat-pro.document-ajoute.v1`)."""

    document: Document


class ConventionSignee(_Evenement):
    """Portal: the employer signed the convention (`portail.contrat-pro.convention-signee.v1`)."""

    date_signature: date


class DemandePaiementDeposee(_Evenement):
    """Portal: the employer filed the payment request
    (`portail.contrat-pro.demande-paiement-deposee.v1`)."""

    date_demande_paiement: date
    rib_reference: str = Field(
        min_length=1, max_length=100, description="référence des coordonnées bancaires au portail"
    )
    etat_recapitulatif: str | None = Field(
        default=None,
        max_length=120,
        description="pour une aide sous convention : l'état récapitulatif qui la présente "
        "(`<SIREN>:<année>/<numéro de l'état>`, posé par guichet quand il transmet l'état)",
    )


class LigneEtatRecapitulatif(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numero_contrat: str = Field(
        min_length=1, max_length=50, description="numéro OPCO du contrat (la clé du dossier)"
    )
    montant: Decimal = Field(gt=0, decimal_places=2, description="montant présenté, EUR")


class EtatRecapitulatifDepose(_Evenement):
    """Portal: the employer presents the état récapitulatif annexed to its convention
    (`portail.contrat-pro.etat-recapitulatif-depose.v1`, subject `<SIREN>:<année>`)."""

    numero_etat: str = Field(min_length=1, max_length=50, description="numéro de l'état")
    date_depot: date = Field(description="date de dépôt de l'état récapitulatif")
    rib_reference: str = Field(
        min_length=1, max_length=100, description="référence des coordonnées bancaires au portail"
    )
    lignes: list[LigneEtatRecapitulatif] = Field(
        min_length=1, max_length=500, description="les aides présentées, une par contrat"
    )


class CoordonneesBancairesCorrigees(_Evenement):
    """Portal: new bank details after a rejected payment
    (`portail.contrat-pro.coordonnees-bancaires-corrigees.v1`)."""

    rib_reference: str = Field(min_length=1, max_length=100)


class PaiementExecute(_Evenement):
    """ASP: a payment order was executed (`asp.contrat-pro.paiement-execute.v1`)."""

    ordre_id: str
    date_execution: date


class PaiementRejete(_Evenement):
    """ASP: a payment order was rejected (`asp.contrat-pro.paiement-rejete.v1`)."""

    ordre_id: str
    motif: str


class TitreRecouvre(_Evenement):
    """ASP: a recovery order was settled (`asp.contrat-pro.titre-recouvre.v1`)."""

    ordre_id: str
    montant: Decimal = Field(gt=0)


class CadreAide(StrEnum):
    """Seed 003 section 3: the aid comes under the de minimis regulation (UE) 2023/2831 or the
    exempted scheme SA.111722 (training aids 2024-2026), « selon la situation du public
    concerné et la taille de l'entreprise »: recorded at acceptance."""

    DE_MINIMIS = "de_minimis"
    SA_111722 = "sa_111722"


class TypeDecision(StrEnum):
    ACCEPTER = "accepter"
    REJETER = "rejeter"
    DEMANDER_PIECES = "demander_pieces"
    SIGNALER_FRAUDE = "signaler_fraude"
    CLORE_SANS_SUITE = "clore_sans_suite"
    CONSTATER_PRESCRIPTION = "constater_prescription"
    """Status `examen_delai`: the payment-request deadline had passed before it was known;
    the instructor confirms the time-bar (docs/contrat_pro.md, "Deadlines that can be met")."""
    RELEVER_DELAI = "relever_delai"
    """Status `examen_delai`: the instructor gives a new deadline (`date_limite_reponse`)."""
    VALIDER_PAIEMENT = "valider_paiement"
    """Status `instruction_paiement`: the payment request's documents are admissible, the
    order leaves (seed 003 section 3: « versée [...] après instruction »)."""
    REDUIRE = "reduire"
    """Status `instruction_paiement`: pay `montant` (less than the amount due; 0: nothing) for
    `motif` (section 4: « ne pas verser l'aide en partie ou en totalité »)."""
    RECOUVRER = "recouvrer"
    """Statuses `paye` (after a control) and `examen_trop_percu` (the proposal): a titre
    exécutoire of `montant` (default: the proposed excess) for `motif` (section 4)."""
    RENONCER_RECOUVREMENT = "renoncer_recouvrement"
    """Statuses `examen_trop_percu` (the excess is not claimed) and `recouvrement` (the rest
    of the titre is written off): back to `paye`, `motif` required."""


class Decision(BaseModel):
    """An instructor's decision, through the `decider` update."""

    model_config = ConfigDict(extra="forbid")

    type: TypeDecision
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    date_limite_reponse: date | None = None
    montant_a_recuperer: Decimal | None = Field(default=None, gt=0)
    montant: Decimal | None = Field(
        default=None,
        ge=0,
        decimal_places=2,
        description="reduire: the amount paid after the reduction; recouvrer: the titre's amount",
    )
    cadre: CadreAide | None = Field(
        default=None,
        description="accepter: the act's legal framework (default de_minimis)",
    )


class Statut(StrEnum):
    NOUVEAU = "nouveau"
    ATTENTE_DEMANDE = "attente_demande"
    PRESCRIT = "prescrit"
    INSTRUCTION = "instruction"
    ATTENTE_PIECES = "attente_pieces"
    REJETE = "rejete"
    CLOS_SANS_SUITE = "clos_sans_suite"
    ATTENTE_SIGNATURE = "attente_signature"
    EN_COURS = "en_cours"
    ATTENTE_DEMANDE_PAIEMENT = "attente_demande_paiement"
    PAIEMENT_PRESCRIT = "paiement_prescrit"
    PAIEMENT_EMIS = "paiement_emis"
    PAIEMENT_REJETE = "paiement_rejete"
    PAYE = "paye"
    RECOUVREMENT = "recouvrement"
    ARCHIVE = "archive"
    NON_DUE = "non_due"
    """Seed 003 section 3: « rupture anticipée intervenant durant le premier mois [...] l'aide
    n'est pas due » (terminal: no act, or the act withdrawn; never a payment order)."""
    EXAMEN_DELAI = "examen_delai"
    """The payment-request deadline had passed before the fact fixing it was known: an
    instructor decides (« délai échu avant d'être connu »)."""
    INSTRUCTION_PAIEMENT = "instruction_paiement"
    """Seed 003 sections 3 and 4: the payment request's documents examined before the order
    (`valider_paiement`, `demander_pieces`, `reduire`)."""
    ATTENTE_PIECES_PAIEMENT = "attente_pieces_paiement"
    """Documents asked for the payment request, until `date_limite_pieces`."""
    EXAMEN_TROP_PERCU = "examen_trop_percu"
    """After payment, a fact lowered the amount due: the excess is proposed to an instructor
    (`recouvrer`, `renoncer_recouvrement`)."""


STATUTS_TERMINAUX = frozenset(
    {
        Statut.PRESCRIT,
        Statut.REJETE,
        Statut.CLOS_SANS_SUITE,
        Statut.PAIEMENT_PRESCRIT,
        Statut.ARCHIVE,
        Statut.NON_DUE,
    }
)


class EntreeEvaluation(BaseModel):
    """The inputs of one evaluation of the rules (seed 003 sections 2-4), as recorded."""

    contrat: ContratEnregistre
    demande: DemandeDeposee
    date_fin_effective: date | None = None
    suspensions: list[tuple[date, date]] = Field(default_factory=list)
    avenants: list[AvenantDuree] = Field(default_factory=list)


class Evaluation(BaseModel):
    """The result of `rules.contrat_pro.evaluer`, with the rule version and its inputs."""

    version_regles: str
    eligible: bool
    motifs: list[str]
    mois_aides: list[int]
    montant_mensuel: Decimal
    montant: Decimal
    date_limite_demande: date
    date_versement: date
    date_limite_demande_paiement: date
    acte: str
    entree: EntreeEvaluation


class ReservationCumul(BaseModel):
    """A dossier's amount reserved on its beneficiary's yearly ledger (update `reserver`)."""

    dossier: str = Field(min_length=1, description="workflow id of the contrat-pro dossier")
    montant: Decimal = Field(ge=0)
    autres_declarees: Decimal | None = Field(
        default=None,
        description="the other aids the employer declared: with it the ledger knows the act "
        "and lists the convention's aids",
    )
    cadre: CadreAide = CadreAide.DE_MINIMIS
    le: date | None = Field(default=None, description="the act's date (Paris)")


class ControleDeMinimis(BaseModel):
    """The de minimis ceiling test the ledger makes with the reservation (regulation (UE)
    2023/2831, art. 3: 300 000 EUR per single undertaking over any period of three years)."""

    declarees: Decimal = Field(ge=0, description="other de minimis aids the employer declared")
    annees_precedentes: Decimal | None = Field(
        default=None,
        description="the service's de minimis aids to the SIREN in the three years before the "
        "act, outside the act's calendar year (filled in by the activity from the earlier "
        "ledgers)",
    )
    plafond: Decimal


class EntreeCumul(BaseModel):
    """What a dossier asks its beneficiary's ledger: reserve `montant` (0: release)."""

    siren: str = Field(pattern=r"^\d{9}$")
    annee: int
    reservation: ReservationCumul
    de_minimis: ControleDeMinimis | None = None


class ReservationFaite(BaseModel):
    """What the ledger answers a reservation: the year's amount the other dossiers hold and,
    for a de minimis test, the service's de minimis aids over the three years (this one
    excluded)."""

    autres: Decimal
    de_minimis_service: Decimal | None = None
    acte: Literal["arrete", "convention"] | None = None


class LigneTraitee(BaseModel):
    """One line of an état récapitulatif, as the convention checked it."""

    numero_contrat: str
    montant: Decimal
    transmise: bool
    motif: str | None = None
    """Why the line was not passed on to its dossier."""


class EtatRecapitulatifTraite(BaseModel):
    id: str
    numero_etat: str
    date_depot: date
    lignes: list[LigneTraitee]


class EtatCumul(BaseModel):
    """A ledger's state (query `etat`; carried over continue-as-new): the amount each dossier
    holds, by workflow id; the dossiers outside de minimis and the acts' dates; the aids under
    the year's convention and the états récapitulatifs presented for them."""

    cle: str
    reservations: dict[str, Decimal] = Field(default_factory=dict)
    hors_de_minimis: list[str] = Field(default_factory=list)
    dates: dict[str, date] = Field(default_factory=dict)
    conventions: list[str] = Field(default_factory=list)
    etats_recapitulatifs: list[EtatRecapitulatifTraite] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def de_minimis(self, sauf: str, depuis: date | None = None) -> Decimal:
        """The de minimis amounts held, except dossier `sauf`, acts after `depuis` if given
        (an act without a date counts)."""
        return sum(
            (
                montant
                for dossier, montant in self.reservations.items()
                if dossier != sauf
                and dossier not in self.hors_de_minimis
                and (depuis is None or self.dates.get(dossier, depuis) >= depuis)
            ),
            Decimal("0.00"),
        )


class PlafondDeMinimis(BaseModel):
    """The act's de minimis test, with where each figure came from."""

    aides_service: Decimal = Field(
        description="contrat-pro de minimis aids granted by guichet to the SIREN over the "
        "three years, this one excluded"
    )
    aides_declarees: Decimal
    montant: Decimal
    total: Decimal
    plafond: Decimal


class CumulAnnuel(BaseModel):
    """The threshold test of one act (seed 003 section 4: a convention « lorsque le montant
    annuel cumulatif des aides dépasserait 23 000 € »), with where each figure came from."""

    siren: str
    annee: int
    aides_service: Decimal = Field(
        description="contrat-pro aids granted by guichet to the SIREN that year, this one excluded"
    )
    autres_aides_declarees: Decimal = Field(description="declared by the employer (the request)")
    montant: Decimal = Field(description="this dossier's amount")
    total: Decimal
    seuil: Decimal
    acte: Literal["arrete", "convention"]


class OrdrePaiement(BaseModel):
    id: str
    nature: Literal["paiement", "titre_executoire"]
    montant: Decimal
    statut: Literal["emis", "execute", "rejete", "recouvre", "abandonne"]
    rib_reference: str | None = None


class EtatContratPro(BaseModel):
    """What the `etat` query returns; also the workflow's result."""

    cle: str
    statut: Statut = Statut.NOUVEAU
    contrat: ContratEnregistre | None = None
    date_limite_demande: date | None = None
    demande: DemandeDeposee | None = None
    documents: list[Document] = Field(default_factory=list)
    date_limite_pieces: date | None = None
    date_fin_effective: date | None = None
    suspensions: list[SuspensionNonRemuneree] = Field(default_factory=list)
    avenants: list[AvenantDuree] = Field(default_factory=list)
    evaluation: Evaluation | None = None
    cumul: CumulAnnuel | None = None
    """The act's threshold test, computed on the beneficiary's ledger at acceptance."""
    cadre: CadreAide | None = None
    """The act's legal framework, chosen at acceptance (seed 003 section 3)."""
    de_minimis: PlafondDeMinimis | None = None
    """The de minimis ceiling test at acceptance (framework `de_minimis`)."""
    decisions: list[Decision] = Field(default_factory=list)
    date_signature_convention: date | None = None
    demande_paiement: DemandePaiementDeposee | None = None
    demande_paiement_anticipee: bool = False
    """The payment request arrived before payment was due: kept, examined once it is due."""
    date_limite_demande_paiement_relevee: date | None = None
    """The new payment-request deadline an instructor gave (`relever_delai`)."""
    ordres: list[OrdrePaiement] = Field(default_factory=list)
    montant_verse: Decimal = Decimal("0.00")
    montant_a_recuperer: Decimal = Decimal("0.00")
    montant_recouvre: Decimal = Decimal("0.00")
    montant_a_verser: Decimal | None = None
    """The amount an instructor decided to pay (`reduire`), below the amount due."""
    trop_percu: Decimal = Decimal("0.00")
    """The excess proposed to the instructor (`examen_trop_percu`): paid − due − already
    claimed or waived."""
    montant_abandonne: Decimal = Decimal("0.00")
    """Excess not claimed, or the unrecovered rest of a titre written off
    (`renoncer_recouvrement`)."""
    date_fin_conservation: date | None = None
    rappels_envoyes: list[str] = Field(default_factory=list)
    anomalies: list[Anomalie] = Field(default_factory=list)
    registre: Registre = Field(default_factory=Registre)

    def acte(self) -> str | None:
        """The act taken or to take: the ledger's at acceptance, else the evaluation's
        estimate on the declared figures."""
        if self.cumul is not None:
            return self.cumul.acte
        return self.evaluation.acte if self.evaluation else None

    def documents_manquants(self) -> list[TypeDocument]:
        presents = {document.type for document in self.documents}
        return sorted(DOCUMENTS_REQUIS - presents)
