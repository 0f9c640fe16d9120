"""What a scenario run gives: one line per expectation checked (or step that went wrong)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Ligne:
    """One expectation checked (or one step that went wrong)."""

    ok: bool
    le: date
    dossier: str
    quoi: str
    attendu: str
    obtenu: str

    def texte(self) -> str:
        verdict = "PASS" if self.ok else "FAIL"
        return (
            f"{verdict} {self.le} {self.dossier} {self.quoi}: "
            f"attendu {self.attendu}, obtenu {self.obtenu}"
        )

    def json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "le": self.le.isoformat(),
            "dossier": self.dossier,
            "quoi": self.quoi,
            "attendu": self.attendu,
            "obtenu": self.obtenu,
        }


@dataclass
class Resultat:
    fichier: str
    titre: str
    lignes: list[Ligne] = field(default_factory=list)
    duree_s: float = 0.0
    erreur: str | None = None

    @property
    def ok(self) -> bool:
        return self.erreur is None and all(ligne.ok for ligne in self.lignes)

    def json(self) -> dict[str, Any]:
        return {
            "fichier": self.fichier,
            "titre": self.titre,
            "ok": self.ok,
            "duree_s": round(self.duree_s, 2),
            "erreur": self.erreur,
            "lignes": [ligne.json() for ligne in self.lignes],
        }
