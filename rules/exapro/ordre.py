"""Field order (section « Descriptif des données » of seed 002): « Un fichier xsd est fourni
par domaine ; c'est ce fichier xsd qui précise l'ordonnement des champs à respecter dans les
différents fichiers (csv et xml). »

The XSD itself is not in the seed; the field table lists the fields in one order (`entete`
then `candidat`, `CHAMPS`), which is the order the XSD's sequences follow. Choice (listed in
`docs/exapro.md`): **a field out of that order is refused** — the text says the order is « à
respecter », and an XSD sequence refuses an element out of place, so a file that Cyclades
would refuse is not accepted here. Optional fields may be left out (only the relative order
of the fields present counts); unknown and duplicated columns or elements are reported by
their own rules and do not count for the order.

- CSV: one error per column out of place, on the header (line 1, rule `colonne.ordre`): an
  error on the file itself, so the file is refused whole.
- XML: one error per element out of place in its block (rule `element.ordre`): on the
  candidate (its position), or on line 0 for the `entete` block.
"""

from collections.abc import Mapping, Sequence

from rules.exapro.champs import CHAMPS, Erreur

RANG: Mapping[str, int] = {c.csv: i for i, c in enumerate(CHAMPS)}
"""The rank of each field (CSV name) in the table: `entete` fields first, then `candidat`."""
_XML: Mapping[str, str] = {c.csv: c.xml for c in CHAMPS}


def verifier_ordre(
    champs: Sequence[str], ligne: int, *, xml: bool, valeurs: Mapping[str, str] | None = None
) -> list[Erreur]:
    """Errors for the fields (CSV names, in file order) out of the table's order. Each error
    names the field out of place (`champ`), a field it is wrongly placed after (or before),
    and the rule; `valeurs` gives the XML element's value for the report.

    The fields reported are the fewest whose moving restores the order: those outside a
    longest run of fields already in the table's order (with `civilite;nom_usage;nom_famille`
    only `nom_famille`, or `nom_usage`, is reported, not every field after the first
    inversion; a last column moved first is the only one reported)."""
    connus = [c for c in champs if c in RANG]
    rangs = [RANG[c] for c in connus]
    gardes = _plus_longue_suite_croissante(rangs)
    erreurs: list[Erreur] = []
    for i, champ in enumerate(connus):
        if i in gardes:
            continue
        avant = [c for c in connus[:i] if RANG[c] > rangs[i]]
        if avant:
            erreurs.append(_erreur(champ, avant[-1], "après", ligne, xml=xml, valeurs=valeurs))
        else:
            apres = next(c for c in connus[i + 1 :] if RANG[c] < rangs[i])
            erreurs.append(_erreur(champ, apres, "avant", ligne, xml=xml, valeurs=valeurs))
    return erreurs


def _plus_longue_suite_croissante(rangs: Sequence[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence (the first found, quadratic:
    at most 30 fields)."""
    if not rangs:
        return set()
    longueur = [1] * len(rangs)
    precedent = [-1] * len(rangs)
    for i in range(len(rangs)):
        for j in range(i):
            if rangs[j] < rangs[i] and longueur[j] + 1 > longueur[i]:
                longueur[i], precedent[i] = longueur[j] + 1, j
    i = max(range(len(rangs)), key=lambda k: (longueur[k], -k))
    gardes: set[int] = set()
    while i >= 0:
        gardes.add(i)
        i = precedent[i]
    return gardes


def _erreur(
    champ: str,
    autre: str,
    position: str,
    ligne: int,
    *,
    xml: bool,
    valeurs: Mapping[str, str] | None,
) -> Erreur:
    if xml:
        nom, voisin = _XML[champ], _XML[autre]
        quoi, regle = "Élément", "element.ordre"
        correction = "placez les éléments dans l'ordre du tableau"
    else:
        nom, voisin = champ, autre
        quoi, regle = "Colonne", "colonne.ordre"
        correction = "placez les colonnes dans l'ordre du tableau"
    attendu = "avant" if position == "après" else "après"
    message = (
        f"{quoi} « {nom} » placé{'' if xml else 'e'} {position} « {voisin} » : ordre des champs "
        f"refusé (règle : la description des données et son fichier xsd fixent l'ordre des "
        f"champs, « {nom} » {attendu} « {voisin} ») ; {correction}."
    )
    return Erreur(ligne, champ, (valeurs or {}).get(champ, ""), message, regle)
