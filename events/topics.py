"""Kafka topic names. Partners publish on their own topic; guichet publishes on `guichet.*`.

Every record is keyed by the dossier's business key, so one dossier's events stay in order.
"""

OPCO = "partenaires.opco"
ASP = "partenaires.asp"
PORTAIL = "partenaires.portail"
ETABLISSEMENTS = "partenaires.etablissements"

PARTENAIRES = (OPCO, ASP, PORTAIL, ETABLISSEMENTS)

NOTIFICATIONS = "guichet.notifications"
PAIEMENTS = "guichet.paiements"
DOSSIERS = "guichet.dossiers"
CANDIDATURES = "guichet.candidatures"
"""EXAPRO: one message per accepted exam registration (kept off guichet.dossiers: a file can
hold 200 000 of them)."""
REBUTS = "guichet.rebuts"
"""Dead letters: partner records that could not be delivered, with the reason and the original
bytes (headers `rebut-motif`, `rebut-topic`, `rebut-partition`, `rebut-offset`)."""

AUDIT = "guichet.audit"
"""The audit log's signed daily digest (`guichet.audit.condensat.v1`, docs/audit.md): a copy
kept outside the read model, so rewriting the audit and its digest table is seen."""

SORTANTS = (NOTIFICATIONS, PAIEMENTS, DOSSIERS, CANDIDATURES, REBUTS, AUDIT)

TOUS = PARTENAIRES + SORTANTS
