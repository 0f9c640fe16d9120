"""The French labels of the codes staff meet: statuses of every scheme, decision types,
notification objects, field names, eligibility reasons. One catalogue, read by the console,
the exports' header row and the API's OpenAPI descriptions.

The codes stay what the workflows, the events and the API speak; a label is only how a person
reads them (the console shows the code as a tooltip). Keyed by the models' enums where there
is one, so a renamed member fails type checking; `tests/models/test_libelles.py` checks that
every status of every scheme and every decision type has a label.
"""

from collections.abc import Mapping

from models import are, cae_dom, contrat_pro, exapro
from rules import are as regles_are
from rules import cae_dom as regles_cae_dom

# --- statuses, per workflow type -----------------------------------------------------------

STATUTS: Mapping[str, Mapping[str, str]] = {
    contrat_pro.WORKFLOW: {
        contrat_pro.Statut.NOUVEAU: "Nouveau",
        contrat_pro.Statut.ATTENTE_DEMANDE: "En attente de la demande de l'employeur",
        contrat_pro.Statut.PRESCRIT: "Prescrit (demande non déposée dans le délai)",
        contrat_pro.Statut.INSTRUCTION: "En instruction",
        contrat_pro.Statut.ATTENTE_PIECES: "En attente de pièces",
        contrat_pro.Statut.REJETE: "Rejeté",
        contrat_pro.Statut.CLOS_SANS_SUITE: "Clos sans suite",
        contrat_pro.Statut.ATTENTE_SIGNATURE: "En attente de la signature de la convention",
        contrat_pro.Statut.EN_COURS: "Aide accordée, contrat en cours",
        contrat_pro.Statut.ATTENTE_DEMANDE_PAIEMENT: "En attente de la demande de paiement",
        contrat_pro.Statut.PAIEMENT_PRESCRIT: "Prescrit (demande de paiement hors délai)",
        contrat_pro.Statut.PAIEMENT_EMIS: "Paiement émis",
        contrat_pro.Statut.PAIEMENT_REJETE: "Paiement rejeté",
        contrat_pro.Statut.PAYE: "Payé",
        contrat_pro.Statut.RECOUVREMENT: "En recouvrement",
        contrat_pro.Statut.ARCHIVE: "Archivé",
        contrat_pro.Statut.NON_DUE: "Aide non due (aucun mois aidé)",
        contrat_pro.Statut.EXAMEN_DELAI: "Délai échu avant d'être connu : décision attendue",
        contrat_pro.Statut.INSTRUCTION_PAIEMENT: "Demande de paiement en instruction",
        contrat_pro.Statut.ATTENTE_PIECES_PAIEMENT: "Paiement : en attente de pièces",
        contrat_pro.Statut.EXAMEN_TROP_PERCU: "Trop-perçu à examiner",
    },
    cae_dom.WORKFLOW: {
        cae_dom.Statut.NOUVEAU: "Nouvelle convention",
        cae_dom.Statut.REFUSE: "Convention refusée",
        cae_dom.Statut.EN_COURS: "Convention en cours",
        cae_dom.Statut.ROMPU: "Contrat rompu",
        cae_dom.Statut.RECOUVREMENT: "En recouvrement (ordre de reversement)",
        cae_dom.Statut.CLOS: "Convention close",
        "suspendu": "Paiements suspendus",
    },
    are.WORKFLOW_CAMPAGNE: {
        are.StatutCampagne.NOUVELLE: "Nouvelle (pas encore ouverte)",
        are.StatutCampagne.IMPORT_REFUSE: "Import refusé (fichiers à corriger)",
        are.StatutCampagne.TABLE_PRODUITE: "Table produite, vote attendu",
        are.StatutCampagne.VOTEE: "Votée par la commission permanente",
        are.StatutCampagne.PAYEE: "Notifiée et payée",
        are.StatutCampagne.BILANS_DEMANDES: "Bilans demandés",
    },
    are.WORKFLOW_COMPLEMENT: {
        are.StatutComplement.NOUVEAU: "Nouvelle demande",
        are.StatutComplement.INSTRUCTION: "En instruction",
        are.StatutComplement.ATTENTE_COMMISSION: "En attente de la commission",
        are.StatutComplement.EN_COMMISSION: "Inscrite à une session de la commission",
        are.StatutComplement.REJETEE: "Rejetée",
        are.StatutComplement.PAIEMENT_EMIS: "Accordée, paiement émis",
        "conditions_non_remplies": "Conditions non remplies",
    },
    are.WORKFLOW_BILAN: {
        are.StatutBilan.NOUVEAU: "Nouveau",
        are.StatutBilan.ATTENTE_BILAN: "En attente du bilan",
        are.StatutBilan.A_CORRIGER: "Bilan à corriger",
        are.StatutBilan.EN_RETARD: "Bilan en retard",
        are.StatutBilan.VALIDE: "Bilan validé",
        are.StatutBilan.CLOS_SANS_SUITE: "Clos sans suite",
    },
    exapro.WORKFLOW: {
        exapro.Statut.NOUVEAU: "Nouveau",
        exapro.Statut.EN_VALIDATION: "En validation",
        exapro.Statut.EN_PUBLICATION: "Publication des candidats en cours",
        exapro.Statut.ACCEPTE: "Accepté",
        exapro.Statut.ACCEPTE_PARTIELLEMENT: "Accepté partiellement (lignes écartées)",
        exapro.Statut.REJETE: "Rejeté",
        exapro.Statut.DEJA_IMPORTE: "Déjà importé (contenu identique)",
    },
}

STATUTS_TRIMESTRE: Mapping[str, str] = {
    cae_dom.StatutTrimestre.A_VENIR: "À venir",
    cae_dom.StatutTrimestre.ATTENTE_ETAT: "État de présence attendu",
    cae_dom.StatutTrimestre.ORDONNE: "Paiement ordonné",
    cae_dom.StatutTrimestre.REJETE: "Paiement rejeté",
    cae_dom.StatutTrimestre.PAYE: "Payé",
    cae_dom.StatutTrimestre.NEANT: "Néant (aucun jour dû)",
    cae_dom.StatutTrimestre.ANNULE: "Annulé (après la fin du contrat)",
    "en_instruction": "État de présence en retard : à décider",
    "suspendu": "Liquidé, paiement suspendu",
}
"""CAE-DOM: where one quarter of the schedule stands."""

STATUTS_ORDRE: Mapping[str, str] = {
    "emis": "Émis",
    "execute": "Exécuté",
    "rejete": "Rejeté",
    "recouvre": "Recouvré",
    "abandonne": "Abandonné (reste non recouvré)",
}
"""Payment and recovery orders (every scheme)."""

# --- decisions -------------------------------------------------------------------------------

DECISIONS: Mapping[str, str] = {
    contrat_pro.TypeDecision.ACCEPTER: "Accepter",
    contrat_pro.TypeDecision.REJETER: "Rejeter",
    contrat_pro.TypeDecision.DEMANDER_PIECES: "Demander des pièces",
    contrat_pro.TypeDecision.SIGNALER_FRAUDE: "Signaler une fraude",
    contrat_pro.TypeDecision.CLORE_SANS_SUITE: "Clore sans suite",
    contrat_pro.TypeDecision.CONSTATER_PRESCRIPTION: "Constater la prescription",
    contrat_pro.TypeDecision.RELEVER_DELAI: "Relever le délai (nouvelle date limite)",
    contrat_pro.TypeDecision.VALIDER_PAIEMENT: "Valider le paiement",
    contrat_pro.TypeDecision.REDUIRE: "Réduire le versement",
    contrat_pro.TypeDecision.RECOUVRER: "Recouvrer (titre exécutoire)",
    contrat_pro.TypeDecision.RENONCER_RECOUVREMENT: "Renoncer au recouvrement",
    are.TypeDecisionCampagne.VOTER: "Enregistrer le vote de la commission",
    are.TypeDecisionCampagne.RECALCULER: "Recalculer",
    are.TypeDecisionComplement.INSCRIRE: "Inscrire en commission",
    are.TypeDecisionComplement.AJOURNER: "Ajourner",
    are.TypeDecisionComplement.STATUER: "Enregistrer la décision de la commission",
    are.TypeDecisionBilan.PROROGER: "Proroger le délai",
    # decisions being added by the schemes' workflows (string keys until they land)
    "constater_prescription": "Constater la prescription",
    "relever_delai": "Relever le délai",
    "reexaminer": "Réexaminer la demande",
    "payer_heures_declarees": "Payer sur les heures du contrat",
    "suspendre_paiements": "Suspendre les paiements",
    "reprendre_paiements": "Reprendre les paiements",
    "mettre_fin": "Mettre fin à la convention",
    "clore": "Clore le dossier",
    "decision_refusee": "Décision refusée",
    "import_exapro": "Issue de l'import",
}
"""Decision types of every scheme (the `decider` update's `type`); a code shared by several
schemes (`rejeter`, `clore_sans_suite`) means the same there."""

# --- notification objects --------------------------------------------------------------------

NOTIFICATIONS: Mapping[str, str] = {
    # contrat de professionnalisation
    "DECISION_ACCEPTATION": "Décision d'acceptation",
    "DECISION_REJET": "Décision de rejet",
    "DEMANDE_PIECES": "Demande de pièces",
    "PIECES_NON_RECUES": "Pièces non reçues",
    "INVITATION_DEMANDE_PAIEMENT": "Invitation à demander le paiement",
    "PAIEMENT_REJETE": "Paiement rejeté",
    "RAPPEL_DEMANDE": "Rappel : demande d'aide à déposer",
    "RAPPEL_PIECES": "Rappel : pièces à fournir",
    "AIDE_NON_DUE": "Aide non due",
    "DEMANDE_PAIEMENT_CONSERVEE": "Demande de paiement conservée jusqu'à l'échéance",
    "DELAI_ECHU_AVANT_CONNU": "Délai échu avant d'être connu",
    "DEMANDE_PAIEMENT_A_INSTRUIRE": "Demande de paiement à instruire",
    "PAIEMENT_REDUIT": "Versement réduit",
    "TROP_PERCU": "Trop-perçu constaté",
    "ETAT_RECAPITULATIF_LIGNES_REFUSEES": "État récapitulatif : lignes non transmises",
    # CAE-DOM
    "CONVENTION_REFUSEE": "Convention refusée",
    "DUREE_MAXIMALE_A_REVOIR": "Durée maximale à revoir",
    "ETAT_PRESENCE_ATTENDU": "État de présence attendu",
    "ETAT_PRESENCE_NON_RECU": "État de présence non reçu",
    "RAPPEL_ETAT_PRESENCE": "Rappel : état de présence",
    "ORDRE_REVERSEMENT": "Ordre de reversement",
    "ETAT_PRESENCE_DELAI_DEPASSE": "État de présence : délai dépassé",
    "PAIEMENTS_SUSPENDUS": "Paiements suspendus",
    # ARE
    "CALCUL_IMPOSSIBLE": "Calcul impossible",
    "IMPORT_REFUSE": "Import refusé",
    "TABLE_COMMISSION": "Table de la commission permanente",
    "DOTATION_ATTRIBUEE": "Dotation attribuée",
    "DOTATION_NULLE": "Dotation nulle",
    "DEMANDE_INSCRITE_COMMISSION": "Demande inscrite en commission",
    "DEMANDE_A_STATUER": "Demande à statuer",
    "DEMANDE_COMPLEMENTAIRE_REJETEE": "Demande complémentaire rejetée",
    "DEMANDE_CONDITIONS_NON_REMPLIES": "Demande complémentaire : conditions non remplies",
    "DOTATION_COMPLEMENTAIRE_ACCORDEE": "Dotation complémentaire accordée",
    "BILAN_DEMANDE": "Bilan demandé",
    "BILAN_A_CORRIGER": "Bilan à corriger",
    "BILAN_EN_RETARD": "Bilan en retard",
    "BILAN_PROROGE": "Délai du bilan prorogé",
    "BILAN_VALIDE": "Bilan validé",
    "RAPPEL_BILAN": "Rappel : bilan à déposer",
    "RELANCE_BILAN": "Relance : bilan non déposé",
    # EXAPRO (IMPORT_<statut>)
    **{
        f"IMPORT_{s.upper()}": f"Import {libelle[0].lower()}{libelle[1:]}"
        for s, libelle in (
            (exapro.Statut.ACCEPTE, "Accepté"),
            (exapro.Statut.ACCEPTE_PARTIELLEMENT, "Accepté partiellement"),
            (exapro.Statut.REJETE, "Rejeté"),
            (exapro.Statut.DEJA_IMPORTE, "Déjà importé"),
        )
    },
}
"""`Notification.objet` of every scheme."""

# --- CAE-DOM: the Cerfa's choices ----------------------------------------------------------

CERFA_CAE_DOM: Mapping[str, str] = {
    cae_dom.Anciennete.MOINS_DE_6_MOIS: "moins de 6 mois",
    cae_dom.Anciennete.DE_6_A_11_MOIS: "6 à 11 mois",
    cae_dom.Anciennete.DE_12_A_23_MOIS: "12 à 23 mois",
    cae_dom.Anciennete.DE_24_A_35_MOIS: "24 à 35 mois",
    cae_dom.Anciennete.DE_36_MOIS_ET_PLUS: "36 mois et plus",
    cae_dom.AncienneteMinima.DE_24_MOIS_ET_PLUS: "24 mois et plus",
    cae_dom.Nationalite.FRANCE: "française",
    cae_dom.Nationalite.UNION_EUROPEENNE: "Union européenne",
    cae_dom.Nationalite.HORS_UNION_EUROPEENNE: "hors Union européenne",
    cae_dom.JeuneSortant.SYSTEME_SCOLAIRE: "du système scolaire",
    cae_dom.JeuneSortant.CAE_PCS_OU_CUI: "d'un CAE, PCS ou CUI",
    cae_dom.JeuneSortant.CIA: "d'un CIA",
    cae_dom.JeuneSortant.CONTRAT_PROFESSIONNALISATION: "d'un contrat de professionnalisation",
    cae_dom.TypeAccompagnement.REMOBILISATION_VERS_L_EMPLOI: "Remobilisation vers l'emploi",
    cae_dom.TypeAccompagnement.AIDE_A_LA_PRISE_DE_POSTE: "Aide à la prise de poste",
    cae_dom.TypeAccompagnement.PROJET_PROFESSIONNEL: "Élaboration du projet professionnel",
    cae_dom.TypeAccompagnement.EVALUATION_DES_CAPACITES: (
        "Évaluation des capacités et des compétences"
    ),
    cae_dom.TypeAccompagnement.AIDE_A_LA_RECHERCHE_D_EMPLOI: "Aide à la recherche d'emploi",
    cae_dom.TypeAccompagnement.AUTRE: "Autre",
    cae_dom.TypeFormation.ADAPTATION_AU_POSTE: "Adaptation au poste de travail",
    cae_dom.TypeFormation.REMISE_A_NIVEAU: "Remise à niveau",
    cae_dom.TypeFormation.PREQUALIFICATION: "Préqualification",
    cae_dom.TypeFormation.NOUVELLES_COMPETENCES: "Acquisition de nouvelles compétences",
    cae_dom.TypeFormation.FORMATION_QUALIFIANTE: "Formation qualifiante",
}
"""The CAE-DOM Cerfa's boxes, as the form words them (text 004, annexe III)."""


def libelle_cerfa(code: str) -> str:
    return CERFA_CAE_DOM.get(code, code.replace("_", " "))


# --- documents -------------------------------------------------------------------------------

DOCUMENTS: Mapping[str, str] = {
    contrat_pro.TypeDocument.CERFA: "Contrat de professionnalisation (Cerfa)",
    contrat_pro.TypeDocument.DECISION_OPCO: "Décision de prise en charge de l'OPCO",
    contrat_pro.TypeDocument.AUTRE: "Autre document",
}
"""Supporting document types."""


def libelle_document(code: str) -> str:
    return DOCUMENTS.get(code, code.replace("_", " "))


# --- reasons ---------------------------------------------------------------------------------

MOTIFS: Mapping[str, str] = {
    exapro.Motif.FICHIER_CONFORME: "Fichier conforme",
    exapro.Motif.LIGNES_EN_ERREUR_ECARTEES: "Lignes en erreur écartées",
    exapro.Motif.LIGNES_EN_ERREUR: "Lignes en erreur : fichier rejeté",
    exapro.Motif.ERREURS_SUR_LE_FICHIER: "Erreurs sur le fichier lui-même (nom, en-tête)",
    exapro.Motif.AUCUN_CANDIDAT_VALIDE: "Aucun candidat valide",
    exapro.Motif.FICHIER_ILLISIBLE: "Fichier illisible",
    exapro.Motif.CONTENU_DEJA_IMPORTE: "Contenu déjà importé",
    regles_cae_dom.Motif.HORS_TERRITOIRE: "Hors du territoire du CAE-DOM",
    regles_cae_dom.Motif.CONVENTION_APRES_EMBAUCHE: "Convention conclue après l'embauche",
    regles_cae_dom.Motif.DUREE_MAXIMALE_DEPASSEE: "Durée maximale de prise en charge dépassée",
    regles_are.MotifDotation.ENQUETE_NON_REPONDUE: "Enquête non répondue : dotation nulle",
    regles_are.MotifDotation.RELIQUAT_COUVRE_PRE_BAC: "Reliquat couvrant la dotation pré-bac",
    regles_are.MotifDotation.RELIQUAT_COUVRE_POST_BAC: "Reliquat couvrant la dotation post-bac",
    regles_are.MotifDotation.FORMATIONS_HORS_LISTE: "Formations hors de la liste éligible",
    regles_are.MotifLigne.NIVEAU_HORS_CHAMP: "Niveau hors du champ de l'aide",
    regles_are.MotifLigne.SPECIALITE_NON_ELIGIBLE: "Spécialité non éligible",
    regles_are.MotifLigne.SPECIALITE_100_HORS_PREPA_METIERS: (
        "Spécialité 100 hors 3e prépa-métiers"
    ),
    "BILAN_N1_MANQUANT": "Bilan N-1 manquant",
    "BILAN_N1_DEPOSE_EN_RETARD": "Bilan N-1 déposé en retard",
}
"""Reason codes of outcomes (EXAPRO import), refusals (CAE-DOM eligibility) and the facts an
ARE allocation flags."""

# --- field names -----------------------------------------------------------------------------

CHAMPS: Mapping[str, str] = {
    # the dossier line (read model, API list, exports)
    "cle": "Clé du dossier",
    "dispositif": "Dispositif",
    "reference": "Référence",
    "statut": "Statut",
    "beneficiaire": "Bénéficiaire (SIRET ou UAI)",
    "montant_accorde": "Montant accordé (€)",
    "montant_verse": "Montant versé (€)",
    "montant_a_recuperer": "Montant à récupérer (€)",
    "prochaine_echeance": "Prochaine échéance",
    "libelle_echeance": "Objet de l'échéance",
    "anomalies": "Anomalies",
    "maj_le": "Mis à jour le (UTC)",
    # decisions
    "motif": "Motif",
    "date_limite_reponse": "Date limite de réponse",
    "date_vote": "Date du vote",
    "deliberation": "Délibération",
    "version_table": "Version de la table votée",
    "date_limite": "Nouvelle date limite",
    "montants_accordes": "Montants accordés",
    # ARE
    "uai": "UAI",
    "pre_bac": "pré-bac",
    "post_bac": "post-bac",
    "dotation_pre_bac": "Dotation pré-bac (€)",
    "dotation_post_bac": "Dotation post-bac (€)",
    "reliquats_pre_bac": "Reliquats pré-bac déduits (€)",
    "reliquats_post_bac": "Reliquats post-bac déduits (€)",
    "total": "Total (€)",
    "motifs": "Observations",
    "bilan_n1": "Bilan N-1",
    # CAE-DOM
    "date_fin": "Fin de prise en charge",
    "date_fin_effective": "Fin effective",
    "montant_du": "Montant dû (€)",
    "montant_recouvre": "Montant recouvré (€)",
    "rib_reference": "Coordonnées bancaires (référence)",
    "motif_rupture": "Motif de la rupture",
    # EXAPRO
    "publies": "Candidats publiés",
    "deja_publie_par": "Contenu déjà publié par",
    exapro.SiErreurs.REJETER_LE_FICHIER: "rejeter le fichier",
    exapro.SiErreurs.ECARTER_LES_LIGNES: "écarter les lignes en erreur",
}
"""Field names staff see as column headers and form labels."""

# --- lookups ---------------------------------------------------------------------------------


def libelle_statut(dispositif: str | None, code: str) -> str:
    """The status's label in its scheme; without a scheme (a table across schemes), the label
    of the first scheme that has the code; an unknown code is returned as it is."""
    if dispositif is not None and code in STATUTS.get(dispositif, {}):
        return STATUTS[dispositif][code]
    for libelles in STATUTS.values():
        if code in libelles:
            return libelles[code]
    return code


def libelle_decision(code: str) -> str:
    return DECISIONS.get(code, code.replace("_", " "))


def libelle_notification(objet: str) -> str:
    """A notification object's label; a reminder `RAPPEL_<x>` not listed reads « Rappel : x »."""
    if objet in NOTIFICATIONS:
        return NOTIFICATIONS[objet]
    if objet.startswith("RAPPEL_"):
        return "Rappel : " + objet.removeprefix("RAPPEL_").replace("_", " ").lower()
    return objet


def libelle_motif(code: str) -> str:
    return MOTIFS.get(code, code)


def libelle_champ(nom: str) -> str:
    return CHAMPS.get(nom, nom.replace("_", " ").capitalize())


def description_statuts(dispositif: str | None = None) -> str:
    """For OpenAPI descriptions: every status code with its label, per scheme."""
    parties = []
    for workflow, libelles in STATUTS.items():
        if dispositif is not None and workflow != dispositif:
            continue
        codes = ", ".join(f"`{code}` ({libelle})" for code, libelle in libelles.items())
        parties.append(f"{workflow} : {codes}")
    return "Code du statut, selon le dispositif. " + " ; ".join(parties) + "."
