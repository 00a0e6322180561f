"""scripts/apt-mirrors.py: the Debian mirrors the lab's image builds take from this machine's apt configuration."""
import importlib.util
import os
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, 'scripts', 'apt-mirrors.py')

_spec = importlib.util.spec_from_file_location('apt_mirrors', SCRIPT)
apt_mirrors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(apt_mirrors)

DEB822 = """\
Types: deb
# http://mirror-old.example/debian
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb http://mirror.example/debian bookworm-updates main  # point releases early
deb http://security.example/debian-security bookworm-security main contrib
"""

THIRD_PARTY = """\
Types: deb
URIs: https://vendor.example/apt
Suites: nodistro
Components: main
Signed-By: /etc/apt/keyrings/vendor.gpg
"""


def write_root(tmp_path, sources_list=None, parts=None, release='bookworm'):
    apt = tmp_path / 'etc' / 'apt'
    (apt / 'sources.list.d').mkdir(parents=True)
    if sources_list is not None:
        (apt / 'sources.list').write_text(sources_list)
    for name, text in (parts or {}).items():
        (apt / 'sources.list.d' / name).write_text(text)
    (tmp_path / 'etc' / 'os-release').write_text(f'ID=debian\nVERSION_CODENAME={release}\n')
    return str(tmp_path)


def mirror(root, kind):
    return apt_mirrors.find_mirror(apt_mirrors.read_entries(root), kind, apt_mirrors.codename(root))


@pytest.mark.parametrize('layout', ['deb822', 'one-line'])
def test_main_and_security_archive(tmp_path, layout):
    if layout == 'deb822':
        root = write_root(tmp_path, parts={'debian.sources': DEB822})
    else:
        root = write_root(tmp_path, sources_list=ONE_LINE)
    assert mirror(root, 'main') == 'http://mirror.example/debian'
    assert mirror(root, 'security') == 'http://security.example/debian-security'


def test_commented_lines_are_not_entries():
    assert apt_mirrors.parse_one_line('# deb http://commented.example/debian bookworm main\n') == []
    stanza = '# Types: deb\n# URIs: http://commented.example/debian\n'
    assert apt_mirrors.parse_deb822(stanza) == []
    # a comment inside a stanza leaves the stanza whole
    entries = apt_mirrors.parse_deb822(DEB822)
    assert [e['uris'] for e in entries] == [['http://mirror.example/debian/'],
                                            ['http://security.example/debian-security']]


def test_third_party_repository_and_disabled_stanza_are_skipped(tmp_path):
    disabled = DEB822.replace('Types: deb\n#', 'Enabled: no\nTypes: deb\n#', 1)
    root = write_root(tmp_path, sources_list='deb http://other.example/debian bookworm-backports main\n',
                      parts={'00vendor.sources': THIRD_PARTY, 'debian.sources': disabled})
    assert mirror(root, 'main') == ''
    assert mirror(root, 'security') == 'http://security.example/debian-security'


def test_debian_keyring_wins_over_a_vendor_reusing_the_codename(tmp_path):
    vendor = 'deb [signed-by=/etc/apt/keyrings/vendor.gpg] https://vendor.example/debian bookworm main\n'
    root = write_root(tmp_path, sources_list=vendor, parts={'debian.sources': DEB822})
    assert mirror(root, 'main') == 'http://mirror.example/debian'


def test_old_security_suite_and_the_release_from_os_release(tmp_path):
    root = write_root(tmp_path, release='buster', sources_list=(
        'deb http://mirror.example/debian buster main\n'
        'deb http://mirror.example/debian bookworm main\n'
        'deb http://security.example/debian-security buster/updates main\n'))
    assert mirror(root, 'main') == 'http://mirror.example/debian'
    assert mirror(root, 'security') == 'http://security.example/debian-security'


def test_only_network_uris(tmp_path):
    root = write_root(tmp_path, sources_list='deb cdrom:[Debian 12]/ bookworm main\n'
                                             'deb file:/srv/debian bookworm main\n')
    assert mirror(root, 'main') == ''


def test_command_line(tmp_path):
    root = write_root(tmp_path, parts={'debian.sources': DEB822})
    for kind, want in (('main', 'http://mirror.example/debian\n'),
                       ('security', 'http://security.example/debian-security\n')):
        out = subprocess.run([sys.executable, SCRIPT, kind, '--root', root], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        assert out == want
    empty = write_root(tmp_path / 'empty')
    assert subprocess.run([sys.executable, SCRIPT, 'main', '--root', empty], stdout=subprocess.PIPE, text=True,
                          check=True).stdout == ''
