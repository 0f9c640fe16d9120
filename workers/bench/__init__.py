"""Benchmarks run by `guichet bench` and `guichet exapro bench`: Kafka-to-read-model ingest
(`ingest`), the dossier export through the app (`export`), generated EXAPRO files (`exapro`)."""
