"""The VIP by name (vip.py) and the floating IP on the VIP (floating_ip.py): every decision, no cloud."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import floating_ip as fipmod
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import vip
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError, SpecError

N1 = '11111111-1111-1111-1111-111111111111'
N2 = '22222222-2222-2222-2222-222222222222'
PUB = '33333333-3333-3333-3333-333333333333'
S1 = '44444444-4444-4444-4444-444444444444'
G1, G2 = '55555555-5555-5555-5555-555555555555', '66666666-6666-6666-6666-666666666666'
PORT = '77777777-7777-7777-7777-777777777777'

CLOUD = {
    'networks': [dict(id=N1, name='demo'), dict(id=N2, name='twin'), dict(id=PUB, name='public'),
                 dict(id='88888888-8888-8888-8888-888888888888', name='twin')],
    'subnets': [dict(id=S1, name='demo-subnet', network_id=N1),
                dict(id='99999999-9999-9999-9999-999999999999', name='demo-subnet', network_id=N2)],
    'security_groups': [dict(id=G1, name='web'), dict(id=G2, name='ssh')],
    'ports': [dict(id=PORT, name='vip-port', network_id=N1)],
}


class Lister(object):
    """A Neutron that answers list queries the way the real one does (repeated filters are ORed)."""

    def __init__(self, missing=()):
        self.calls = []
        self.missing = missing

    def __call__(self, kind, **query):
        self.calls.append((kind, query))
        if kind in self.missing:
            raise LookupError('Neutron has no such API here')
        out = []
        for obj in CLOUD.get(kind, []):
            if all(obj.get(k) in (v if isinstance(v, list) else [v]) for k, v in query.items()):
                out.append(obj)
        return out


def params(**kw):
    base = dict(vip_network=None, vip_network_id=None, vip_subnet=None, vip_subnet_id=None, vip_port=None,
                vip_port_id=None, vip_qos_policy=None, vip_qos_policy_id=None, vip_security_groups=None,
                vip_sg_ids=None)
    base.update(kw)
    return base


def test_names_become_ids_with_one_list_request_per_kind():
    lister = Lister()
    p = params(vip_network='demo', vip_subnet='demo-subnet', vip_security_groups=['web', 'ssh'])
    extra = vip.resolve(p, lister, ['public'])
    assert (p['vip_network_id'], p['vip_subnet_id'], p['vip_sg_ids']) == (N1, S1, [G1, G2])
    assert extra == {'public': PUB}
    kinds = [kind for kind, dummy in lister.calls]
    assert kinds == ['networks', 'subnets', 'security_groups']
    # the VIP network and the floating IP's network share one request, by name
    assert lister.calls[0][1] == {'name': ['demo', 'public']}
    # a subnet name is looked up on the VIP network only (another network has one of that name)
    assert lister.calls[1][1] == {'network_id': N1, 'name': ['demo-subnet']}


def test_ids_are_queried_by_id_and_mixed_lists_by_scope():
    assert vip.query([G1, G2]) == {'id': [G1, G2]}
    assert vip.query(['web']) == {'name': ['web']}
    assert vip.query(['web', G1]) == {}
    p = params(vip_security_groups=['web', G2])
    vip.resolve(p, Lister())
    assert p['vip_sg_ids'] == [G1, G2]


def test_no_request_without_name_options():
    lister = Lister()
    p = params(vip_subnet_id=S1)
    assert vip.resolve(p, lister) == {}
    assert lister.calls == []


@pytest.mark.parametrize('kw,option,words', [
    (dict(vip_network='nope'), 'vip_network', "no network named 'nope'"),
    (dict(vip_network='twin'), 'vip_network', "2 networks are named 'twin'"),
    (dict(vip_subnet='demo-subnet'), 'vip_subnet', "2 subnets are named 'demo-subnet'"),
    (dict(vip_security_groups=['web', 'nope']), 'vip_security_groups', "no security group named 'nope'"),
    (dict(vip_network='demo', vip_network_id=N1), 'vip_network', 'not both'),
    (dict(vip_qos_policy='gold'), 'vip_qos_policy', 'cannot list QoS policys'),
])
def test_bad_names_fail_naming_the_option(kw, option, words):
    with pytest.raises(SpecError) as err:
        vip.resolve(params(**kw), Lister(missing=('qos_policies',)))
    assert err.value.path == option and words in err.value.msg


def fip(**kw):
    base = dict(id='f1', floating_ip_address='198.51.100.20', floating_network_id=PUB, port_id=None,
                description='')
    base.update(kw)
    return base


def test_a_fitting_floating_ip_on_the_vip_is_left_alone():
    act = fipmod.decide(dict(network_id=PUB), PORT, True, [fip(port_id=PORT)], None, [])
    assert act.kind == 'none' and act.fip['id'] == 'f1'
    act = fipmod.decide(dict(address='198.51.100.20'), PORT, True, [fip(port_id=PORT)], None, [])
    assert act.kind == 'none'


def test_another_floating_ip_on_the_vip_is_an_error_not_replaced():
    with pytest.raises(OctaviaModuleError) as err:
        fipmod.decide(dict(address='198.51.100.99'), PORT, True, [fip(port_id=PORT)], None, [])
    assert err.value.msg.startswith('floating_ip: the VIP port already has floating IP 198.51.100.20')


def test_network_creates_once_and_reuses_its_own_free_one():
    act = fipmod.decide(dict(network_id=PUB), PORT, True, [], None, [])
    assert (act.kind, act.body) == ('create', dict(floating_network_id=PUB, port_id=PORT))
    mine = fip(id='f9', description=fipmod.marker('lb1'))
    act = fipmod.decide(dict(network_id=PUB), PORT, True, [], None, [mine, fip(id='f8', port_id='other')])
    assert (act.kind, act.fip['id'], act.body) == ('associate', 'f9', dict(port_id=PORT))


def test_address_is_associated_when_free_and_refused_otherwise():
    act = fipmod.decide(dict(address='198.51.100.20'), PORT, True, [], fip(), [])
    assert (act.kind, act.body) == ('associate', dict(port_id=PORT))
    for by_address, path in ((None, 'floating_ip.address'), (fip(port_id='other'), 'floating_ip.address')):
        with pytest.raises(OctaviaModuleError) as err:
            fipmod.decide(dict(address='198.51.100.20'), PORT, True, [], by_address, [])
        assert err.value.path == path
    with pytest.raises(OctaviaModuleError) as err:
        fipmod.decide(dict(address='198.51.100.20', network_id=N2), PORT, True, [], fip(), [])
    assert err.value.path == 'floating_ip.network'


def test_a_vip_port_neutron_does_not_have_is_a_clear_error():
    with pytest.raises(OctaviaModuleError) as err:
        fipmod.decide(dict(network_id=PUB), PORT, False, [], None, [])
    assert 'is not a Neutron port' in err.value.msg and 'noop' in err.value.msg


def test_absent_releases_only_what_the_module_made():
    mine = fip(description=fipmod.marker('lb1'))
    assert fipmod.decide_absent([mine]).release == [mine]
    assert fipmod.decide_absent([]).kind == 'none'
    assert fipmod.marker('lb1') != fipmod.marker('lb10')


def test_floating_ip_needs_network_or_address():
    with pytest.raises(SpecError):
        fipmod.validate(dict(network=None, address=None))
    fipmod.validate(dict(network='public', address=None))
    fipmod.validate(None)
