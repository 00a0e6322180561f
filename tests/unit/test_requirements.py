"""The deployment host's venv (requirements-deployer.txt) runs the same openstacksdk as the controller's."""
import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pins(name):
    pins = {}
    with open(os.path.join(TOP, name)) as handle:
        for line in handle:
            match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line.strip())
            if match:
                pins[match.group(1).lower()] = match.group(2)
    return pins


def test_deployer_pins_every_package():
    with open(os.path.join(TOP, "requirements-deployer.txt")) as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert lines and all("==" in line for line in lines), lines


def test_deployer_openstacksdk_is_the_controllers():
    controller, deployer = _pins("requirements.txt"), _pins("requirements-deployer.txt")
    assert deployer["openstacksdk"] == controller["openstacksdk"]
