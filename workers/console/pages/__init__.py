"""The console's pages, one module each: login (`connexion`), work queue (`file`), one dossier
and its decision form (`dossier`), document upload (`document`), dashboard
(`tableau_de_bord`), ARE campaigns and their commission table (`are`)."""
