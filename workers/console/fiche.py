"""What the dossier and campaign pages show, computed from the service's view (pure).

The contrat-pro eligibility table lists every section 2 condition of seed 003 with its
source: the workflow's evaluation (`rules.contrat_pro.evaluer`, recorded in the history) gives
the conditions that failed, so every other condition is met. CAE-DOM has its own module
(`fiche_cae_dom.py`), the ARE requests and reports theirs (`fiche_are.py`); a scheme without
one shows its state's plain fields with the catalogue's labels, never a raw JSON block.
Amounts are explained from the same evaluation (months aided, monthly
amount for the weekly hours, act) and never recomputed here. The ARE campaign's commission
table is `commission.py`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from models import are, exapro, libelles, textes
from models.cae_dom import WORKFLOW as CAE_DOM
from models.cae_dom import EtatCaeDom
from models.contrat_pro import WORKFLOW as CONTRAT_PRO
from models.contrat_pro import CadreAide, EtatContratPro
from rules import contrat_pro as regles_cp
from workers.console import fiche_are, fiche_cae_dom
from workers.services.instruction import DossierPublic, LigneChronologie, VueDossier

SEED_CONTRAT_PRO = "003"
"""The text of the scheme's rules (`models.textes`): cited by its title and section."""

CONDITIONS_CONTRAT_PRO: tuple[tuple[regles_cp.Motif, str, str], ...] = (
    (
        regles_cp.Motif.AGE_MOINS_30,
        "Salarié âgé de 30 ans ou plus au début du contrat",
        "section 2",
    ),
    (regles_cp.Motif.NON_DEMANDEUR_EMPLOI, "Salarié demandeur d'emploi à l'embauche", "section 2"),
    (
        regles_cp.Motif.DEJA_DANS_EFFECTIF,
        "Salarié absent de l'effectif dans les 6 mois avant le début du contrat",
        "section 2",
    ),
    (
        regles_cp.Motif.HORS_REGION,
        "Établissement employeur en Pays de la Loire (44, 49, 53, 72, 85)",
        "section 2",
    ),
    (
        regles_cp.Motif.OBLIGATIONS_NON_A_JOUR,
        "Employeur à jour de ses obligations fiscales et sociales",
        "section 2",
    ),
    (
        regles_cp.Motif.LICENCIEMENT_ECONOMIQUE,
        "Aucun licenciement économique dans les 6 mois avant la demande",
        "section 2",
    ),
    (
        regles_cp.Motif.CERTIFICATION_NON_PRIORITAIRE,
        "Certification inscrite sur la liste des certifications prioritaires",
        "section 2 et annexe (liste en vigueur à la date de la demande, section 7)",
    ),
    (
        regles_cp.Motif.NATURE_CONTRAT_EXCLUE,
        "Contrat standard (ni expérimental, ni qualification de branche seule)",
        "section 2",
    ),
    (
        regles_cp.Motif.DEMANDE_HORS_DELAI,
        "Demande déposée dans les 3 mois suivant le début du contrat",
        "section 2",
    ),
)

LIBELLES_CHAMP = {
    "motif": ("Motif", "Obligatoire pour rejeter ou signaler une fraude ; noté au dossier."),
    "date_limite_reponse": (
        "Date limite de réponse",
        "Pour une demande de pièces (après aujourd'hui).",
    ),
    "montant_a_recuperer": (
        "Montant à récupérer (€)",
        "Pour une fraude ; vide : tout le montant versé.",
    ),
    "cadre": (
        "Cadre de l'aide",
        "Pour accepter : de_minimis (par défaut, plafond de 300 000 € sur trois ans) ou "
        "sa_111722 (régime exempté, aides à la formation).",
    ),
    "montant": (
        "Montant (€)",
        "Réduire : montant versé après réduction. Recouvrer : montant du titre exécutoire "
        "(vide : le trop-perçu proposé).",
    ),
    "date_vote": ("Date du vote", "Date de la commission permanente."),
    "deliberation": ("Délibération", "Référence, par exemple CP 2023-456."),
    "version_table": ("Version de la table votée", "Numéro de version de la table."),
    "date_limite": ("Nouvelle date limite", "Pour proroger le délai."),
}


@dataclass(frozen=True)
class Badge:
    classe: str
    texte: str


@dataclass(frozen=True)
class Condition:
    libelle: str
    source: str
    remplie: bool


@dataclass(frozen=True)
class ChampDecision:
    nom: str
    libelle: str
    aide: str
    type_html: str
    genre: str = "texte"
    inputmode: str | None = None


@dataclass(frozen=True)
class EntreeChronologie:
    quand: datetime
    genre: str
    classe: str
    titre: str
    auteur: str
    detail: str


def libelle_decision(code: str) -> str:
    return libelles.libelle_decision(code)


def badges(dossier: DossierPublic, jour: date) -> list[Badge]:
    resultat = []
    echeance = dossier.prochaine_echeance
    if echeance is not None and echeance < jour:
        resultat.append(Badge("retard", "En retard"))
    elif echeance is not None and echeance <= jour + timedelta(days=7):
        resultat.append(Badge("semaine", "Échéance sous 7 jours"))
    if dossier.anomalies:
        resultat.append(Badge("anomalie", f"{dossier.anomalies} anomalie(s)"))
    return resultat


def _oui_non(valeur: bool) -> str:
    return "oui" if valeur else "non"


def _euros(valeur: Decimal) -> str:
    entier, decimales = f"{valeur:.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{' '.join(groupes)},{decimales} €"


def _faits_contrat_pro(etat: EtatContratPro) -> list[tuple[str, str]]:
    faits: list[tuple[str, str]] = []
    if etat.contrat:
        c = etat.contrat
        certification = " ".join(
            f"{nom} {code}"
            for nom, code in (
                ("RNCP", c.certification.rncp),
                ("CERTIFINFO", c.certification.certifinfo),
            )
            if code
        )
        faits += [
            ("Numéro de contrat (OPCO)", c.numero_contrat),
            ("SIRET de l'établissement", c.siret_etablissement),
            ("Code postal de l'établissement", c.code_postal_etablissement),
            ("Début du contrat", f"{c.date_debut:%d/%m/%Y}"),
            ("Fin prévue", f"{c.date_fin:%d/%m/%Y}"),
            ("Durée hebdomadaire", f"{c.duree_hebdomadaire_heures} h"),
            ("Certification", certification),
            ("Nature du contrat", c.nature_contrat),
            ("Date de naissance du salarié", f"{c.date_naissance_salarie:%d/%m/%Y}"),
            ("Demandeur d'emploi à l'embauche", _oui_non(c.demandeur_emploi)),
        ]
    if etat.date_limite_demande:
        faits.append(("Date limite de la demande", f"{etat.date_limite_demande:%d/%m/%Y}"))
    if etat.demande:
        d = etat.demande
        faits += [
            ("Demande déposée le", f"{d.date_demande:%d/%m/%Y}"),
            ("Dans l'effectif dans les 6 mois", _oui_non(d.dans_effectif_6_mois)),
            ("Employeur à jour", _oui_non(d.employeur_a_jour)),
            ("Licenciement économique dans les 6 mois", _oui_non(d.licenciement_economique_6_mois)),
            ("Autres aides déclarées dans l'année", _euros(d.cumul_aides_annee)),
        ]
    if etat.date_limite_pieces:
        faits.append(("Pièces attendues avant le", f"{etat.date_limite_pieces:%d/%m/%Y}"))
    if etat.date_fin_effective:
        faits.append(("Fin effective (rupture)", f"{etat.date_fin_effective:%d/%m/%Y}"))
    for s in etat.suspensions:
        fin = f"{s.au:%d/%m/%Y}" if s.au else "en cours"
        faits.append(("Suspension non rémunérée", f"du {s.du:%d/%m/%Y} au {fin}"))
    for a in etat.avenants:
        faits.append(
            ("Avenant", f"{a.duree_hebdomadaire_heures} h/semaine au {a.date_effet:%d/%m/%Y}")
        )
    return faits


def _acte(etat: EtatContratPro) -> str:
    """Section 4: a convention when the year's cumul of the beneficiary's aids would exceed
    23 000 €; the figures of the ledger at acceptance, else the estimate on declared figures."""
    cumul = etat.cumul
    if cumul is None:
        acte = "convention à signer" if etat.acte() == "convention" else "arrêté"
        return f"{acte} (estimation sur les aides déclarées ; le cumul est calculé à l'acceptation)"
    acte = "convention à signer" if cumul.acte == "convention" else "arrêté"
    comparaison = "dépasse" if cumul.acte == "convention" else "ne dépasse pas"
    texte = (
        f"{acte} : cumul {cumul.annee} du SIREN {cumul.siren} = aides du service "
        f"{_euros(cumul.aides_service)} + autres aides déclarées "
        f"{_euros(cumul.autres_aides_declarees)} + ce dossier {_euros(cumul.montant)} = "
        f"{_euros(cumul.total)}, qui {comparaison} le seuil de {_euros(cumul.seuil)}"
    )
    if cumul.acte == "convention":
        texte += (
            f" ; aide listée dans la convention {cumul.siren}:{cumul.annee}, versée sur "
            "présentation de l'état récapitulatif annexé (section 3)"
        )
    return texte


def _cadre(etat: EtatContratPro) -> str:
    """Section 3: the act's framework, chosen at acceptance; under de minimis, the ceiling
    test's figures."""
    if etat.cadre is None:
        return "choisi à l'acceptation (de minimis par défaut, ou régime SA.111722)"
    if etat.cadre is CadreAide.SA_111722:
        return "régime d'aide exempté SA.111722 (aides à la formation 2024-2026)"
    plafond = etat.de_minimis
    if plafond is None:
        return "de minimis, règlement (UE) 2023/2831"
    return (
        f"de minimis, règlement (UE) 2023/2831 : aides de minimis du service sur trois ans "
        f"{_euros(plafond.aides_service)} + déclarées {_euros(plafond.aides_declarees)} + ce "
        f"dossier {_euros(plafond.montant)} = {_euros(plafond.total)}, plafond "
        f"{_euros(plafond.plafond)}"
    )


def _contrat_pro(etat: EtatContratPro) -> dict[str, Any]:
    contenu: dict[str, Any] = {"faits": _faits_contrat_pro(etat)}
    evaluation = etat.evaluation
    contenu["manquants"] = [str(t) for t in etat.documents_manquants()]
    if evaluation is None:
        return contenu
    echecs = set(evaluation.motifs)
    contenu["conditions"] = [
        Condition(libelle, textes.reference(SEED_CONTRAT_PRO, section), motif.value not in echecs)
        for motif, libelle, section in CONDITIONS_CONTRAT_PRO
    ]
    contenu["eligible"] = evaluation.eligible
    contenu["version_regles"] = evaluation.version_regles
    heures = evaluation.entree.contrat.duree_hebdomadaire_heures
    quotite = min(Decimal(1), heures / regles_cp.DUREE_HEBDOMADAIRE_TEMPS_COMPLET)
    calcul = [
        (
            "Règles appliquées",
            f"{textes.reference(SEED_CONTRAT_PRO)} (version {evaluation.version_regles})",
        ),
        (
            "Montant mensuel (section 3)",
            f"500,00 € × min(1 ; {heures} h / 35 h) = 500,00 € × {quotite:.4f} = "
            f"{_euros(evaluation.montant_mensuel)}",
        ),
        (
            "Mois aidés (section 3, 12 au plus)",
            f"{len(evaluation.mois_aides)} : "
            + (", ".join(f"m{k}" for k in evaluation.mois_aides) or "aucun"),
        ),
    ]
    if evaluation.entree.avenants:
        calcul.append(
            ("Avenants", "chaque mois est payé selon la durée en vigueur à son premier jour")
        )
    if regles_cp.Motif.RUPTURE_PREMIER_MOIS.value in echecs:
        calcul.append(("Rupture au premier mois", "l'aide n'est pas due (section 3)"))
    calcul += [
        (
            "Montant de l'aide",
            _euros(evaluation.montant) + ("" if evaluation.eligible else " (non éligible : 0)"),
        ),
        ("Acte (section 4)", _acte(etat)),
        ("Cadre de l'aide (section 3)", _cadre(etat)),
        ("Versement possible à partir du", f"{evaluation.date_versement:%d/%m/%Y}"),
        (
            "Demande de paiement au plus tard le",
            f"{evaluation.date_limite_demande_paiement:%d/%m/%Y}",
        ),
    ]
    contenu["calcul"] = calcul
    return contenu


def _scalaires(etat: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The top-level plain fields of a state (a scheme without a page of its own, or a state
    its model no longer reads), with the catalogue's labels."""
    faits = []
    for nom, valeur in etat.items():
        if nom in ("cle", "registre", "anomalies", "documents", "evaluation", "rappels_envoyes"):
            continue
        if nom in ("statut", "rapport"):
            continue  # the status in the page's header; a storage path says nothing to staff
        if nom == "motif" and isinstance(valeur, str):
            faits.append((libelles.libelle_champ(nom), libelles.libelle_motif(valeur)))
            continue
        if isinstance(valeur, bool):
            faits.append((libelles.libelle_champ(nom), _oui_non(valeur)))
        elif isinstance(valeur, str | int | float) and valeur != "":
            faits.append((libelles.libelle_champ(nom), str(valeur)))
    return faits


def contenu(vue: VueDossier) -> dict[str, Any]:
    """Facts, eligibility, amounts, anomalies, documents and orders for the dossier page."""
    resultat: dict[str, Any] = {
        "faits": [],
        "calcul": [],
        "conditions": [],
        "eligible": None,
        "version_regles": None,
        "partiel": None,
        "manquants": [],
        "anomalies": vue.anomalies,
        "ordres": vue.ordres,
        "documents": [
            {
                "type": d.get("type", "?"),
                "reference": d.get("reference", ""),
                "origine": "portail (événement du partenaire)",
            }
            for d in vue.documents_workflow
            if isinstance(d, dict)
        ]
        + [
            {
                "type": p.type_document,
                "reference": f"{p.nom_fichier} ({p.taille} octets, SHA-256 {p.sha256[:12]}…)",
                "origine": f"déposé par {p.auteur}",
            }
            for p in vue.pieces
        ],
    }
    if vue.etat is None:
        return resultat
    try:
        resultat.update(_propre(vue.dossier.dispositif, vue.etat))
    except ValidationError:
        resultat["faits"] = _scalaires(vue.etat)  # a state its model no longer reads
    return resultat


def _propre(dispositif: str, etat: Mapping[str, Any]) -> dict[str, Any]:
    """What the scheme's own part of the page shows (a partial template and its data)."""
    if dispositif == CONTRAT_PRO:
        return _contrat_pro(EtatContratPro.model_validate(etat))
    if dispositif == CAE_DOM:
        cae = EtatCaeDom.model_validate(etat)
        return {
            "faits": _faits_cae_dom(cae),
            "partiel": "_cae_dom.html",
            "cae_dom": fiche_cae_dom.fiche(cae),
        }
    if dispositif == are.WORKFLOW_COMPLEMENT:
        complement = fiche_are.complement(are.EtatComplement.model_validate(etat))
        return {"faits": complement["faits"], "partiel": "_are_complement.html", "are": complement}
    if dispositif == are.WORKFLOW_BILAN:
        bilan = fiche_are.bilan(are.EtatBilan.model_validate(etat))
        return {"faits": bilan["faits"], "partiel": "_are_bilan.html", "are": bilan}
    partiels = {are.WORKFLOW_CAMPAGNE: "_are_campagne.html", exapro.WORKFLOW: "_exapro.html"}
    return {"faits": _scalaires(etat), "partiel": partiels.get(dispositif)}


def _faits_cae_dom(etat: EtatCaeDom) -> list[tuple[str, str]]:
    c = etat.convention
    if c is None:
        return []
    return [
        ("Numéro de convention", str(c.numero_convention)),
        ("Employeur", f"{c.employeur.denomination} (SIRET {c.employeur.siret})"),
        ("Salarié", f"{c.salarie.civilite} {c.salarie.nom} {c.salarie.prenoms}"),
        ("Embauche", f"{c.contrat.date_embauche:%d/%m/%Y} ({c.contrat.type_contrat.value})"),
        ("Prise en charge", f"du {c.prise_en_charge.date_effet:%d/%m/%Y}"),
        (
            "Fin de prise en charge en vigueur",
            f"{etat.date_fin:%d/%m/%Y}" if etat.date_fin else "—",
        ),
        ("Avenants appliqués", str(len(etat.avenants))),
    ]


# --- timeline ----------------------------------------------------------------------------------

DETAILS = ("motif", "refus", "statut", "precedent", "objet", "message", "montant", "date")
ETIQUETTES_DETAIL = {
    "motif": "motif",
    "refus": "refus",
    "statut": "statut",
    "precedent": "statut précédent",
    "objet": "objet",
    "message": "message",
    "montant": "montant",
    "date": "date",
}


def _valeur_detail(cle: str, detail: Mapping[str, Any]) -> str:
    valeur = str(detail[cle])
    if cle in ("statut", "precedent"):
        return libelles.libelle_statut(str(detail.get("dispositif") or "") or None, valeur)
    if cle == "objet":
        return libelles.libelle_notification(valeur)
    if cle == "motif":
        return libelles.libelle_motif(valeur)  # a reason code, else the instructor's text
    return valeur


def ligne_chronologie(ligne: LigneChronologie) -> EntreeChronologie:
    detail = ligne.detail
    genre, classe, titre = "Événement", "evenement", ligne.type
    if ligne.nature == "decision":
        genre, classe = "Décision", "decision"
        titre = (
            "décision refusée" if ligne.type == "decision_refusee" else libelle_decision(ligne.type)
        )
    elif ligne.nature == "echeance":
        genre, classe = "Échéance", "echeance"
    elif ligne.nature == "anomalie":
        genre, classe = "Anomalie", "anomalie"
    elif ligne.nature == "publication":
        if ligne.type.startswith("guichet.paiement."):
            genre, classe = "Paiement", "paiement"
        elif ligne.type.startswith("guichet.notification."):
            objet = str(detail.get("objet", ""))
            genre, classe = (
                ("Rappel", "rappel")
                if objet.startswith("RAPPEL")
                else (
                    "Notification",
                    "notification",
                )
            )
            titre = libelles.libelle_notification(objet) if objet else titre
        elif ligne.type == "guichet.dossier.statut.v1":
            genre, classe = "Statut", "statut"
            dispositif = str(detail.get("dispositif") or "") or None
            avant, apres = (
                libelles.libelle_statut(dispositif, str(detail.get(cle, "?")))
                for cle in ("precedent", "statut")
            )
            titre = f"{avant} → {apres}"
        else:
            genre, classe = "Publication", "publication"
    elif ".paiement-" in ligne.type or ".titre-" in ligne.type:
        classe = "paiement"
    texte = " · ".join(
        f"{ETIQUETTES_DETAIL[cle]} : {_valeur_detail(cle, detail)[:160]}"
        for cle in DETAILS
        if detail.get(cle) not in (None, "")
        and not (genre == "Statut" and cle in ("statut", "precedent"))
    )
    return EntreeChronologie(
        quand=ligne.horodatage,
        genre=genre,
        classe=classe,
        titre=titre,
        auteur=ligne.auteur,
        detail=texte,
    )


# --- decision form -----------------------------------------------------------------------------


def _champ(nom: str, annotation: Any, description: str | None) -> ChampDecision:
    types = {a for a in get_args(annotation) if a is not type(None)} or {annotation}
    libelle, aide = LIBELLES_CHAMP.get(nom, (nom.replace("_", " ").capitalize(), ""))
    aide = aide or (description or "")
    if date in types:
        return ChampDecision(nom, libelle, aide, "date")
    if Decimal in types:
        return ChampDecision(
            nom, libelle, aide or "En euros, point ou virgule.", "text", inputmode="decimal"
        )
    if int in types:
        return ChampDecision(nom, libelle, aide, "number", inputmode="numeric")
    if nom == "motif":
        return ChampDecision(nom, libelle, aide, "text", genre="texte_long")
    return ChampDecision(nom, libelle, aide, "text")


def champs_decision(modele: type[BaseModel]) -> list[ChampDecision]:
    """The decision model's fields (without `type` and `auteur`) as form inputs; a nested
    model (ARE `montants_accordes`) gives one input per sub-field, named `champ.sous_champ`."""
    champs = []
    for nom, info in modele.model_fields.items():
        if nom in ("type", "auteur"):
            continue
        imbrique = next(
            (
                a
                for a in (get_args(info.annotation) or (info.annotation,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if imbrique is not None:
            for sous, sous_info in imbrique.model_fields.items():
                champ = _champ(sous, sous_info.annotation, sous_info.description)
                libelle = f"{nom.replace('_', ' ').capitalize()} : {sous.replace('_', '-')} (€)"
                champs.append(
                    ChampDecision(
                        f"{nom}.{sous}",
                        libelle,
                        champ.aide,
                        champ.type_html,
                        champ.genre,
                        champ.inputmode,
                    )
                )
            continue
        champs.append(_champ(nom, info.annotation, info.description))
    return champs


def demande_de_formulaire(champs: Mapping[str, str]) -> dict[str, Any]:
    """The decision request from the form: empty fields left out, `a.b` nested, a decimal
    comma accepted."""
    demande: dict[str, Any] = {}
    for nom, brute in champs.items():
        valeur = brute.strip()
        if not valeur:
            continue
        if nom.startswith("montant") or ".pre_bac" in nom or ".post_bac" in nom:
            valeur = valeur.replace(" ", "").replace(",", ".")
        if "." in nom:
            parent, sous = nom.split(".", 1)
            cible = demande.setdefault(parent, {})
            if isinstance(cible, dict):
                cible[sous] = valeur
        else:
            demande[nom] = valeur
    return demande
