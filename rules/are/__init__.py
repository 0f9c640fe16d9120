"""Aide régionale à l'équipement (ARE), Île-de-France lycées.

Sources:
- `shared/seeds/000_1a6800f97ad826db.txt`: règlement d'intervention, school year 2021-2022
  (délibération CP 2021-372 du 22 septembre 2021), with Annexe 1 (2021-2022 formation list);
- `shared/seeds/001_d4a38141b0b7da2a.txt`: modalités d'application 2023-2024, arrêté
  n° 2023-087 du 17 mars 2023 (indexation +6,31 %, ARE and CPGE flat rates) and the
  2023-2024 formation list.

Pure functions: no clock, no I/O except the packaged reference data under `rules/data/are/`
read through `rules.reference.read_csv`, each file by its own cached function on first use.
Readings the issue fixed, and those chosen where the text is silent, are listed in
`docs/are.md`.

One module per section: `commun` (versions, envelopes, reasons, rounding, school years),
`formations` (eligible formations and specialties), `forfaits` (flat rates, indexation),
`dotation` (a school's allocation), `complement` (the conditions of a complementary
allocation), `cpge` (competition-fee aid), `bilan` (equipment types,
spending report). Importers use this package's names.
"""

from rules.are.bilan import (
    AnomalieBilan,
    CodeAnomalieBilan,
    Depense,
    ResultatBilan,
    TypeEquipement,
    types_equipement,
    verifier_bilan,
)
from rules.are.commun import (
    CODE_PREPA_METIERS,
    DONNEES,
    SPECIALITE_FORMATIONS_GENERALES,
    UN_CENTIME,
    UN_EURO,
    VERSION_REGLE_2021_2022,
    VERSION_REGLE_2023_2024,
    VERSIONS_REGLE,
    ZERO,
    Enveloppe,
    MotifCpge,
    MotifDotation,
    MotifLigne,
    annee_valide,
    arrondi,
    uai_valide,
    version_regle,
)
from rules.are.complement import MotifCondition, verifier_augmentation
from rules.are.cpge import (
    AideCpge,
    ParametresCpge,
    aide_frais_concours,
    annees_cpge,
    parametres_cpge,
)
from rules.are.dotation import (
    Dotation,
    LigneDotation,
    LigneEffectif,
    MontantEnveloppe,
    calculer_dotation,
    dotation_enveloppe,
    effectif_retenu,
    nombre_boursiers,
)
from rules.are.forfaits import (
    Forfaits,
    Indexation,
    evolution_indice,
    forfait_indexe,
    forfaits,
    indexation,
    ipc,
)
from rules.are.formations import (
    Formation,
    PlageSpecialites,
    QualificationFormation,
    code_diplome_valide,
    formations,
    niveau,
    plages_specialites,
    qualifier_formation,
    specialite,
    specialite_eligible,
)

__all__ = [
    "CODE_PREPA_METIERS",
    "DONNEES",
    "SPECIALITE_FORMATIONS_GENERALES",
    "UN_CENTIME",
    "UN_EURO",
    "VERSIONS_REGLE",
    "VERSION_REGLE_2021_2022",
    "VERSION_REGLE_2023_2024",
    "ZERO",
    "AideCpge",
    "AnomalieBilan",
    "CodeAnomalieBilan",
    "Depense",
    "Dotation",
    "Enveloppe",
    "Forfaits",
    "Formation",
    "Indexation",
    "LigneDotation",
    "LigneEffectif",
    "MontantEnveloppe",
    "MotifCondition",
    "MotifCpge",
    "MotifDotation",
    "MotifLigne",
    "ParametresCpge",
    "PlageSpecialites",
    "QualificationFormation",
    "ResultatBilan",
    "TypeEquipement",
    "aide_frais_concours",
    "annee_valide",
    "annees_cpge",
    "arrondi",
    "calculer_dotation",
    "code_diplome_valide",
    "dotation_enveloppe",
    "effectif_retenu",
    "evolution_indice",
    "forfait_indexe",
    "forfaits",
    "formations",
    "indexation",
    "ipc",
    "niveau",
    "nombre_boursiers",
    "parametres_cpge",
    "plages_specialites",
    "qualifier_formation",
    "specialite",
    "specialite_eligible",
    "types_equipement",
    "uai_valide",
    "verifier_augmentation",
    "verifier_bilan",
    "version_regle",
]
