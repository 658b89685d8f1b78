"""The launcher's CHIRP_METRICS_LISTEN: one address per child, never the same one twice."""

import pytest

from services.common.runtime.env import ConfigError
from services.mesh.launch_settings import metrics_addresses


def test_a_host_and_port_is_the_first_of_consecutive_ports_one_per_process():
    assert metrics_addresses("0.0.0.0:9400", 3) == ["0.0.0.0:9400", "0.0.0.0:9401", "0.0.0.0:9402"]


def test_port_zero_gives_each_process_a_free_port_of_its_own():
    assert metrics_addresses("127.0.0.1:0", 2) == ["127.0.0.1:0", "127.0.0.1:0"]


def test_off_and_unset_pass_through_so_each_child_takes_its_own_port_plus_1000_or_none():
    assert metrics_addresses("off", 2) == ["off", "off"]
    assert metrics_addresses("OFF", 1) == ["off"]
    assert metrics_addresses("", 2) == ["", ""]


@pytest.mark.parametrize("setting, says", [("9400", "give HOST:PORT"), ("localhost:http", "give HOST:PORT"),
                                           ("127.0.0.1:65530", "13 processes need ports 65530-65542")])  # fmt: skip
def test_a_setting_that_cannot_give_every_process_a_port_is_refused_with_the_reason(setting, says):
    with pytest.raises(ConfigError, match=says):
        metrics_addresses(setting, 13)
