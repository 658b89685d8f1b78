"""The helpers that choose ports for locally started servers."""

from tests.integration.servers import free_cluster_ports


def test_a_cluster_is_given_distinct_ports_even_when_drawn_from_a_small_range():
    """500 draws from 2,700 ports would repeat one almost surely if each were drawn alone (birthday bound)."""
    ports = free_cluster_ports(500)
    assert len(set(ports)) == 500
    assert all(20_000 <= port < 22_700 for port in ports)
