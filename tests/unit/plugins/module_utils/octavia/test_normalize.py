"""Values that mean the same compare equal; values that cannot be right are refused."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import normalize, schema


def test_ip_forms():
    assert normalize.ip('2001:0DB8:0000::0001') == '2001:db8::1'
    assert normalize.ip(' 10.0.0.1 ') == '10.0.0.1'
    with pytest.raises(ValueError):
        normalize.ip('10.0.0.256')


def test_cidrs_are_canonical_sets():
    assert normalize.cidrs(['10.0.0.7/8', '2001:DB8::/32', '10.0.0.0/8']) == ['10.0.0.0/8', '2001:db8::/32']
    assert normalize.cidrs(None) == []


def test_expected_codes():
    assert normalize.codes('202, 200') == '200,202'
    assert normalize.codes('200-204') == '200-204'
    for bad in ('2xx', '204-200', '200,201-204'):
        with pytest.raises(ValueError):
            normalize.codes(bad)


def test_headers_and_text_and_sets():
    assert normalize.headers({'X-Forwarded-For': True, 'X-Port': 80}) == {'X-Forwarded-For': 'true', 'X-Port': '80'}
    assert normalize.text(None) == ''
    assert normalize.as_set(['h2', 'http/1.1', 'h2']) == ['h2', 'http/1.1']


def test_session_persistence_none_forms():
    for empty in (None, {}, {'type': None, 'cookie_name': None}):
        assert normalize.session_persistence(empty) == {}
    assert normalize.session_persistence({'type': 'SOURCE_IP', 'cookie_name': None}) == {'type': 'SOURCE_IP'}


def test_sriov_from_vnic_type():
    assert normalize.sriov('direct') is True
    assert normalize.sriov('normal') is False


def test_additional_vips_compare_only_what_was_asked():
    field = schema.fields('loadbalancer')['additional_vips']
    want = normalize.vips([{'subnet_id': 's1'}])
    assert normalize.same(field, want, normalize.vips([{'subnet_id': 's1', 'ip_address': '10.0.0.9'}]))
    assert not normalize.same(field, want, normalize.vips([{'subnet_id': 's2', 'ip_address': '10.0.0.9'}]))
