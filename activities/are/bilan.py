"""Spending reports: checked by `rules.are.verifier_bilan` after guichet's own
reconciliations (allocations received, leftovers of the year before). Pure."""

from models.are import (
    AnomalieBilan,
    EntreeVerificationBilan,
    Montants,
    VerificationBilan,
)
from rules import are
from rules.are import Enveloppe

# --- spending reports -----------------------------------------------------------------------


def verifier(entree: EntreeVerificationBilan) -> VerificationBilan:
    """The spending report checked by `rules.are.verifier_bilan` (both seeds, « Compte rendu
    d'utilisation des dotations », « Les types d'équipements », « non fongibles »), after two
    reconciliations of our own: the declared allocations received must equal what the Région
    ordered (initial allocation and complements), and the declared leftovers of the year
    before must equal those the last report set, when guichet knows them."""
    bilan = entree.bilan
    anomalies: list[AnomalieBilan] = []
    for code, declare, connu, libelle in (
        (
            "DOTATIONS_NON_CONCORDANTES",
            bilan.dotations_recues,
            entree.dotations_versees,
            "dotations reçues",
        ),
        (
            "RELIQUATS_NON_CONCORDANTS",
            bilan.reliquats_anterieurs,
            entree.reliquats_connus,
            "reliquats antérieurs",
        ),
    ):
        if connu is None:
            continue
        for env in Enveloppe:
            if declare.de(env) != connu.de(env):
                champ = (
                    "dotations_recues" if code.startswith("DOTATIONS") else "reliquats_anterieurs"
                )
                anomalies.append(
                    AnomalieBilan(
                        code=code,
                        message=(
                            f"{champ}.{env.value} « {declare.de(env)} » : les {libelle} déclarées "
                            f"doivent être celles connues de la Région ({connu.de(env)} EUR)"
                        ),
                        enveloppe=env,
                    )
                )
    resultat = are.verifier_bilan(
        dotations_recues=bilan.dotations_recues.par_enveloppe(),
        reliquats_anterieurs=bilan.reliquats_anterieurs.par_enveloppe(),
        depenses=[
            are.Depense(
                enveloppe=d.enveloppe,
                type_equipement=d.type_equipement,
                montant=d.montant,
                code_diplome=d.code_diplome,
                nombre_eleves=d.nombre_eleves,
            )
            for d in bilan.depenses
        ],
    )
    anomalies += [
        AnomalieBilan(code=a.code.value, message=a.message, ligne=a.ligne, enveloppe=a.enveloppe)
        for a in resultat.anomalies
    ]
    return VerificationBilan(
        valide=not anomalies,
        anomalies=anomalies,
        ressources=Montants.depuis(resultat.ressources),
        depenses=Montants.depuis(resultat.depenses),
        reliquats=Montants.depuis(resultat.reliquats),
        eleves_aides=sum(d.nombre_eleves for d in bilan.depenses),
    )
