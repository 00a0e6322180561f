# lbaas.octavia: `make lab` brings up the lab and deploys Octavia into it; `make test` runs
# every test. Both set up what they need first (scripts/setup-*.sh, idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.ansible/collections
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0

.PHONY: amphora-boot-test help setup setup-controller setup-podman setup-octavia test lint sanity unit functional molecule lab-test integration fault lab lab-destroy

help:
	@echo "make lab          bring up the lab and run site.yaml and the demo (see README)"
	@echo "make lab-destroy  remove the lab's containers, network and clouds.yaml; keeps images, caches and state"
	@echo "                  (LAB_PURGE=1 also removes the download caches, amphora builds and inventories/lab/.state)"
	@echo "make test         lint, sanity, unit, functional and molecule tests"
	@echo "make amphora-boot-test  boot the amphora image under QEMU and call its agent (long)"
	@echo "make integration  the load-balancer modules against the lab's Octavia (OS_CLOUD=lbaas-lab-demo)"
	@echo "make fault        the whole fault-injection suite against a noop lab (LAB_OCTAVIA_PROFILE=noop make lab first);"
	@echo "                  make test runs its short tests"
	@echo "make molecule     every Molecule scenario, molecule/ha (three controllers) and molecule/example included"

setup: setup-controller setup-podman setup-octavia

setup-controller:
	@bash scripts/setup-controller.sh

setup-podman:
	@bash scripts/setup-podman.sh

setup-octavia:
	@bash scripts/setup-octavia-venv.sh >/dev/null

# The lab test mostly waits for emulated amphorae (one core) while lint, sanity, the functional tests and Molecule
# keep the other busy: they run side by side once everything is set up (lines are interleaved). The lab test sets
# the pace, so nothing waits in front of it but the set-up and the unit tests, and the other side runs niced (it
# ends about 20 minutes before the lab test anyway): the lab from nothing took 1764 s beside it niced, 1900 s at equal
# priority, about 1050 s alone (2026-12-07).
test: setup unit
	$(MAKE) -j2 --output-sync=line test-side-by-side
	@echo "make test: all green"

.PHONY: test-side-by-side functional-molecule lab-test-only
# the lab test first: make starts prerequisites left to right, so it takes one of the two slots at once and lint,
# sanity, the functional tests and Molecule take turns in the other, at a lower CPU priority
test-side-by-side: lab-test-only functional-molecule-niced

.PHONY: functional-molecule-niced
functional-molecule-niced:
	nice -n 15 $(MAKE) --no-print-directory functional-molecule

# molecule/ha (three controllers, about 30 minutes on 2 cores) and molecule/example (site.yaml on inventories/example's
# shape, six containers) are left out of make test for its time budget: make molecule runs them, or molecule test -s ha
# and molecule test -s example.
functional-molecule: lint sanity
	pytest -q -p no:cacheprovider tests/functional
	MOLECULE_SKIP="ha example $${MOLECULE_SKIP:-}" bash scripts/molecule-all.sh

lab-test-only:
	bash scripts/lab-test.sh

lint: setup-controller
	ansible-lint --nocolor

sanity: setup-controller
	bash scripts/ansible-test.sh sanity

unit: setup-controller
	pytest -q -p no:cacheprovider tests/unit

functional: setup
	pytest -q -p no:cacheprovider tests/functional

# The lab from nothing (or the existing one): its services, a second run with changed=0, the modules
# against its Octavia; removed again when this made it.
lab-test: setup-controller setup-podman
	bash scripts/lab-test.sh

# The load-balancer modules against a real Octavia: the lab's by default (make lab first).
integration: export OS_CLIENT_CONFIG_FILE ?= $(CURDIR)/inventories/lab/clouds.yaml
integration: export OS_CLOUD ?= lbaas-lab-demo
integration: setup-controller
	pytest -q -rs -p no:cacheprovider tests/integration

molecule: setup-controller setup-podman
	bash scripts/molecule-all.sh

# The fault-injection suite against the lab (make lab first); lab-test runs it too.
fault: setup-controller
	pytest -q -rs -s -p no:cacheprovider tests/fault

lab: setup-controller setup-podman
	bash scripts/lab.sh up

lab-destroy: setup-controller
	bash scripts/lab.sh destroy

# Build (or reuse) the amphora image, boot it under QEMU, talk mTLS to its agent (docs/amphora.md).
amphora-boot-test: setup-controller
	bash scripts/test-amphora-boot.sh
