"""What the CAE-DOM dossier page shows, from the workflow's state (pure): the Cerfa's facts
grouped as on the form, the eligibility and the maximum duration with the condition that sets
it, the quarterly schedule, renewals and amendments, the recovery order.

Source: circular DGEFP n° 2011-02 (`models.textes`, text 004): annexe II (questions 1 and 3)
and annexe III (the Cerfa, its notice and code tables). Nothing is recomputed that the workflow
recorded: the maximum duration, the schedule and the amounts are the state's; only the reason
for the maximum duration is read again from the Cerfa's facts with the same pure rules
(`rules.cae_dom`), since the evaluation records the number and not the reason.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from models import libelles, textes
from models.cae_dom import (
    ConventionCaeDom,
    DureeHebdomadaire,
    EtatCaeDom,
    NumeroConvention,
    OrdreCaeDom,
    TrimestreCaeDom,
)
from rules import cae_dom as regles

TEXTE = "004"

Faits = list[tuple[str, str]]


@dataclass(frozen=True)
class Groupe:
    titre: str
    faits: Faits


@dataclass(frozen=True)
class Condition:
    libelle: str
    source: str
    remplie: bool


@dataclass(frozen=True)
class DureeMaximale:
    mois: int
    fin_maximale: date
    debut: date
    raison: str
    source: str
    reevaluee_par: str | None


@dataclass(frozen=True)
class LigneTrimestre:
    trimestre: str
    du: date
    au: date
    montant_prevu: Decimal
    montant_du: Decimal | None
    etat_presence: str
    ordres: str
    statut: str
    libelle_statut: str
    verse: Decimal
    date_paiement: date


@dataclass(frozen=True)
class Avenant:
    numero: str
    nature: str


@dataclass(frozen=True)
class Periode:
    a_partir_du: date
    niveau: Decimal
    duree: str
    quotite: str


@dataclass
class FicheCaeDom:
    groupes: list[Groupe] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    eligible: bool | None = None
    version_regles: str | None = None
    duree: DureeMaximale | None = None
    calcul: Faits = field(default_factory=list)
    trimestres: list[LigneTrimestre] = field(default_factory=list)
    avenants: list[Avenant] = field(default_factory=list)
    periodes: list[Periode] = field(default_factory=list)
    recouvrement: Faits = field(default_factory=list)
    ordres_reversement: list[OrdreCaeDom] = field(default_factory=list)
    rupture: Faits = field(default_factory=list)


def _jour(d: date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else "—"


def _oui_non(valeur: bool | None) -> str:
    return "—" if valeur is None else ("oui" if valeur else "non")


def _euros(valeur: Decimal) -> str:
    entier, decimales = f"{valeur:.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{' '.join(groupes)},{decimales} €"


def _duree(d: DureeHebdomadaire) -> str:
    return f"{d.heures} h {d.minutes:02d}"


def _valeur(code: Any) -> str:
    return libelles.libelle_cerfa(str(code)) if code is not None else "—"


def _nir_masque(nir: str) -> str:
    """Sex, year and month of birth; the rest masked (the page needs no more)."""
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} •• ••• ••• ••"


def _adresse(a: Any) -> str:
    parties = [" ".join(p for p in (a.numero, a.voie) if p), a.complement, a.code_postal]
    return ", ".join(p for p in parties if p) + f" {a.commune}"


def _groupes(c: ConventionCaeDom) -> list[Groupe]:
    ref = regles.referentiel()
    e, s, si, ct, ac, pc = (
        c.employeur,
        c.salarie,
        c.situation,
        c.contrat,
        c.actions,
        c.prise_en_charge,
    )
    statut = ref.statuts_employeur.get(e.statut, e.statut)
    niveau = ref.niveaux_formation.get(si.niveau_formation, si.niveau_formation)
    prescripteur: Faits = [
        ("Numéro de convention", str(c.numero_convention)),
        ("Code prescripteur", c.code_prescripteur),
        ("Déposée le", _jour(c.date_depot)),
        ("Identifiant Pôle emploi", c.numero_ide or "—"),
    ]
    employeur: Faits = [
        ("Dénomination", e.denomination),
        ("Adresse", _adresse(e.adresse)),
        ("SIRET", e.siret),
        ("Code NAF", e.code_naf),
        ("Convention collective (IDCC)", e.identifiant_convention_collective or "—"),
        ("Statut (tableau 1)", f"{statut} ({e.statut})"),
        ("Effectif au 31 décembre", str(e.effectif_au_31_decembre)),
        ("RIB fourni", _oui_non(e.rib_fourni)),
        (
            "À jour des cotisations, sans licenciement économique (6 mois)",
            _oui_non(e.declaration_a_jour_sans_licenciement_economique),
        ),
    ]
    if e.date_demande_autorisation_embauche:
        employeur.append(
            ("Demande d'autorisation d'embauche", _jour(e.date_demande_autorisation_embauche))
        )
    salarie: Faits = [
        ("Civilité, nom, prénoms", f"{s.civilite} {s.nom} {s.prenoms}"),
        ("NIR", _nir_masque(s.nir)),
        ("Né(e) le", f"{_jour(s.date_naissance)} à {s.lieu_naissance} ({s.departement_naissance})"),
        ("Adresse", _adresse(s.adresse)),
        ("Nationalité", _valeur(s.nationalite)),
    ]
    situation: Faits = [
        ("Niveau de formation (tableau 2)", f"{niveau} ({si.niveau_formation})"),
        ("Sans emploi depuis", _valeur(si.sans_emploi_depuis)),
        ("Inscrit à Pôle emploi", _oui_non(si.inscrit_pole_emploi)),
        ("Inscrit depuis", _valeur(si.inscrit_pole_emploi_depuis)),
        ("Bénéficiaire de l'ASS", _oui_non(si.beneficiaire_ass)),
        ("Bénéficiaire du RSA (financé par le département)", _oui_non(si.beneficiaire_rsa)),
        ("RSA majoré", _oui_non(si.rsa_majore)),
        ("Bénéficiaire de l'AAH", _oui_non(si.beneficiaire_aah)),
        ("Minima sociaux depuis", _valeur(si.minima_sociaux_depuis)),
        ("Travailleur handicapé reconnu", _oui_non(si.travailleur_handicape)),
        ("Jeune sortant de", _valeur(si.jeune_sortant)),
    ]
    contrat: Faits = [
        ("Type de contrat", ct.type_contrat.value),
        ("Date d'embauche", _jour(ct.date_embauche)),
        ("Fin prévue (CDD)", _jour(ct.date_fin_prevue)),
        ("Emploi (code ROME)", ct.code_rome),
        ("Salaire brut mensuel", _euros(ct.salaire_brut_mensuel)),
        ("Durée hebdomadaire du salarié", _duree(ct.duree_hebdomadaire)),
        ("Durée collective de l'établissement", _duree(ct.duree_collective)),
        ("Modulation du temps de travail", _oui_non(ct.modulation)),
        (
            "Lieu d'exécution",
            _adresse(ct.lieu_execution) if ct.lieu_execution else "adresse de l'employeur",
        ),
    ]
    initiatives = {1: "employeur", 2: "salarié", 3: "prescripteur"}
    accompagnement: Faits = [
        ("Tuteur", ac.tuteur),
        ("Organisme chargé du suivi", ac.organisme_suivi),
        ("Référent", ac.referent),
        ("Accompagnement social", _oui_non(ac.accompagnement_social)),
    ]
    accompagnement += [
        (
            "Accompagnement professionnel",
            f"{_valeur(a.type)}{f' ({a.precision})' if a.precision else ''}, à l'initiative "
            f"du {initiatives[int(a.initiative)]}",
        )
        for a in ac.accompagnement_professionnel
    ]
    accompagnement += [
        ("Formation", f"{_valeur(a.type)}, à l'initiative du {initiatives[int(a.initiative)]}")
        for a in ac.formation
    ]
    accompagnement += [
        (
            "Formation interne / externe",
            f"{_oui_non(ac.formation_interne)} / {_oui_non(ac.formation_externe)}",
        ),
        ("Périodes de professionnalisation", _oui_non(ac.periodes_professionnalisation)),
        (
            "Validation des acquis de l'expérience",
            _oui_non(ac.validation_des_acquis_de_l_experience),
        ),
    ]
    if ac.niveau_qualification_vise:
        accompagnement.append(("Niveau de qualification visé", ac.niveau_qualification_vise))
    prise: Faits = [
        ("Date d'effet", _jour(pc.date_effet)),
        ("Fin de prise en charge", _jour(pc.date_fin)),
        ("Aide mensuelle pour un temps plein", _euros(pc.niveau_prime_mensuel)),
        ("Opération spéciale", pc.operation_speciale or "—"),
        ("Signée par l'employeur et le salarié le", _jour(c.date_signature_employeur_salarie)),
        ("Signée par l'État le", _jour(c.date_signature_etat)),
        ("Transmise à l'ASP le", _jour(c.date_transmission_asp)),
    ]
    return [
        Groupe("Cadre réservé au prescripteur", prescripteur),
        Groupe("L'employeur", employeur),
        Groupe("Le salarié", salarie),
        Groupe("Situation du salarié avant la convention", situation),
        Groupe("Le contrat de travail", contrat),
        Groupe("Les actions d'accompagnement et de formation prévues", accompagnement),
        Groupe("La prise en charge", prise),
    ]


def raison_duree(c: ConventionCaeDom, debut: date) -> tuple[str, str]:
    """Which condition of annexe II, question 3 sets the maximum duration, and its source."""
    b = c.beneficiaire()
    source = textes.reference(TEXTE, "annexe II, question 3")
    raisons = []
    if b.formation_qualifiante_en_cours:
        raisons.append("formation qualifiante en cours")
    if b.travailleur_handicape:
        raisons.append("travailleur handicapé reconnu")
    if b.beneficiaire_aah:
        raisons.append("bénéficiaire de l'AAH")
    if b.percoit_minima_sociaux and regles.atteint_50_ans_pendant_les_24_premiers_mois(
        b.date_naissance, debut
    ):
        raisons.append("bénéficiaire de minima sociaux ayant 50 ans dans les 24 premiers mois")
    if raisons:
        return (
            f"{regles.DUREE_MAXIMALE_PROLONGEE_MOIS} mois au plus : " + ", ".join(raisons),
            source,
        )
    if b.beneficiaire_rsa_socle:
        return f"{regles.DUREE_MAXIMALE_RSA_SOCLE_MOIS} mois : bénéficiaire du RSA socle", source
    return (
        f"{regles.DUREE_MAXIMALE_DROIT_COMMUN_MOIS} mois : droit commun (ni RSA socle, ni "
        "public prioritaire, ni formation qualifiante)",
        source,
    )


CONDITIONS = (
    (
        regles.Motif.HORS_TERRITOIRE,
        "Convention dans un département ou une collectivité d'outre-mer du CAE-DOM",
        "références (ordonnance n° 2010-686)",
    ),
    (
        regles.Motif.CONVENTION_APRES_EMBAUCHE,
        "Convention conclue avant l'embauche (convention initiale)",
        "annexe II, question 1",
    ),
    (
        regles.Motif.DUREE_MAXIMALE_DEPASSEE,
        "Prise en charge dans la durée maximale",
        "annexe II, question 3",
    ),
)


def _nature_avenant(numero: str) -> str:
    try:
        n = NumeroConvention.model_validate(numero)
    except ValueError:
        return "avenant"
    if n.avenant_modification:
        return f"avenant de modification n° {n.avenant_modification}"
    if n.avenant_renouvellement:
        return f"avenant de renouvellement n° {n.avenant_renouvellement}"
    return "convention initiale"


def _ligne(t: TrimestreCaeDom, ordres: list[OrdreCaeDom]) -> LigneTrimestre:
    etat = "—"
    if t.etat_presence is not None:
        absences = len(t.etat_presence.absences_non_remunerees)
        mois = len(t.etat_presence.mois_non_travailles)
        etat = "reçu"
        if absences or mois:
            etat += f" ({absences} absence(s) non rémunérée(s), {mois} mois non travaillé(s))"
        if t.liquidation is not None:
            etat += f", {t.liquidation.jours_non_travailles} jour(s) non travaillé(s)"
    lies = [o for o in ordres if o.nature == "paiement" and o.periode == t.trimestre]
    return LigneTrimestre(
        trimestre=t.trimestre,
        du=t.du,
        au=t.au,
        montant_prevu=t.montant_prevu,
        montant_du=t.montant_du,
        etat_presence=etat,
        ordres=", ".join(
            f"{o.id.rsplit('/', 1)[-1]} ({libelles.STATUTS_ORDRE.get(o.statut, o.statut)})"
            for o in lies
        )
        or "—",
        statut=t.statut.value,
        libelle_statut=libelles.STATUTS_TRIMESTRE.get(t.statut, t.statut),
        verse=t.montant_verse,
        date_paiement=t.date_paiement,
    )


def _heures(salarie: int, collective: int) -> str:
    return f"{salarie / 60:g} h / {collective / 60:g} h"


def _quotite(salarie: int, collective: int) -> str:
    return f"{float(regles.quotite(salarie, collective)):.4f}".replace(".", ",")


def fiche(etat: EtatCaeDom) -> FicheCaeDom:
    resultat = FicheCaeDom()
    c = etat.convention
    if c is not None:
        resultat.groupes = _groupes(c)
    evaluation = etat.evaluation
    if evaluation is not None:
        echecs = set(evaluation.motifs)
        resultat.eligible = not echecs
        resultat.version_regles = evaluation.version_regles
        resultat.conditions = [
            Condition(libelle, textes.reference(TEXTE, section), motif.value not in echecs)
            for motif, libelle, section in CONDITIONS
        ]
        debut = getattr(evaluation, "debut_initial", None) or evaluation.periode.a_partir_du
        raison, source = (
            raison_duree(c, debut)
            if c
            else (f"{evaluation.duree_maximale_mois} mois", textes.reference(TEXTE))
        )
        resultat.duree = DureeMaximale(
            mois=evaluation.duree_maximale_mois,
            fin_maximale=evaluation.date_fin_maximale,
            debut=debut,
            raison=raison,
            source=source,
            reevaluee_par=getattr(evaluation, "duree_reevaluee_par", None),
        )
        p = evaluation.periode
        quotite = _quotite(p.duree_hebdomadaire_minutes, p.duree_collective_minutes)
        resultat.calcul = [
            (
                "Règles appliquées",
                f"{textes.reference(TEXTE)} (version {evaluation.version_regles})",
            ),
            ("Fuseau horaire du territoire", evaluation.fuseau_horaire),
            (
                "Aide mensuelle (annexe III, « La prise en charge »)",
                f"{_euros(p.niveau_prime_mensuel)} × min(1 ; "
                f"{p.duree_hebdomadaire_minutes / 60:g} h / {p.duree_collective_minutes / 60:g} h)"
                f" = {_euros(p.niveau_prime_mensuel)} × {quotite} = "
                f"{_euros(regles.arrondi_centime(p.montant_mensuel))}",
            ),
            (
                "Versement (annexe II, question 1)",
                "trimestriel, par l'ASP, le lendemain de la fin de chaque trimestre civil, "
                "sur l'état de présence de l'employeur",
            ),
        ]
    resultat.trimestres = [_ligne(t, etat.ordres) for t in etat.trimestres]
    resultat.avenants = [Avenant(n, _nature_avenant(n)) for n in etat.avenants]
    resultat.periodes = [
        Periode(
            a_partir_du=p.a_partir_du,
            niveau=p.niveau_prime_mensuel,
            duree=_heures(p.duree_hebdomadaire_minutes, p.duree_collective_minutes),
            quotite=_quotite(p.duree_hebdomadaire_minutes, p.duree_collective_minutes),
        )
        for p in etat.periodes
    ]
    if etat.date_fin_effective or etat.motif_rupture:
        resultat.rupture = [
            ("Fin effective", _jour(etat.date_fin_effective)),
            ("Motif", etat.motif_rupture or "—"),
            ("Fin de prise en charge en vigueur", _jour(etat.date_fin)),
        ]
    resultat.ordres_reversement = [o for o in etat.ordres if o.nature == "reversement"]
    if etat.montant_a_recuperer or resultat.ordres_reversement:
        resultat.recouvrement = [
            ("Montant versé", _euros(etat.montant_verse)),
            ("Montant dû", _euros(etat.montant_du)),
            ("À récupérer (ordre de reversement)", _euros(etat.montant_a_recuperer)),
            ("Déjà recouvré", _euros(etat.montant_recouvre)),
            (
                "Source",
                textes.reference(
                    TEXTE, "annexe III, Cerfa, « La prise en charge » : ordre de reversement"
                ),
            ),
        ]
    return resultat
