"""Every check of the field table on one candidate row (section « Descriptif des données »),
one function per group of fields, in the order of the table."""

from collections.abc import Mapping

from rules.exapro.champs import AUTRE_PAYS, FRANCE, Erreur, Examen
from rules.exapro.entete import Contexte, _code_inconnu, _Ligne, _rempli, _verifier_entete
from rules.exapro.formats import (
    _CODE_POSTAL_ETRANGER,
    _CODE_POSTAL_FRANCE,
    _DEPARTEMENT_ETRANGER,
    _ETABLISSEMENT,
    _INE,
    _INSEE,
    _INTERDIT_ADRESSE,
    _INTERDIT_COMMUNE,
    _INTERDIT_DIVISION,
    _MAIL,
    _REGLE_ADRESSE,
    _REGLE_DIVISION,
    _TELEPHONE,
    _caracteres_interdits,
    _manquant,
    _nfc,
    _sur_valeur,
    session_valide,
    verifier_date,
    verifier_nom,
)
from rules.exapro.referentiel import Referentiel, Specialite, referentiel


def valider_candidat(valeurs: Mapping[str, str], ctx: Contexte, ligne: int) -> list[Erreur]:
    """Every check of the field table on one candidate (section « Descriptif des données »),
    each error reported, in the order of the table.

    `valeurs` maps CSV field names to the raw values; a key absent means the CSV file has no
    such column (its absence is reported once on the header by `valider_colonnes`).
    """
    ref = referentiel()
    s = _Ligne(ligne, valeurs)
    # Entête fields, optional in CSV (« En CSV : non »): checked when present; a row's own
    # session is the one its specialty is checked against.
    _verifier_entete(s, valeurs, ctx, obligatoire=False)
    session = valeurs.get("annee_session") or ""
    if not session_valide(ctx.examen, session):
        session = ctx.annee_session or ""
    _identite(s)
    _ine(s, ctx, ref)
    pays_naissance = _pays_naissance(s, ref)
    if (date_naissance := _rempli(s, "date_naissance", toujours=True)) is not None:
        s.ajouter_toutes("date_naissance", verifier_date("date_naissance", date_naissance))
    _departement_naissance(s, ref, pays_naissance)
    _commune_naissance(s, pays_naissance)
    if (nationalite := _rempli(s, "nationalite", toujours=True)) is not None:
        s.hors_liste(
            "nationalite", nationalite, ref.pays, "pays.code", "la liste des pays du COG (ni 'AUT')"
        )
    pays = _pays_residence(s, ref)
    _adresse_postale(s, pays)
    _telephones_et_mail(s)
    _categorie_socio_pro(s, ctx.examen, ref)
    _etablissement(s)
    serie = _serie(s, ctx.examen, ref, session)
    enseignement = _enseignement(s, ctx.examen, ref, serie)
    _categorie(s, ctx.examen, ref)
    _langue_section_euro(s, ctx.examen, ref, enseignement)
    return s.erreurs


def _identite(s: _Ligne) -> None:
    """Civilité « M(Masculin) ou F(Féminin) »; nom de famille (100), nom d'usage (100, not
    mandatory), prénoms (40), one character rule (`verifier_nom`)."""
    civilite = _rempli(s, "civilite", toujours=True)
    if civilite is not None and civilite not in ("M", "F"):
        s.ajouter(
            "civilite",
            "civilite.valeur",
            _sur_valeur("civilite", civilite, "valeurs possibles M (masculin) ou F (féminin)."),
        )
    for champ, maximum, toujours in (
        ("nom_famille", 100, True),
        ("nom_usage", 100, False),
        ("prenoms", 40, True),
    ):
        if (valeur := _rempli(s, champ, toujours=toujours)) is not None:
            s.taille(champ, valeur, maximum)
            s.ajouter_toutes(champ, verifier_nom(champ, valeur))


def _ine(s: _Ligne, ctx: Contexte, ref: Referentiel) -> None:
    """INE: « 9 chiffres suivis de deux lettres » (Choice: capital letters). Mandatory « si le
    contrôle INE est coché dans le paramétrage établissement » or for school candidates of a
    public or private-under-contract establishment of the Ministry in France. Choice: the file
    does not say the establishment's settings, so `ctx.controle_ine` tells them, and « scolaire »
    is the `scolaire` flag of categories_candidat.csv."""
    ine = s.valeurs.get("INE") or ""
    if ine:
        if not _INE.fullmatch(ine):
            s.ajouter(
                "INE",
                "ine.format",
                _sur_valeur(
                    "INE", ine, "format attendu : 9 chiffres suivis de 2 lettres majuscules."
                ),
            )
        return
    categorie = s.valeurs.get("categorie") or ""
    if ctx.controle_ine and categorie in ref.categories_scolaires[ctx.examen]:
        s.ajouter(
            "INE",
            "obligatoire",
            _manquant(
                "INE",
                f"candidat scolaire, catégorie {categorie}, avec le contrôle INE",
            ),
        )


def _pays_naissance(s: _Ligne, ref: Referentiel) -> str | None:
    """Pays de naissance: a COG country code or 'AUT'. Returns the code when valid."""
    pays = _rempli(s, "pays_naissance", toujours=True)
    if pays is None:
        return None
    if s.hors_liste(
        "pays_naissance", pays, ref.pays, "pays.code", "la liste des pays du COG (ni 'AUT')"
    ):
        return None
    return pays


def _departement_naissance(s: _Ligne, ref: Referentiel, pays_naissance: str | None) -> None:
    """« Si pays de naissance = France : Code département selon la liste du COG ; sinon vide
    ou code département au format alphanumérique sans accent, sur 2 ou 3 caractères »."""
    if pays_naissance == FRANCE:
        departement = _rempli(
            s,
            "depCOM_naissance",
            toujours=False,
            condition="candidat né en France, pays de naissance 100",
        )
        if departement is not None:
            s.hors_liste(
                "depCOM_naissance",
                departement,
                ref.departements,
                "departement.code",
                "la liste des départements/COM du COG (exemples : 075, 02A, 971)",
            )
        return
    departement = s.valeurs.get("depCOM_naissance") or ""
    if departement and not _DEPARTEMENT_ETRANGER.fullmatch(departement):
        s.ajouter(
            "depCOM_naissance",
            "departement.format",
            _sur_valeur(
                "depCOM_naissance",
                departement,
                "hors de France, 2 ou 3 lettres sans accent ou chiffres, ou vide.",
            ),
        )


def _commune_naissance(s: _Ligne, pays_naissance: str | None) -> None:
    """« Si pays de naissance = France : Code Insee (5) ; sinon libellé de la commune (50) :
    caractères alphanumériques et espace , ' / . ° – ; caractères uniquement numériques
    interdits ». Choice: with an invalid birth country only the size is checked."""
    commune = _rempli(s, "commune_naissance", toujours=True)
    if commune is None:
        return
    if pays_naissance == FRANCE:
        if not _INSEE.fullmatch(commune):
            s.ajouter(
                "commune_naissance",
                "commune.insee",
                _sur_valeur(
                    "commune_naissance",
                    commune,
                    "pour un candidat né en France, code Insee de la commune sur 5 caractères "
                    "(exemples : 75056, 2A004).",
                ),
            )
        return
    s.taille("commune_naissance", commune, 50)
    if pays_naissance is None:
        return
    v = _nfc(commune)
    if _INTERDIT_COMMUNE.search(v):
        s.ajouter(
            "commune_naissance",
            "commune.caracteres",
            _sur_valeur(
                "commune_naissance",
                commune,
                _caracteres_interdits(_INTERDIT_COMMUNE, v, _REGLE_ADRESSE),
            ),
        )
    if commune.isdigit():
        s.ajouter(
            "commune_naissance",
            "commune.numerique",
            _sur_valeur(
                "commune_naissance",
                commune,
                "hors de France, le libellé de la commune est attendu, pas un code uniquement "
                "numérique.",
            ),
        )


def _pays_residence(s: _Ligne, ref: Referentiel) -> str | None:
    """Pays de résidence: a COG country code (the text offers 'AUT' for the birth country and
    the nationality only). Returns the code when valid."""
    pays = _rempli(s, "pays", toujours=True)
    if pays is None:
        return None
    if pays == AUTRE_PAYS:
        s.ajouter(
            "pays",
            "pays.aut_residence",
            _sur_valeur(
                "pays",
                pays,
                "'AUT' (autre pays) n'est pas admis pour le pays de résidence : code du pays "
                "selon la liste du COG.",
            ),
        )
        return None
    if s.hors_liste("pays", pays, ref.pays_residence, "pays.code", "la liste des pays du COG"):
        return None
    return pays


def _adresse_postale(s: _Ligne, pays: str | None) -> None:
    """Adresse lignes 1 (mandatory) to 4 (38 each), code postal (« si France oui sinon non »:
    5 digits in France, else up to 10 alphanumerics; Choice: no space), localité (50)."""
    for champ, toujours in (
        ("adresse_1", True),
        ("adresse_2", False),
        ("adresse_3", False),
        ("adresse_4", False),
    ):
        if (valeur := _rempli(s, champ, toujours=toujours)) is not None:
            _adresse(s, champ, valeur, 38)
    if pays == FRANCE:
        code_postal = _rempli(
            s,
            "code_postal",
            toujours=False,
            condition="candidat résidant en France, pays 100",
        )
        if code_postal is not None and not _CODE_POSTAL_FRANCE.fullmatch(code_postal):
            s.ajouter(
                "code_postal",
                "code_postal.france",
                _sur_valeur("code_postal", code_postal, "en France, 5 chiffres."),
            )
    else:
        code_postal = s.valeurs.get("code_postal") or ""
        if code_postal and not _CODE_POSTAL_ETRANGER.fullmatch(code_postal):
            s.ajouter(
                "code_postal",
                "code_postal.etranger",
                _sur_valeur(
                    "code_postal",
                    code_postal,
                    "hors de France, 10 lettres ou chiffres au plus, sans espace ni autre signe.",
                ),
            )
    if (localite := _rempli(s, "localite", toujours=True)) is not None:
        _adresse(s, "localite", localite, 50)


def _adresse(s: _Ligne, champ: str, valeur: str, maximum: int) -> None:
    """Adresse lignes 1-4 and localité: « Caractères alphanumériques et les caractères
    spéciaux espace, virgule (,), apostrophe ', slash /, point ., degré ° et tiret - »."""
    s.taille(champ, valeur, maximum)
    v = _nfc(valeur)
    if _INTERDIT_ADRESSE.search(v):
        s.ajouter(
            champ,
            "adresse.caracteres",
            _sur_valeur(champ, valeur, _caracteres_interdits(_INTERDIT_ADRESSE, v, _REGLE_ADRESSE)),
        )


def _telephones_et_mail(s: _Ligne) -> None:
    """Téléphone personnel (optional) and mobile (mandatory): « + et chiffres sans espace »,
    25 (Choice: « + » only in first position). Adresse mail (100): `_MAIL`."""
    for champ, toujours in (("telephone", False), ("telephone_mobile", True)):
        if (valeur := _rempli(s, champ, toujours=toujours)) is None:
            continue
        s.taille(champ, valeur, 25)
        if not _TELEPHONE.fullmatch(valeur):
            s.ajouter(
                champ,
                "telephone.format",
                _sur_valeur(
                    champ,
                    valeur,
                    "seuls des chiffres, précédés éventuellement de « + », sans espace ni point "
                    "(exemple : +33612345678 ou 0612345678).",
                ),
            )
    if (mail := _rempli(s, "adresse_mail", toujours=True)) is not None:
        s.taille("adresse_mail", mail, 100)
        if not _MAIL.fullmatch(mail):
            s.ajouter(
                "adresse_mail",
                "mail.format",
                _sur_valeur(
                    "adresse_mail",
                    mail,
                    "adresse invalide : caractères A-Z a-z 0-9 ! # $ % & ' * / = ? ^ _ ` { | } ~ "
                    "- . puis @ puis un domaine de la forme exemple.fr (lettres, chiffres, "
                    "tirets, sans tiret au début ni à la fin d'une partie).",
                ),
            )


def _categorie_socio_pro(s: _Ligne, examen: Examen, ref: Referentiel) -> None:
    """« Oui pour BCP »; « Non demandé pour BP et MCP », « Non demandé pour le CAP ». Choice:
    outside the BCP (ARI included) an empty value is fine and a filled one must still be a
    code of the list."""
    bcp = examen is Examen.BCP
    csp = _rempli(s, "categ_socio_pro", toujours=bcp, condition="exigée pour le BCP" if bcp else "")
    if csp is not None:
        s.hors_liste(
            "categ_socio_pro",
            csp,
            ref.categories_socio_pro,
            "csp.code",
            "la liste des catégories socio-professionnelles",
        )


def _etablissement(s: _Ligne) -> None:
    """Établissement (8): `_ETABLISSEMENT`. Division de classe (8, optional): alphanumerics
    and ; , & ' > < . - _"""
    etablissement = _rempli(s, "etablissement", toujours=True)
    if etablissement is not None and not _ETABLISSEMENT.fullmatch(etablissement):
        s.ajouter(
            "etablissement",
            "etablissement.format",
            _sur_valeur(
                "etablissement",
                etablissement,
                "code RNE/UAI ou Cyclades attendu : 7 chiffres suivis d'un chiffre ou d'une "
                "lettre majuscule (exemple : 0750001A).",
            ),
        )
    division = s.valeurs.get("division_classe") or ""
    if division:
        s.taille("division_classe", division, 8)
        v = _nfc(division)
        if _INTERDIT_DIVISION.search(v):
            s.ajouter(
                "division_classe",
                "division.caracteres",
                _sur_valeur(
                    "division_classe",
                    division,
                    _caracteres_interdits(_INTERDIT_DIVISION, v, _REGLE_DIVISION),
                ),
            )


def _serie(s: _Ligne, examen: Examen, ref: Referentiel, session: str) -> str | None:
    """Spécialité: a code of the exam's list (section « Liste des codes spécialités »), open
    for the session. Returns the code when it is in the list."""
    serie = _rempli(s, "serie", toujours=True)
    if serie is None:
        return None
    specialite = ref.specialites[examen].get(serie)
    if specialite is None:
        s.ajouter(
            "serie",
            "serie.code",
            _code_inconnu("serie", serie, f"la liste des spécialités du {examen}"),
        )
        return None
    _verifier_ouverture(s, specialite, session)
    return serie


def _enseignement(s: _Ligne, examen: Examen, ref: Referentiel, serie: str | None) -> str:
    """Enseignement (optional): BCP EURO / DOMSECINC / DOMSECPUB (any specialty); MC4
    DOMACTPHY / DOMACTAQU for 33501 only; CAP ASSMAT1 / EMPDOM1 / AUTRE1 for 33205 and ASSMAT2
    / EMPDOM2 / AUTRE2 for 3320M; « BP, ARI : non concernés » (Choice: MC3 too, no value is
    listed for it). Returns the value."""
    enseignement = s.valeurs.get("enseignement") or ""
    if not enseignement:
        return ""
    options = ref.enseignements[examen]
    if not options:
        s.ajouter(
            "enseignement",
            "enseignement.non_concerne",
            _sur_valeur(
                "enseignement",
                enseignement,
                f"aucun enseignement n'est prévu pour le {examen} : laisser vide.",
            ),
        )
    elif enseignement not in options:
        s.ajouter(
            "enseignement",
            "enseignement.code",
            _code_inconnu(
                "enseignement",
                enseignement,
                f"la liste des enseignements du {examen} ({', '.join(options)})",
            ),
        )
    elif options[enseignement] and serie is not None and options[enseignement] != serie:
        s.ajouter(
            "enseignement",
            "enseignement.specialite",
            _sur_valeur(
                "enseignement",
                enseignement,
                f"cet enseignement ne concerne que la spécialité {options[enseignement]}, pas "
                f"la spécialité {serie}.",
            ),
        )
    return enseignement


def _categorie(s: _Ligne, examen: Examen, ref: Referentiel) -> None:
    """Catégorie du candidat: a code of the exam's list (« Valeurs possibles pour ... »)."""
    categorie = _rempli(s, "categorie", toujours=True)
    if categorie is not None:
        s.hors_liste(
            "categorie",
            categorie,
            ref.categories[examen],
            "categorie.code",
            f"la liste des catégories de candidat du {examen}",
        )


def _langue_section_euro(s: _Ligne, examen: Examen, ref: Referentiel, enseignement: str) -> None:
    """« pour BCP si enseignement = EURO : oui sinon : non »; « BP, MCP, ARI, CAP : non
    concernés ». Choice: a language outside the BCP, or without the EURO teaching, is an
    error (it would be silently lost)."""
    langue = s.valeurs.get("langue_section_euro") or ""
    if examen is not Examen.BCP:
        if langue:
            s.ajouter(
                "langue_section_euro",
                "langue.non_concerne",
                _sur_valeur(
                    "langue_section_euro",
                    langue,
                    f"le {examen} n'a pas de section européenne : laisser vide.",
                ),
            )
        return
    if enseignement == "EURO":
        choisie = _rempli(
            s,
            "langue_section_euro",
            toujours=False,
            condition="enseignement EURO, section européenne",
        )
        if choisie is not None:
            s.hors_liste(
                "langue_section_euro",
                choisie,
                ref.langues,
                "langue.code",
                "la liste des langues de section européenne",
            )
    elif langue:
        s.ajouter(
            "langue_section_euro",
            "langue.sans_euro",
            _sur_valeur(
                "langue_section_euro",
                langue,
                "une langue de section européenne n'est admise qu'avec l'enseignement EURO.",
            ),
        )


def _verifier_ouverture(s: _Ligne, specialite: Specialite, session: str) -> None:
    """Section « Liste des codes spécialités »: « (1ère session 2023) », « (dernière session
    2022) », « (fin du rattrapage 2023) », « Pour la session 2024, fermeture des codes ... ».
    Checked only when the session is known (row, XML entête or file name)."""
    if not session:
        return
    annee = int(session[:4])
    code = specialite.code
    if specialite.premiere_session is not None and annee < specialite.premiere_session:
        s.ajouter(
            "serie",
            "serie.pas_ouverte",
            _sur_valeur(
                "serie",
                code,
                f"la spécialité « {specialite.libelle} » n'ouvre qu'à la session "
                f"{specialite.premiere_session} (session du fichier : {annee}).",
            ),
        )
    if specialite.derniere_session is not None and annee > specialite.derniere_session:
        s.ajouter(
            "serie",
            "serie.fermee",
            _sur_valeur(
                "serie",
                code,
                f"la spécialité « {specialite.libelle} » est fermée : dernière session "
                f"{specialite.derniere_session} (session du fichier : {annee}).",
            ),
        )
