"""How repeated runs of a scenario are summed up, and how figures are shown."""

from __future__ import annotations

from bench.run import cell, median_run


def test_the_run_with_the_median_p99_is_reported_with_every_runs_p99() -> None:
    runs = [
        {"p99_ms": 15.3, "p50_ms": 3.0, "lost": 0, "duplicated": 0, "reordered": 0},
        {"p99_ms": 6.7, "p50_ms": 2.8, "lost": 0, "duplicated": 0, "reordered": 0},
        {"p99_ms": 7.4, "p50_ms": 2.9, "lost": 0, "duplicated": 0, "reordered": 0},
    ]
    chosen = median_run(runs)
    assert chosen["p99_ms"] == 7.4 and chosen["p50_ms"] == 2.9
    assert chosen["p99_ms_each"] == [15.3, 6.7, 7.4]


def test_losses_in_any_run_are_not_hidden_by_picking_another() -> None:
    runs = [
        {"p99_ms": 5.0, "lost": 3, "duplicated": 0, "reordered": 1},
        {"p99_ms": 6.0, "lost": 0, "duplicated": 0, "reordered": 0},
        {"p99_ms": 7.0, "lost": 0, "duplicated": 2, "reordered": 0},
    ]
    chosen = median_run(runs)
    assert (chosen["lost"], chosen["duplicated"], chosen["reordered"]) == (3, 2, 1)


def test_a_list_of_figures_is_one_cell() -> None:
    assert cell([6.7, 7.4, 15.3]) == "6.7/7.4/15.3"
    assert cell(0.5) == "0.5"
