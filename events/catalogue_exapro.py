"""Event types of the EXAPRO candidate import (seed 002): a school drops a file."""

from events import topics
from events.types import TypeEvenement
from models import exapro

RECUS = [
    TypeEvenement(
        nom=exapro.TYPE_FICHIER_DEPOSE,
        topic=topics.ETABLISSEMENTS,
        contrat=exapro.FichierDepose,
        workflow=exapro.WORKFLOW,
        description="Un établissement a déposé un fichier d'import des candidatures EXAPRO "
        "(CSV ou XML) dans le répertoire des dépôts (sujet : <etablissement>/<nom_fichier>, "
        "un import par fichier).",
        exemple={
            "chemin": "0750785A/BCP2024_1.0_2024_150120241030.csv",
            "nom_fichier": "BCP2024_1.0_2024_150120241030.csv",
            "etablissement": "0750785A",
            "examen": "BCP",
            "si_erreurs": "rejeter_le_fichier",
            "controle_ine": False,
        },
    ),
]
