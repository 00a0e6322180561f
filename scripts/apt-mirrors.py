"""Print the Debian mirror this machine's apt uses: `python3 scripts/apt-mirrors.py main|security [--root DIR]`.

Operators run their own mirrors (or proxies), and the lab's images are built on this machine: whatever
reaches Debian for apt here reaches it for mmdebstrap and diskimage-builder too. Both formats are read
(deb822 `*.sources` and one-line `sources.list`/`*.list`), in apt's order. Prints nothing when no entry
fits; callers decide whether that is an error.
"""
import argparse
import glob
import os
import re
import sys

# Debian's suite aliases: with the machine's own codename they tell Debian's archive from a third-party
# repository that also ships a `main` component (those use their own suite names).
SUITE_ALIASES = ('stable', 'oldstable', 'oldoldstable', 'testing', 'unstable', 'sid')
ONE_LINE = re.compile(r'^(?P<type>deb|deb-src)\s+(?:\[(?P<options>[^\]]*)\]\s+)?(?P<uri>\S+)\s+(?P<suite>\S+)'
                      r'(?P<components>.*)$')


def parse_one_line(text):
    """Entries of a one-line format file, as dicts with types, uris, suites, components, signed_by."""
    entries = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        match = ONE_LINE.match(line)
        if not match:
            continue
        options = dict(o.split('=', 1) for o in (match.group('options') or '').split() if '=' in o)
        entries.append({
            'types': [match.group('type')],
            'uris': [match.group('uri')],
            'suites': [match.group('suite')],
            'components': match.group('components').split(),
            'signed_by': options.get('signed-by', ''),
            'enabled': True,
        })
    return entries


def parse_deb822(text):
    """Entries of a deb822 `.sources` file (same shape as parse_one_line's)."""
    stanzas, fields, last = [], {}, None
    for line in text.splitlines() + ['']:
        if line.startswith('#'):
            continue
        if not line.strip():
            if fields:
                stanzas.append(fields)
            fields, last = {}, None
        elif line[0] in ' \t':
            # a continuation (a multi-line Signed-By key block, for one)
            if last:
                fields[last] += '\n' + line.strip()
        elif ':' in line:
            key, value = line.split(':', 1)
            last = key.strip().lower()
            fields[last] = value.strip()
    return [{
        'types': f.get('types', '').split(),
        'uris': f.get('uris', '').split(),
        'suites': f.get('suites', '').split(),
        'components': f.get('components', '').split(),
        'signed_by': f.get('signed-by', ''),
        'enabled': f.get('enabled', 'yes').lower() not in ('no', 'false', '0'),
    } for f in stanzas]


def read_entries(root):
    """Every enabled binary entry under root's /etc/apt, in the order apt reads the files."""
    etc = os.path.join(root, 'etc', 'apt')
    files = [os.path.join(etc, 'sources.list')]
    files += sorted(glob.glob(os.path.join(etc, 'sources.list.d', '*.list'))
                    + glob.glob(os.path.join(etc, 'sources.list.d', '*.sources')))
    entries = []
    for path in files:
        try:
            with open(path, encoding='utf-8') as f:
                text = f.read()
        except OSError:
            continue
        entries += parse_deb822(text) if path.endswith('.sources') else parse_one_line(text)
    return [e for e in entries if e['enabled'] and 'deb' in e['types']]


def codename(root):
    try:
        with open(os.path.join(root, 'etc', 'os-release'), encoding='utf-8') as f:
            for line in f:
                if line.startswith('VERSION_CODENAME='):
                    return line.strip().split('=', 1)[1].strip('"\'')
    except OSError:
        pass
    return ''


def is_debian_suite(suite, names, kind):
    if kind == 'security':
        # bookworm-security; before bullseye the security suite was <codename>/updates
        for suffix in ('-security', '/updates'):
            if suite.endswith(suffix) and suite[:-len(suffix)] in names:
                return True
        return False
    return suite in names


def find_mirror(entries, kind, release=''):
    """The URI of the first entry serving Debian's main (kind 'main') or security archive, or ''."""
    names = set(SUITE_ALIASES) | ({release} if release else set())
    fits = [e for e in entries
            if 'main' in e['components'] and any(is_debian_suite(s, names, kind) for s in e['suites'])]
    # A third-party repository reusing Debian's suite names is not signed with Debian's archive keys.
    fits.sort(key=lambda e: 'debian-archive-keyring' not in e['signed_by'])
    for entry in fits:
        for uri in entry['uris']:
            # The URI is used inside the images being built too, where a file: or cdrom: source means nothing.
            if uri.startswith(('http://', 'https://')):
                return uri.rstrip('/')
    return ''


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('kind', choices=('main', 'security'))
    parser.add_argument('--root', default='/', help='read ROOT/etc/apt and ROOT/etc/os-release (tests)')
    args = parser.parse_args(argv)
    uri = find_mirror(read_entries(args.root), args.kind, codename(args.root))
    if uri:
        print(uri)
    return 0


if __name__ == '__main__':
    sys.exit(main())
