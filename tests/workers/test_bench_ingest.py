"""The figures `guichet bench ingest` adds to its run (issue 16, item 3): CPU seconds per
process from Linux `/proc`, and the lines it prints. The run itself is a command, never a timed
test."""

import os

from workers.bench.ingest import Passe, Resultats, cpu_s


def test_the_cpu_of_a_process_read_from_proc_matches_what_it_reports_of_itself() -> None:
    debut = cpu_s()
    sum(i * i for i in range(2_000_000))  # some CPU to measure
    soi, proc = cpu_s(), cpu_s(os.getpid())

    assert soi > debut
    assert abs(soi - proc) < 0.1


def test_the_printed_lines_carry_each_pass_and_the_ratios_of_the_burst() -> None:
    def passe(nom: str, debit: float, p99: float) -> Passe:
        return Passe(
            nom=nom,
            evenements=50,
            duree_s=50 / debit,
            evenements_par_s=debit,
            p50_ms=100.0,
            p95_ms=500.0,
            p99_ms=p99,
            historique_par_evenement=5.6,
            cpu_par_1000={"guichet": 12.5, "temporal": 30.0, "tansu": 1.0},
        )

    resultats = Resultats(
        dossiers=10,
        evenements_par_dossier=5,
        passes=[passe("rafale", 25.0, 9000.0), passe("débit ouvert 12.5/s", 12.5, 800.0)],
        signal_with_start_par_s=100.0,
        sans_effet_par_s=50.0,
    )

    lignes = "\n".join(resultats.lignes())

    assert "rafale: 50 événements, bout en bout" in lignes
    assert "débit ouvert 12.5/s: 50 événements" in lignes
    assert "p50 100 ms, p95 500 ms, p99 800 ms" in lignes
    assert "événements d'historique par événement partenaire: 5.6" in lignes
    assert "CPU par 1 000 événements: guichet 12.5 s, temporal 30.0 s, tansu 1.0 s" in lignes
    assert "rapport bout en bout / référence: 0.25" in lignes
    assert "rapport bout en bout / workflow sans effet: 0.50" in lignes
