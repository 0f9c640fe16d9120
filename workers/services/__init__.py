"""The service layer the API, the console and the CLI share: instruction of dossiers
(`instruction`), partner events sent through the API (`evenements`), schemes (`regimes`),
documents, users and roles (`utilisateurs`), input validation, the data subject's rights
(`rgpd`)."""
