"""Rule evaluations whose result must be recorded: they read reference data (the annex list of
certifications), so they run here and their result lands in the workflow history."""

from temporalio import activity

from models.contrat_pro import EntreeEvaluation, Evaluation
from rules import contrat_pro


@activity.defn(name="evaluer_contrat_pro")
async def evaluer_contrat_pro(entree: EntreeEvaluation) -> Evaluation:
    """Seed 003 sections 2-4 through `rules.contrat_pro.evaluer`, with its inputs."""
    contrat, demande = entree.contrat, entree.demande
    durees = {contrat.date_debut: contrat.duree_hebdomadaire_heures}
    for avenant in entree.avenants:  # a later amendment with the same date wins
        durees[avenant.date_effet] = avenant.duree_hebdomadaire_heures
    faits = contrat_pro.FaitsContrat(
        date_debut_contrat=contrat.date_debut,
        date_fin_contrat=contrat.date_fin,
        date_naissance=contrat.date_naissance_salarie,
        demandeur_emploi=contrat.demandeur_emploi,
        dans_effectif_6_mois=demande.dans_effectif_6_mois,
        code_postal_etablissement=contrat.code_postal_etablissement,
        employeur_a_jour=demande.employeur_a_jour,
        licenciement_economique_6_mois=demande.licenciement_economique_6_mois,
        code_rncp=contrat.certification.rncp,
        code_certifinfo=contrat.certification.certifinfo,
        nature_contrat=contrat_pro.NatureContrat(contrat.nature_contrat),
        durees_hebdomadaires=tuple(
            contrat_pro.DureeHebdomadaire(jour, heures) for jour, heures in sorted(durees.items())
        ),
        date_demande=demande.date_demande,
        date_fin_effective=entree.date_fin_effective,
        suspensions_non_remunerees=tuple(
            contrat_pro.Periode(du, au) for du, au in entree.suspensions
        ),
    )
    resultat = contrat_pro.evaluer(faits, demande.cumul_aides_annee)
    return Evaluation(
        version_regles=resultat.version_regles,
        eligible=resultat.eligible,
        motifs=[str(motif) for motif in resultat.motifs],
        mois_aides=list(resultat.mois_aides),
        montant_mensuel=resultat.montant_mensuel,
        montant=resultat.montant,
        date_limite_demande=resultat.date_limite_demande,
        date_versement=resultat.date_versement,
        date_limite_demande_paiement=resultat.date_limite_demande_paiement,
        acte=str(resultat.acte),
        entree=entree,
    )
