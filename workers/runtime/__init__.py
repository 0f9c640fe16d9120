"""Runtime wiring: settings, logging and redaction, the read-model database, the Temporal client
(payload codec) and worker, search attributes and the retention schedule, the worker and
consumer services, child processes and the embedded dev stack (`dev`)."""
