"""Every input check of the certificates role, as cases run in one playbook (tests/functional/test_pki.py).

A case is (id, role variables, setup, the message expected). Each case gets its own directory: {case}/pki is
its certificates_local_dir and {case}/remote its certificates_remote_dir; {byo} is the directory of the
bring-your-own files (see test_pki.byo). setup names what the case starts from: 'byo' (the supplied files),
'pki' (a copy of a generated PKI), 'hosts' (the hosts hold that PKI, the deployment directory is empty),
'fetch' (both), 'no-client-ca-key', 'expired-ca'. One playbook runs them all, each case in a block whose
rescue records the failure: a run per case would cost about 6 s each.
"""
import json

SMALL = {"certificates_ca_key_size": 2048, "certificates_ssh_key_size": 2048}
BYO_SERVER = {"certificates_server_ca_cert_file": "{byo}/my-server-ca.cert.pem",
              "certificates_server_ca_key_file": "{byo}/my-server-ca.key.pem",
              "certificates_server_ca_passphrase": "server-pass-123"}
BYO_CLIENT = {"certificates_client_ca_cert_file": "{byo}/my-client-ca.cert.pem",
              "certificates_client_cert_file": "{byo}/my-client.cert.pem",
              "certificates_client_key_file": "{byo}/my-client.key.pem"}
BYO = dict(BYO_SERVER, **BYO_CLIENT)
FETCH = {"certificates_fetch_from_host": "localhost", "certificates_remote_octavia_conf": "{case}/octavia.conf"}


def _byo(**override):
    return dict(BYO, **override)


CASES = [
    # argument_specs.yml: types and choices
    ("wrong type", {"certificates_ca_key_size": "big"}, None, "certificates_ca_key_size"),
    ("unknown rotation", {"certificates_rotate": "everything"}, None,
     "value of certificates_rotate must be one of"),
    ("unknown ssh key type", {"certificates_ssh_key_type": "dsa"}, None,
     "value of certificates_ssh_key_type must be one of"),
    ("not a boolean", {"certificates_expiry_fail": "maybe"}, None, "certificates_expiry_fail"),
    # the numbers
    ("small CA key", {"certificates_ca_key_size": 1024}, None,
     "certificates_ca_key_size must be an RSA key size of at least 2048 bits (it is 1024)"),
    ("small client key", {"certificates_client_key_size": "1024"}, None,
     "certificates_client_key_size must be an RSA key size of at least 2048 bits"),
    ("small ssh key", {"certificates_ssh_key_size": "1024"}, None,
     "certificates_ssh_key_size must be at least 2048 bits for an RSA key (it is 1024)"),
    ("short CA validity", {"certificates_ca_validity_days": "30", "certificates_client_validity_days": 10}, None,
     "certificates_ca_validity_days must be a number of days above 30"),
    ("zero client validity", {"certificates_client_validity_days": 0}, None,
     "certificates_client_validity_days must be a number of days above 0 (it is 0)"),
    ("client outlives CA", {"certificates_ca_validity_days": "400", "certificates_client_validity_days": 500}, None,
     "certificates_client_validity_days (500) must not exceed certificates_ca_validity_days (400)"),
    ("negative warn days", {"certificates_expiry_warn_days": "-1"}, None,
     "certificates_expiry_warn_days must be a number of days (it is -1)"),
    # supplied secrets
    ("short passphrase", {"certificates_server_certs_key_passphrase": "tooshort"}, None,
     "certificates_server_certs_key_passphrase must be exactly 32 characters of [A-Za-z0-9-_=] (Octavia uses it as a "
     "Fernet key); the value given has 8 characters."),
    ("bad characters", {"certificates_server_certs_key_passphrase": "$" * 32}, None,
     "the value given has 32 characters and others than those"),
    ("multi-line secret", {"certificates_heartbeat_key": "abc\ndebug = true"}, None,
     "certificates_heartbeat_key must be one line without leading or trailing blanks"),
    ("leading blank", {"certificates_server_ca_passphrase": " secret-with-a-blank"}, None,
     "certificates_server_ca_passphrase must be one line without leading or trailing blanks"),
    ("trailing blank", {"certificates_heartbeat_key": "secret-with-a-blank "}, None,
     "certificates_heartbeat_key must be one line without leading or trailing blanks"),
    ("too long secret", {"certificates_client_ca_passphrase": "x" * 1024}, None,
     "certificates_client_ca_passphrase must be one line without leading or trailing blanks (octavia.conf holds it on "
     "one line, and oslo.config strips the blanks) and at most 1023 characters"),
    # where the PKI lives
    ("no local dir", {"certificates_local_dir": ""}, None, "certificates_local_dir is empty"),
    # bring-your-own sets
    ("server CA without key", {"certificates_server_ca_cert_file": "{byo}/my-server-ca.cert.pem",
                               "certificates_server_ca_passphrase": "server-pass-123"}, "byo",
     "Incomplete bring-your-own PKI: certificates_server_ca_cert_file needs certificates_server_ca_key_file."),
    ("server CA without passphrase", _byo(certificates_server_ca_passphrase=""), "byo",
     "Incomplete bring-your-own PKI: certificates_server_ca_cert_file needs certificates_server_ca_passphrase"),
    ("server CA key alone", {"certificates_server_ca_key_file": "{byo}/my-server-ca.key.pem"}, "byo",
     "Incomplete bring-your-own PKI: certificates_server_ca_key_file needs certificates_server_ca_cert_file."),
    ("client CA key alone", {"certificates_client_ca_key_file": "{byo}/my-client-ca.key.pem"}, "byo",
     "Incomplete bring-your-own PKI: certificates_client_ca_key_file needs certificates_client_ca_cert_file."),
    ("client cert without key", _byo(certificates_client_key_file=""), "byo",
     "Incomplete bring-your-own PKI: certificates_client_cert_file needs certificates_client_key_file."),
    ("client cert without its CA", _byo(certificates_client_ca_cert_file=""), "byo",
     "Incomplete bring-your-own PKI: certificates_client_cert_file needs certificates_client_ca_cert_file"),
    ("client key alone", {"certificates_client_key_file": "{byo}/my-client.key.pem"}, "byo",
     "Incomplete bring-your-own PKI: certificates_client_key_file needs certificates_client_cert_file."),
    ("client CA cert alone", {"certificates_client_ca_cert_file": "{byo}/my-client-ca.cert.pem"}, "byo",
     "Incomplete bring-your-own PKI: certificates_client_ca_cert_file needs certificates_client_ca_key_file"),
    # bring-your-own files
    ("unreadable file", _byo(certificates_server_ca_cert_file="/nonexistent/ca.pem"), "byo",
     "certificates_server_ca_cert_file: cannot read a PEM certificate from /nonexistent/ca.pem"),
    ("key of another cert", _byo(certificates_server_ca_key_file="{byo}/other-ca.key.pem"), "byo",
     "certificates_server_ca_key_file ({byo}/other-ca.key.pem) is not the key of certificates_server_ca_cert_file"),
    ("wrong passphrase", _byo(certificates_server_ca_passphrase="not-the-passphrase"), "byo",
     "certificates_server_ca_key_file: cannot open the private key {byo}/my-server-ca.key.pem with "
     "certificates_server_ca_passphrase"),
    ("client cert from another CA", _byo(certificates_client_ca_cert_file="{byo}/other-ca.cert.pem"), "byo",
     "certificates_client_cert_file ({byo}/my-client.cert.pem) does not verify against certificates_client_ca_cert_file"),
    ("server cert as client cert", _byo(certificates_client_cert_file="{byo}/my-server-only.cert.pem",
                                        certificates_client_key_file="{byo}/my-server-only.key.pem"), "byo",
     "certificates_client_cert_file ({byo}/my-server-only.cert.pem) must carry extendedKeyUsage clientAuth"),
    ("client cert expiring", _byo(certificates_client_cert_file="{byo}/short-client.cert.pem",
                                  certificates_client_key_file="{byo}/short-client.key.pem"), "byo",
     "certificates_client_cert_file ({byo}/short-client.cert.pem) must carry extendedKeyUsage clientAuth and be valid "
     "for at least 30 more days"),
    ("leaf as CA", _byo(certificates_server_ca_cert_file="{byo}/my-leaf.cert.pem",
                        certificates_server_ca_key_file="{byo}/my-leaf.key.pem"), "byo",
     "certificates_server_ca_cert_file ({byo}/my-leaf.cert.pem) must be a CA certificate"),
    ("CA without keyCertSign", _byo(certificates_server_ca_cert_file="{byo}/no-keyusage-ca.cert.pem",
                                    certificates_server_ca_key_file="{byo}/no-keyusage-ca.key.pem"), "byo",
     "certificates_server_ca_cert_file ({byo}/no-keyusage-ca.cert.pem) must be a CA certificate"),
    ("CA without key identifier", _byo(certificates_server_ca_cert_file="{byo}/no-ski-ca.cert.pem",
                                       certificates_server_ca_key_file="{byo}/no-ski-ca.key.pem"), "byo",
     "certificates_server_ca_cert_file ({byo}/no-ski-ca.cert.pem) must be a CA certificate"),
    ("CA expiring", _byo(certificates_server_ca_cert_file="{byo}/short-ca.cert.pem",
                         certificates_server_ca_key_file="{byo}/short-ca.key.pem"), "byo",
     "certificates_server_ca_cert_file ({byo}/short-ca.cert.pem) must be a CA certificate (basicConstraints CA:TRUE, "
     "keyUsage keyCertSign, a subjectKeyIdentifier) valid for at least 30 more days"),
    ("client cert outlives supplied CA",
     dict(BYO_SERVER, certificates_client_ca_cert_file="{byo}/my-client-ca.cert.pem",
          certificates_client_ca_key_file="{byo}/my-client-ca.key.pem",
          certificates_client_ca_passphrase="client-pass-123", certificates_client_validity_days=500), "byo",
     "certificates_client_validity_days (500) reaches beyond the client CA, which expires"),
    # rotation
    ("rotate a supplied CA", _byo(certificates_rotate="server_ca"), "byo",
     "certificates_rotate=server_ca: that item is supplied by you"),
    ("rotate the CA of a supplied client cert", _byo(certificates_rotate="client_ca"), "byo",
     "certificates_rotate=client_ca: that item is supplied by you"),
    ("rotate a supplied secret", {"certificates_rotate": "heartbeat_key", "certificates_heartbeat_key": "k" * 40}, None,
     "certificates_rotate=heartbeat_key: that item is supplied by you"),
    ("renew without the client CA key", {"certificates_rotate": "client_cert"}, "no-client-ca-key",
     "certificates_rotate=client_cert: certificates_local_dir ({case}/pki) has no client_ca.key.pem"),
    # expiry of what exists
    ("expired CA", {}, "expired-ca", "server_ca.cert.pem expired on"),
    ("expiring with expiry_fail", {"certificates_expiry_fail": "true", "certificates_expiry_warn_days": "4000"}, "pki",
     "(certificates_expiry_fail is true; rotate with certificates_rotate)"),
    # what the hosts hold, and fetching it back
    ("hosts hold a PKI the directory lacks", {}, "hosts",
     "certificates_local_dir ({case}/pki) holds no PKI, but localhost already holds one in {case}/remote"),
    ("fetch into a PKI", dict(FETCH), "fetch",
     "certificates_fetch_from_host is set, but certificates_local_dir ({case}/pki) already holds PKI files"),
    ("fetch from a host without the PKI role", dict(FETCH, certificates_fetch_from_host="elsewhere"), "hosts",
     "certificates_fetch_from_host (elsewhere) must be a host of certificates_amphora_controller_group (ungrouped)"),
    ("fetch without the secrets in octavia.conf", dict(FETCH), "hosts-empty-conf",
     "{case}/octavia.conf on localhost lacks [certificates] ca_private_key_passphrase"),
    ("fetch with a wrong passphrase in octavia.conf", dict(FETCH), "hosts-wrong-conf",
     "The server CA key fetched from localhost does not open with [certificates] ca_private_key_passphrase of its "
     "octavia.conf. Nothing was written"),
    # the control: the same harness reports a run that passes
    ("valid input", dict(SMALL), None, None),
]


def case_vars(case_dir, byo_dir, variables):
    """The role variables of one case, placeholders filled in."""
    out = {"certificates_local_dir": "%s/pki" % case_dir, "certificates_remote_dir": "%s/remote" % case_dir}
    for key, value in variables.items():
        out[key] = value.format(case=case_dir, byo=byo_dir) if isinstance(value, str) else value
    return out


def playbook(cases, results):
    """A playbook (as JSON, which is YAML) running the role once per case; cases: [(id, variables)].
    Writes {id: 'no error' | 'task name: message'} to results."""
    failure = ("{{ ansible_failed_task.name | default('?') }}: {{ ansible_failed_result.msg | default('') }} "
               "{{ ansible_failed_result.results | default([]) | selectattr('failed', 'defined') | selectattr('failed')"
               " | map(attribute='msg') | join(' ') }}")
    tasks = []
    for case_id, variables in cases:
        tasks.append({
            "name": "Case %s" % case_id,
            "vars": dict(variables, pki_case=case_id),
            "block": [
                {"name": "Run the role", "ansible.builtin.include_role": {"name": "lbaas.octavia.certificates"}},
                {"name": "Record the pass", "ansible.builtin.set_fact": {
                    "pki_checks": "{{ pki_checks | combine({pki_case: 'no error'}) }}"}},
            ],
            "rescue": [{"name": "Record the failure", "vars": {"pki_failure": failure}, "ansible.builtin.set_fact": {
                "pki_checks": "{{ pki_checks | combine({pki_case: pki_failure}) }}"}}],
        })
    tasks.append({"name": "Write the results", "ansible.builtin.copy": {
        "dest": results, "content": "{{ pki_checks | to_nice_json }}", "mode": "0600"}})
    return json.dumps([{
        "name": "Every input check of the certificates role",
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"pki_checks": {}, "certificates_amphora_controller_group": "ungrouped",
                 "certificates_manage_owner": False,
                 "certificates_owner": "{{ lookup('ansible.builtin.pipe', 'id -un') }}",
                 "certificates_group": "{{ lookup('ansible.builtin.pipe', 'id -gn') }}"},
        "tasks": tasks,
    }], indent=1)
