"""EXAPRO candidate import: the file is read, validated, published and reported here, never in
the workflow (its history only holds counts, paths and the file's SHA-256).

Rules: `rules/exapro/`, its readers in `rules/exapro/lecture.py` (seed 002, « Description des
données de l'import générique des candidatures pour les domaines EXAPRO », v1.7). Layout of
the storage directory (`stockage`), shared by every worker:

- `depots/`: where schools' files are dropped (the default drop directory; the event's
  `chemin` is relative to it);
- `travail/<import>/erreurs.jsonl` and `valides.jsonl`: work files of an import (one error,
  one valid candidate per line), removed once its report is stored;
- `rapports/<import>.json`: the report, as `guichet exapro validate --format json` prints it
  plus an `import` section (status, reason, counts, SHA-256);
- `publications/<sha256>`: the key of the import that published a content; a later import of
  the same bytes publishes nothing (`deja_publie_par`).

`<import>` is the import's key (`<etablissement>/<nom_fichier>`) with every character other
than letters, digits, `.`, `_` and `-` replaced by `_`.

The validation and the publication work in lots of `taille_lot` rows and heartbeat after each
lot; a retry resumes from the last heartbeat's details (see `ProgressionValidation`; for the
publication, the number of candidates already published).
"""

import asyncio
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from events import topics
from events.publisher import Publisher, encode
from models.evenements import CloudEvent
from models.exapro import (
    TYPE_CANDIDAT,
    CandidatExapro,
    EntreePublication,
    EntreeRapport,
    EntreeValidation,
    FichierDepose,
    ProgressionValidation,
    ResultatPublication,
    ResultatValidation,
)
from rules.exapro import (
    CHAMPS_CANDIDAT,
    Contexte,
    Erreur,
    Examen,
    examen_du_nom_fichier,
    session_valide,
    valider_candidat,
    valider_colonnes,
    valider_entete,
    valider_nom_fichier,
)
from rules.exapro.lecture import Bloc, Format, LectureImpossible, lire

SOURCE = "/guichet"
TAILLE_LOT = 1000
"""Rows validated (or candidates published) between two heartbeats."""
ERREURS = "erreurs.jsonl"
VALIDES = "valides.jsonl"
_NOMS_CANDIDAT = tuple(c.csv for c in CHAMPS_CANDIDAT)
_HORS_NOM = re.compile(r"[^A-Za-z0-9._-]")
_SHA256 = re.compile(r"[0-9a-f]{64}")

log = structlog.get_logger(__name__)

T = TypeVar("T")


def nom_import(cle: str) -> str:
    """The import's key as a file name (`0750001A/BCP...csv` -> `0750001A_BCP...csv`)."""
    nom = _HORS_NOM.sub("_", cle)
    return nom if nom and not nom.startswith(".") else f"_{nom}"


def id_candidat(sha256: str, ligne: int) -> str:
    """The outbound event id of the candidate at `ligne` of the file whose content hashes to
    `sha256`: the same bytes imported again give the same ids."""
    return f"exapro:{sha256}:{ligne}"


def _raison_systeme(exc: OSError) -> str | None:
    """A French reason for what no retry can fix; None for an error worth retrying."""
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un répertoire, pas un fichier"
    if isinstance(exc, PermissionError):
        return "lecture non autorisée"
    return None


class _Empreinte(io.RawIOBase):
    """Reads a binary stream and hashes every byte read (SHA-256)."""

    def __init__(self, brut: BinaryIO) -> None:
        super().__init__()
        self._brut = brut
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, tampon: Any, /) -> int:
        donnees = self._brut.read(len(tampon))
        n = len(donnees)
        tampon[:n] = donnees
        self.sha256.update(donnees)
        return n

    def finir(self) -> str:
        """Hash what the readers left unread (nothing, normally) and return the digest."""
        while morceau := self._brut.read(1 << 16):
            self.sha256.update(morceau)
        return self.sha256.hexdigest()


class _Validation:
    """One pass over a file, as `rules.exapro.lecture.valider_flux` does it, in lots.

    Errors go to `erreurs.jsonl`, valid candidates to `valides.jsonl`. Blocks already done in
    an earlier attempt (`reprise.blocs`) are read again but neither validated nor written:
    only the XML `entete` is replayed, since it sets the session of the rows after it."""

    def __init__(
        self,
        chemin: Path,
        depot: FichierDepose,
        examen: Examen,
        reprise: ProgressionValidation,
        travail: Path,
    ) -> None:
        self.examen = examen
        self.controle_ine = depot.controle_ine
        self.p = reprise.model_copy()
        self._fichiers: list[IO[bytes]] = []
        try:
            self.erreurs = self._ouvrir(travail / ERREURS, reprise.octets_erreurs)
            self.valides = self._ouvrir(travail / VALIDES, reprise.octets_valides)
            brut = chemin.open("rb")
            self._fichiers.append(brut)
            self.empreinte = _Empreinte(brut)
            self.format: Format
            self.format, self.blocs = lire(io.BufferedReader(self.empreinte, buffer_size=1 << 16))
        except BaseException:
            self.fermer()
            raise
        # The naming rule is the CSV file's only (an XML name is free): known once read.
        erreurs_nom, self.session = valider_nom_fichier(depot.nom_fichier, examen, self.format)
        self.ctx = Contexte(examen, self.session, depot.controle_ine)
        self.vus = 1
        if self.p.blocs == 0:  # unit 0: the file name
            self._ecrire_erreurs(erreurs_nom)
            self.p.erreurs_fichier += len(erreurs_nom)
            self.p.blocs = 1

    def _ouvrir(self, chemin: Path, taille: int) -> IO[bytes]:
        fichier = chemin.open("a+b")
        self._fichiers.append(fichier)
        fichier.truncate(taille)
        fichier.seek(taille)
        return fichier

    def fermer(self) -> None:
        for fichier in self._fichiers:
            fichier.close()

    def lot(self, taille: int) -> bool:
        """Read up to `taille` blocks; True once the file is done."""
        for _ in range(taille):
            bloc = next(self.blocs, None)
            if bloc is None:
                return True
            self.vus += 1
            if self.vus <= self.p.blocs:
                self._entete(bloc)
                continue
            self._traiter(bloc)
            self.p.blocs = self.vus
        return False

    def progression(self) -> ProgressionValidation:
        """The progress so far, once the work files are on disk (fsync: a retry may run on
        another worker sharing the storage)."""
        for fichier in (self.erreurs, self.valides):
            fichier.flush()
            os.fsync(fichier.fileno())
        self.p.octets_erreurs = self.erreurs.tell()
        self.p.octets_valides = self.valides.tell()
        return self.p.model_copy()

    def resultat(self) -> ResultatValidation:
        p = self.progression()
        return ResultatValidation(
            lisible=True,
            examen=self.examen,
            format=self.format,
            sha256=self.empreinte.finir(),
            annee_session=self.ctx.annee_session,
            lignes=p.lignes,
            lignes_valides=p.lignes_valides,
            erreurs=p.erreurs,
            erreurs_fichier=p.erreurs_fichier,
        )

    def _entete(self, bloc: Bloc) -> None:
        if bloc.nature != "entete" or not bloc.valeurs:
            return
        annee = bloc.valeurs.get("annee_session", "")
        if session_valide(self.examen, annee):
            self.ctx = Contexte(self.examen, annee, self.controle_ine)

    def _traiter(self, bloc: Bloc) -> None:
        erreurs = list(bloc.anomalies)
        if bloc.nature == "candidat":
            self.p.lignes += 1
            if bloc.valeurs is not None:
                erreurs += valider_candidat(bloc.valeurs, self.ctx, bloc.ligne)
            if not erreurs and bloc.valeurs is not None:
                self.p.lignes_valides += 1
                self._ecrire_valide(bloc.ligne, bloc.valeurs)
        else:
            if bloc.nature == "colonnes":
                erreurs += valider_colonnes(frozenset(bloc.valeurs or ()), self.ctx, bloc.ligne)
            elif bloc.valeurs:
                erreurs += valider_entete(bloc.valeurs, self.ctx, bloc.ligne)
                self._entete(bloc)
            self.p.erreurs_fichier += len(erreurs)
        self._ecrire_erreurs(erreurs)

    def _ecrire_erreurs(self, erreurs: list[Erreur]) -> None:
        self.p.erreurs += len(erreurs)
        for erreur in erreurs:
            self.erreurs.write(json.dumps(erreur.en_dict(), ensure_ascii=False).encode() + b"\n")

    def _ecrire_valide(self, ligne: int, valeurs: dict[str, str]) -> None:
        session = valeurs.get("annee_session") or ""
        if not session_valide(self.examen, session):
            session = self.ctx.annee_session or ""
        candidat = {nom: valeurs[nom] for nom in _NOMS_CANDIDAT if valeurs.get(nom)}
        ligne_json = {"ligne": ligne, "annee_session": session or None, "candidat": candidat}
        self.valides.write(json.dumps(ligne_json, ensure_ascii=False).encode() + b"\n")


async def _dans_un_thread(fonction: Callable[..., T], *args: Any) -> T:
    """Run blocking work in a thread; if the activity is cancelled meanwhile, wait for the
    thread to finish before letting the cancellation through (its files are closed after)."""
    futur: asyncio.Future[T] = asyncio.get_running_loop().run_in_executor(None, fonction, *args)
    try:
        return await asyncio.shield(futur)
    except asyncio.CancelledError:
        await asyncio.wait([futur])
        raise


class ExaproActivities:
    """The import's activities, built with the publisher of the candidates and the storage
    directory (`depots` defaults to `stockage / "depots"`)."""

    def __init__(
        self,
        publisher: Publisher,
        stockage: Path,
        depots: Path | None = None,
        *,
        taille_lot: int = TAILLE_LOT,
        topic_candidats: str = topics.DOSSIERS,
    ) -> None:
        self._publisher = publisher
        self._stockage = stockage
        self._depots = depots if depots is not None else stockage / "depots"
        self._taille_lot = taille_lot
        self._topic = topic_candidats

    def all(self) -> list[Callable[..., Any]]:
        """The bound activities, to register on a worker."""
        return [
            self.valider_fichier_exapro,
            self.publier_candidats_exapro,
            self.stocker_rapport_exapro,
        ]

    def travail(self, cle: str) -> Path:
        return self._stockage / "travail" / nom_import(cle)

    def rapport(self, cle: str) -> Path:
        return self._stockage / "rapports" / f"{nom_import(cle)}.json"

    # --- validation --------------------------------------------------------------------------

    @activity.defn(name="valider_fichier_exapro")
    async def valider_fichier_exapro(self, entree: EntreeValidation) -> ResultatValidation:
        """Validate the dropped file row by row, in lots, heartbeating the progress.

        An unreadable file (or one whose exam cannot be known, or that is missing) is not an
        activity failure: the result says why (`lisible` False, `raison` in French)."""
        depot = entree.depot
        examen = depot.examen or examen_du_nom_fichier(depot.nom_fichier)
        if examen is None:
            return ResultatValidation(
                lisible=False,
                raison=f"impossible de savoir à quel examen est destiné « {depot.nom_fichier} » "
                ": son nom ne commence ni par BCP, BP, MC3, MC4, CAP ou ARI ; indiquez "
                "l'examen dans l'événement de dépôt",
            )
        chemin = self._depots / depot.chemin
        if not chemin.resolve().is_relative_to(self._depots.resolve()):
            return ResultatValidation(
                lisible=False, examen=examen, raison="chemin hors du répertoire des dépôts"
            )
        travail = self.travail(entree.cle)
        travail.mkdir(parents=True, exist_ok=True)
        reprise = self._reprise(travail)
        try:
            validation = await _dans_un_thread(_Validation, chemin, depot, examen, reprise, travail)
        except LectureImpossible as exc:
            return self._illisible(travail, examen, exc.raison)
        except OSError as exc:
            if (raison := _raison_systeme(exc)) is None:
                raise
            return self._illisible(travail, examen, raison)
        try:
            while not await _dans_un_thread(validation.lot, self._taille_lot):
                activity.heartbeat(validation.progression().model_dump(mode="json"))
            resultat = await _dans_un_thread(validation.resultat)
        except LectureImpossible as exc:
            return self._illisible(travail, examen, exc.raison)
        finally:
            validation.fermer()
        log.info(
            "exapro.import.valide",
            dossier=entree.cle,
            lignes=resultat.lignes,
            lignes_valides=resultat.lignes_valides,
            erreurs=resultat.erreurs,
        )
        return resultat

    @staticmethod
    def _reprise(travail: Path) -> ProgressionValidation:
        """The progress of the last heartbeat, if its work files are still whole."""
        details = activity.info().heartbeat_details
        if not details:
            return ProgressionValidation()
        reprise = ProgressionValidation.model_validate(details[0])
        tailles = [
            (travail / nom).stat().st_size if (travail / nom).exists() else -1
            for nom in (ERREURS, VALIDES)
        ]
        if tailles[0] < reprise.octets_erreurs or tailles[1] < reprise.octets_valides:
            return ProgressionValidation()
        return reprise

    @staticmethod
    def _illisible(travail: Path, examen: Examen, raison: str) -> ResultatValidation:
        shutil.rmtree(travail, ignore_errors=True)
        return ResultatValidation(lisible=False, examen=examen, raison=raison)

    # --- publication -------------------------------------------------------------------------

    @activity.defn(name="publier_candidats_exapro")
    async def publier_candidats_exapro(self, entree: EntreePublication) -> ResultatPublication:
        """Publish each valid candidate as one event (id `exapro:<sha256>:<ligne>`), in lots,
        heartbeating the number published; a retry goes on after the last heartbeat.

        The first import to publish a content reserves it (`publications/<sha256>`); another
        import of the same bytes publishes nothing and learns which import did."""
        proprietaire = self._reserver(entree.sha256, entree.cle)
        if proprietaire != entree.cle:
            return ResultatPublication(deja_publie_par=proprietaire)
        details = activity.info().heartbeat_details
        deja = int(details[0]) if details else 0
        chemin = self.travail(entree.cle) / VALIDES
        if not chemin.exists():
            raise ApplicationError(
                f"fichier de travail {chemin} absent : la validation de {entree.cle} n'a pas "
                "été faite ou son rapport est déjà stocké",
                type="TravailAbsent",
                non_retryable=True,
            )
        rang = 0
        lot: list[CloudEvent] = []
        with chemin.open("rb") as valides:
            for rang, ligne in enumerate(valides, start=1):
                if rang <= deja:
                    continue
                lot.append(self._evenement(entree, json.loads(ligne)))
                if len(lot) == self._taille_lot:
                    await self._publier(entree.cle, lot)
                    activity.heartbeat(rang)
                    lot = []
        if lot:
            await self._publier(entree.cle, lot)
            activity.heartbeat(rang)
        log.info("exapro.import.publie", dossier=entree.cle, candidats=rang)
        return ResultatPublication(publies=rang)

    def _reserver(self, sha256: str, cle: str) -> str:
        """The key of the import that publishes the content `sha256`: `cle` unless another
        import reserved it first (atomically: the file appears whole, or not at all)."""
        if not _SHA256.fullmatch(sha256):
            raise ApplicationError(f"empreinte SHA-256 invalide : {sha256!r}", non_retryable=True)
        dossier = self._stockage / "publications"
        dossier.mkdir(parents=True, exist_ok=True)
        reservation = dossier / sha256
        provisoire = dossier / f".{sha256}.{uuid.uuid4().hex}"
        provisoire.write_text(cle, encoding="utf-8")
        try:
            os.link(provisoire, reservation)
        except FileExistsError:
            return reservation.read_text(encoding="utf-8")
        finally:
            provisoire.unlink()
        return cle

    def _evenement(self, entree: EntreePublication, ligne: dict[str, Any]) -> CloudEvent:
        candidat = CandidatExapro(
            import_cle=entree.cle,
            fichier=entree.fichier,
            etablissement=entree.etablissement,
            examen=entree.examen,
            annee_session=ligne["annee_session"],
            ligne=ligne["ligne"],
            candidat=ligne["candidat"],
        )
        return CloudEvent(
            id=id_candidat(entree.sha256, candidat.ligne),
            source=SOURCE,
            type=TYPE_CANDIDAT,
            subject=entree.cle,
            time=entree.horodatage,
            data=candidat.model_dump(mode="json"),
        )

    async def _publier(self, cle: str, lot: list[CloudEvent]) -> None:
        """One lot at once (the producer batches them), keyed by the import: one partition,
        so a consumer reads a file's candidates in order."""
        await asyncio.gather(
            *(self._publisher.publish(self._topic, cle, encode(event)) for event in lot)
        )

    # --- report ------------------------------------------------------------------------------

    @activity.defn(name="stocker_rapport_exapro")
    async def stocker_rapport_exapro(self, entree: EntreeRapport) -> str:
        """Write the report (`rapports/<import>.json`) and remove the work files; returns the
        report's path relative to the storage directory. Idempotent: a retry after the work
        files are gone finds the report written."""
        await _dans_un_thread(self._stocker, entree)
        return self.rapport(entree.cle).relative_to(self._stockage).as_posix()

    def _stocker(self, entree: EntreeRapport) -> None:
        rapport, travail = self.rapport(entree.cle), self.travail(entree.cle)
        if rapport.exists() and not travail.exists():
            return
        rapport.parent.mkdir(parents=True, exist_ok=True)
        v, depot = entree.validation, entree.depot
        debut = {
            "fichier": depot.nom_fichier,
            "examen": v.examen.value if v.examen else None,
            "lignes": v.lignes,
            "lignes_valides": v.lignes_valides,
        }
        fin = {
            "cle": entree.cle,
            "etablissement": depot.etablissement,
            "chemin": depot.chemin,
            "format": v.format,
            "sha256": v.sha256,
            "annee_session": v.annee_session,
            "si_erreurs": depot.si_erreurs.value,
            "statut": entree.statut,
            "motif": entree.motif,
            "raison": v.raison,
            "nombre_erreurs": v.erreurs,
            "erreurs_fichier": v.erreurs_fichier,
            "candidats_publies": entree.publies,
            "deja_publie_par": entree.deja_publie_par,
        }
        provisoire = rapport.with_name(f".{rapport.name}.{uuid.uuid4().hex}")
        with provisoire.open("w", encoding="utf-8") as sortie:
            sortie.write(json.dumps(debut, ensure_ascii=False, indent=2)[:-2])
            sortie.write(',\n  "erreurs": [')
            for n, erreur in enumerate(_lignes(travail / ERREURS)):
                sortie.write(("," if n else "") + "\n    " + erreur)
            sortie.write('\n  ],\n  "import": ')
            sortie.write(json.dumps(fin, ensure_ascii=False, indent=2).replace("\n", "\n  "))
            sortie.write("\n}\n")
            sortie.flush()
            os.fsync(sortie.fileno())
        os.replace(provisoire, rapport)
        shutil.rmtree(travail, ignore_errors=True)


def _lignes(chemin: Path) -> Iterator[str]:
    """The JSON lines of a work file (none if it does not exist)."""
    with contextlib.suppress(FileNotFoundError), chemin.open(encoding="utf-8") as lignes:
        for ligne in lignes:
            yield ligne.rstrip("\n")
