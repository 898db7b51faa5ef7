"""How repeated runs of a scenario are summed up, how figures are shown, and the goals they
are held to."""

from __future__ import annotations

from bench.run import cell, check_targets, median_run


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


def test_papo_is_held_to_stay_ahead_of_ngircd_where_both_ran() -> None:
    """The idle memory of 5.4 KiB met its own target (8) while ngircd's was 5.1."""
    results = {
        "idle_10k": {
            "papo-json": {"kib_per_connection": 5.45, "registrations_per_s": 3100},
            "ngircd": {"kib_per_connection": 5.11, "registrations_per_s": 30},
        },
        "fanout_c500": {
            "papo-json": {"server_cpu_us_per_delivery": 0.21},
            "ngircd": {"server_cpu_us_per_delivery": 0.45},
        },
        "fanout_c2000": {"papo-json": {"server_cpu_us_per_delivery": 0.22}},  # ngircd not run
    }
    lines = check_targets(results)
    assert "memory per idle connection: 5.45 KiB (target <= 8): met" in lines
    assert (
        "memory per idle connection, KiB: papo 5.45, ngircd 5.11, ratio 1.07 (target < 1): NOT met"
        in lines
    )
    assert (
        "server CPU per delivery at C=500, us: papo 0.21, ngircd 0.45, ratio 0.47 (target < 1): met"
        in lines
    )
    assert not [line for line in lines if "C=2000, us" in line]
    assert "registrations per second: 3100 (target >= 2000): met" in lines


def test_a_quick_runs_registrations_are_shown_not_judged() -> None:
    """2 000 registrations are too few: the server's first ones cost more, and weigh more."""
    results = {
        "idle_10k": {
            "papo-json": {"clients": 2000, "kib_per_connection": 4.7, "registrations_per_s": 1791}
        }
    }
    lines = check_targets(results)
    assert (
        "registrations per second: 1791 at 2000 clients (target >= 2000 at 10000: judged by a "
        "full run)" in lines
    )
    full = {"idle_10k": {"papo-json": {**results["idle_10k"]["papo-json"], "clients": 10000}}}
    assert "registrations per second: 1791 (target >= 2000): NOT met" in check_targets(full)
