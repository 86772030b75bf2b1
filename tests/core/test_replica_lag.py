"""How far behind a replica is, from the primary positions a process remembers."""

from core.replica_health import lag_seconds, parse_lsn


def test_a_replica_at_the_primarys_position_is_not_behind_however_old_its_last_write():
    history = [(0.0, 100), (2.0, 100), (4.0, 100)]

    assert lag_seconds(history, 4.0, replayed=100, own_estimate=3600.0) == 0.0


def test_a_write_not_replayed_yet_counts_from_the_check_that_first_saw_it():
    history = [(0.0, 100), (2.0, 100), (4.0, 180)]

    assert lag_seconds(history, 4.0, replayed=100, own_estimate=3600.0) == 0.0
    assert lag_seconds(history, 4.5, replayed=100, own_estimate=3600.0) == 0.5


def test_a_replica_stuck_behind_falls_further_behind_at_every_check():
    history = [(0.0, 100), (2.0, 180), (4.0, 260), (6.0, 340)]

    assert lag_seconds(history, 6.0, replayed=100, own_estimate=None) == 4.0
    assert lag_seconds(history, 6.0, replayed=200, own_estimate=None) == 2.0


def test_without_a_remembered_position_it_replayed_its_own_estimate_counts():
    history = [(10.0, 180), (12.0, 260)]

    assert lag_seconds(history, 12.0, replayed=100, own_estimate=30.0) == 30.0
    assert lag_seconds(history, 12.0, replayed=100, own_estimate=None) == 2.0


def test_wal_positions_read_as_numbers():
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert parse_lsn(None) == 0
