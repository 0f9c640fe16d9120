"""`guichet decide`: the options become the decision's fields, as the API takes them."""

import argparse

import pytest

from workers.cli import decide


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    decide.register(parser.add_subparsers())
    return parser


def test_the_payment_and_framework_options_become_the_decision_fields() -> None:
    args = _parser().parse_args(
        [
            *("decide", "contrat-pro:C-1", "reduire", "--auteur", "i"),
            *("--montant", "4500.00", "--motif", "3 mois non justifiés"),
        ]
    )
    assert decide.demande_de(args) == {
        "type": "reduire",
        "motif": "3 mois non justifiés",
        "montant": "4500.00",
    }
    args = _parser().parse_args(
        ["decide", "contrat-pro:C-1", "accepter", "--auteur", "i", "--cadre", "sa_111722"]
    )
    assert decide.demande_de(args) == {"type": "accepter", "cadre": "sa_111722"}


def test_an_unknown_framework_is_refused_naming_the_choices() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["decide", "C-1", "accepter", "--auteur", "i", "--cadre", "autre"])
